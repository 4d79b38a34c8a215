import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { DomainException } from '../common/domain.exception.js';
import { TrialAccess, toPage } from './trial-access.service.js';

/** A row that belongs to one trial (site, scenario, criterion, worker, session, enrolment…). */
export interface TrialChild extends ObjectLiteral {
  id: string;
  trialId: string;
}

/** List, read, create and update for rows owned by a trial, scoped by who may see the trial. */
@Injectable()
export class TrialChildren {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: TrialAccess,
  ) {}

  query<E extends TrialChild>(entity: EntityTarget<E>, principal: Principal) {
    const qb = this.dataSource.getRepository(entity).createQueryBuilder('r');
    return this.access.scopeToTrials(qb, principal, 'r.trial_id');
  }

  async list<E extends TrialChild>(
    entity: EntityTarget<E>,
    principal: Principal,
    query: { trialId?: string; limit: number; offset: number },
  ) {
    const qb = this.query(entity, principal).orderBy('r.created_at', 'ASC');
    if (query.trialId) qb.andWhere('r.trial_id = :trialId', { trialId: query.trialId });
    return toPage(qb, query);
  }

  async get<E extends TrialChild>(entity: EntityTarget<E>, principal: Principal, id: string): Promise<E> {
    const found = await this.query(entity, principal).andWhere('r.id = :id', { id }).getOne();
    if (!found) throw DomainException.notFound(this.nameOf(entity), id);
    return found;
  }

  async create<E extends TrialChild>(
    entity: EntityTarget<E>,
    principal: Principal,
    input: Partial<E>,
  ): Promise<E> {
    await this.access.assertTrialVisible(principal, input.trialId as string);
    const repository = this.dataSource.getRepository(entity);
    const saved = await repository.save(repository.create(input as E));
    return this.get(entity, principal, saved.id);
  }

  async update<E extends TrialChild>(
    entity: EntityTarget<E>,
    principal: Principal,
    id: string,
    patch: Partial<E>,
  ): Promise<E> {
    const current = await this.get(entity, principal, id);
    await this.dataSource.getRepository(entity).save({ ...current, ...patch });
    return this.get(entity, principal, id);
  }

  async remove<E extends TrialChild>(
    entity: EntityTarget<E>,
    principal: Principal,
    id: string,
  ): Promise<void> {
    const current = await this.get(entity, principal, id);
    await this.dataSource.getRepository(entity).remove(current);
  }

  private nameOf(entity: EntityTarget<ObjectLiteral>): string {
    return this.dataSource.getMetadata(entity).tableName;
  }
}
