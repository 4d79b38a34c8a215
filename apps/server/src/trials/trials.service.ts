import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import { type Principal, supplierScope } from '../auth/principal.js';
import { DomainErrorCode, DomainException } from '../common/domain.exception.js';
import { EventBus } from '../events/event-bus.js';
import { TrialAccess, toPage } from './trial-access.service.js';
import { TrialChildren } from './trial-children.service.js';
import type {
  enrolmentInputSchema,
  enrolmentQuerySchema,
  sessionInputSchema,
  sessionQuerySchema,
  sessionUpdateSchema,
  trialInputSchema,
  trialQuerySchema,
  trialUpdateSchema,
} from './trials.dto.js';
import {
  EnrolmentEntity,
  SessionEntity,
  SiteEntity,
  SupplierEntity,
  TrialEntity,
  TrialSupplierEntity,
  WorkerEntity,
  type SessionStatus,
  type TrialStatus,
} from './trials.entities.js';

const TRIAL_TRANSITIONS: Record<TrialStatus, TrialStatus[]> = {
  draft: ['active'],
  active: ['closed'],
  closed: [],
};
const SESSION_TRANSITIONS: Record<SessionStatus, SessionStatus[]> = {
  planned: ['running', 'aborted'],
  running: ['completed', 'aborted'],
  completed: [],
  aborted: [],
};
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function invalidState(message: string): DomainException {
  return new DomainException(DomainErrorCode.InvalidState, message);
}

@Injectable()
export class TrialsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: TrialAccess,
    private readonly children: TrialChildren,
    private readonly bus: EventBus,
  ) {}

  // Suppliers (organisations)

  async listSuppliers(principal: Principal, query: { limit: number; offset: number }) {
    const qb = this.dataSource.getRepository(SupplierEntity).createQueryBuilder('s').orderBy('s.name');
    const scope = supplierScope(principal);
    if (scope !== undefined) qb.andWhere('s.id = :scope', { scope });
    return toPage(qb, query);
  }

  async getSupplier(principal: Principal, id: string) {
    const scope = supplierScope(principal);
    const supplier = await this.dataSource.getRepository(SupplierEntity).findOneBy({ id });
    if (!supplier || (scope !== undefined && scope !== id)) throw DomainException.notFound('supplier', id);
    return supplier;
  }

  async createSupplier(name: string) {
    const repository = this.dataSource.getRepository(SupplierEntity);
    return repository.save(repository.create({ name }));
  }

  // Trials

  async listTrials(principal: Principal, query: z.output<typeof trialQuerySchema>) {
    const qb = this.access.scopeToTrials(
      this.dataSource.getRepository(TrialEntity).createQueryBuilder('r').orderBy('r.created_at', 'ASC'),
      principal,
      'r.id',
    );
    if (query.status) qb.andWhere('r.status = :status', { status: query.status });
    return toPage(qb, query);
  }

  async getTrial(principal: Principal, id: string): Promise<TrialEntity & { supplierIds: string[] }> {
    await this.access.assertTrialVisible(principal, id);
    const trial = await this.dataSource.getRepository(TrialEntity).findOneByOrFail({ id });
    const links = await this.dataSource.getRepository(TrialSupplierEntity).findBy({ trialId: id });
    const scope = supplierScope(principal);
    const supplierIds = links
      .map((link) => link.supplierId)
      .filter((s) => scope === undefined || s === scope);
    return { ...trial, supplierIds };
  }

  async createTrial(input: z.output<typeof trialInputSchema>) {
    const repository = this.dataSource.getRepository(TrialEntity);
    return repository.save(repository.create({ ...input, status: 'draft' }));
  }

  async updateTrial(principal: Principal, id: string, patch: z.output<typeof trialUpdateSchema>) {
    const trial = await this.getTrial(principal, id);
    if (patch.status && patch.status !== trial.status) {
      if (!TRIAL_TRANSITIONS[trial.status].includes(patch.status)) {
        throw invalidState(`a ${trial.status} trial cannot become ${patch.status}`);
      }
      if (patch.status === 'active' && !(patch.dpiaReference ?? trial.dpiaReference)) {
        throw invalidState(
          'a trial cannot start without a data-protection impact assessment reference (dpiaReference)',
        );
      }
    }
    if (trial.status === 'closed') throw invalidState('a closed trial cannot be changed');
    const { supplierIds: _ignored, ...row } = trial;
    await this.dataSource.getRepository(TrialEntity).save({ ...row, ...patch });
    return this.getTrial(principal, id);
  }

  async addSupplier(principal: Principal, trialId: string, supplierId: string) {
    await this.getTrial(principal, trialId);
    await this.getSupplier(principal, supplierId);
    await this.dataSource
      .getRepository(TrialSupplierEntity)
      .upsert({ trialId, supplierId }, ['trialId', 'supplierId']);
    return this.getTrial(principal, trialId);
  }

  // Workers: pseudonymous codes, generated here so that no name can end up as a code.

  private workersQuery(principal: Principal) {
    const qb = this.children.query(WorkerEntity, principal);
    if (supplierScope(principal) === undefined) return qb;
    // A supplier sees only the workers who wear its devices.
    return this.access
      .scopeToDevices(qb.innerJoin(EnrolmentEntity, 'e', 'e.worker_id = r.id'), principal, 'e.device_id')
      .distinct(true);
  }

  async listWorkers(principal: Principal, query: { trialId?: string; limit: number; offset: number }) {
    const qb = this.workersQuery(principal).orderBy('r.created_at', 'ASC');
    if (query.trialId) qb.andWhere('r.trial_id = :trialId', { trialId: query.trialId });
    return toPage(qb, query);
  }

  async getWorker(principal: Principal, id: string) {
    const worker = await this.workersQuery(principal).andWhere('r.id = :id', { id }).getOne();
    if (!worker) throw DomainException.notFound('worker', id);
    return worker;
  }

  async createWorker(principal: Principal, trialId: string) {
    const code = `W-${Array.from({ length: 6 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('')}`;
    return this.children.create(WorkerEntity, principal, { trialId, code });
  }

  // Enrolments: a device worn in a trial, optionally by a worker, from/to.

  private enrolmentsQuery(principal: Principal) {
    return this.access.scopeToDevices(
      this.children.query(EnrolmentEntity, principal),
      principal,
      'r.device_id',
    );
  }

  async listEnrolments(principal: Principal, query: z.output<typeof enrolmentQuerySchema>) {
    const qb = this.enrolmentsQuery(principal).orderBy('r.valid_from', 'ASC');
    if (query.trialId) qb.andWhere('r.trial_id = :trialId', { trialId: query.trialId });
    if (query.deviceId) qb.andWhere('r.device_id = :deviceId', { deviceId: query.deviceId });
    return toPage(qb, query);
  }

  async getEnrolment(principal: Principal, id: string) {
    const enrolment = await this.enrolmentsQuery(principal).andWhere('r.id = :id', { id }).getOne();
    if (!enrolment) throw DomainException.notFound('enrolment', id);
    return enrolment;
  }

  async createEnrolment(principal: Principal, input: z.output<typeof enrolmentInputSchema>) {
    if ((await this.access.visibleDeviceIds(principal, [input.deviceId])).length === 0) {
      throw DomainException.notFound('device', input.deviceId);
    }
    if (input.workerId) {
      const worker = await this.dataSource.getRepository(WorkerEntity).findOneBy({ id: input.workerId });
      if (!worker || worker.trialId !== input.trialId)
        throw DomainException.notFound('worker in this trial', input.workerId);
    }
    if (input.validTo && input.validTo <= input.validFrom) {
      throw new DomainException(DomainErrorCode.InvalidInput, 'validTo must be after validFrom', [
        { path: 'validTo', message: 'must be after validFrom' },
      ]);
    }
    const saved = await this.children.create(EnrolmentEntity, principal, input);
    this.bus.emit('trial.devices-changed', { trialId: input.trialId });
    return this.getEnrolment(principal, saved.id);
  }

  async endEnrolment(principal: Principal, id: string, validTo: Date | null) {
    const enrolment = await this.getEnrolment(principal, id);
    await this.dataSource.getRepository(EnrolmentEntity).save({ ...enrolment, validTo });
    this.bus.emit('trial.devices-changed', { trialId: enrolment.trialId });
    return this.getEnrolment(principal, id);
  }

  // Sessions

  private async visibleSession(principal: Principal, session: SessionEntity): Promise<SessionEntity> {
    if (supplierScope(principal) === undefined) return session;
    const deviceIds = await this.access.visibleDeviceIds(principal, session.deviceIds);
    const workers = await this.listWorkers(principal, { trialId: session.trialId, limit: 500, offset: 0 });
    const visibleWorkers = new Set(workers.items.map((worker) => worker.id));
    return { ...session, deviceIds, workerIds: session.workerIds.filter((id) => visibleWorkers.has(id)) };
  }

  async listSessions(principal: Principal, query: z.output<typeof sessionQuerySchema>) {
    const qb = this.children.query(SessionEntity, principal).orderBy('r.planned_start', 'ASC');
    if (query.trialId) qb.andWhere('r.trial_id = :trialId', { trialId: query.trialId });
    if (query.siteId) qb.andWhere('r.site_id = :siteId', { siteId: query.siteId });
    if (query.status) qb.andWhere('r.status = :status', { status: query.status });
    const page = await toPage(qb, query);
    return { ...page, items: await Promise.all(page.items.map((s) => this.visibleSession(principal, s))) };
  }

  async getSession(principal: Principal, id: string) {
    return this.visibleSession(principal, await this.children.get(SessionEntity, principal, id));
  }

  async createSession(principal: Principal, input: z.output<typeof sessionInputSchema>) {
    const site = await this.dataSource.getRepository(SiteEntity).findOneBy({ id: input.siteId });
    if (!site || site.trialId !== input.trialId)
      throw DomainException.notFound('site in this trial', input.siteId);
    const session = await this.children.create(SessionEntity, principal, { ...input, status: 'planned' });
    this.bus.emit('trial.devices-changed', { trialId: input.trialId });
    return session;
  }

  async updateSession(principal: Principal, id: string, patch: z.output<typeof sessionUpdateSchema>) {
    const session = await this.children.get(SessionEntity, principal, id);
    const changes: Partial<SessionEntity> = { ...patch };
    if (patch.status && patch.status !== session.status) {
      if (!SESSION_TRANSITIONS[session.status].includes(patch.status)) {
        throw invalidState(`a ${session.status} session cannot become ${patch.status}`);
      }
      if (patch.status === 'running') {
        const trial = await this.dataSource
          .getRepository(TrialEntity)
          .findOneByOrFail({ id: session.trialId });
        if (!trial.dpiaReference) {
          throw invalidState(
            'a session cannot start before its trial has a data-protection impact assessment reference',
          );
        }
        if (trial.status !== 'active')
          throw invalidState(`a session cannot start while its trial is ${trial.status}`);
        changes.actualStart = new Date();
      }
      if (patch.status === 'completed' || patch.status === 'aborted') changes.actualEnd = new Date();
    } else if (session.status !== 'planned') {
      throw invalidState(`only a planned session can be rescheduled; this one is ${session.status}`);
    }
    const updated = await this.children.update(SessionEntity, principal, id, changes);
    if (patch.deviceIds) this.bus.emit('trial.devices-changed', { trialId: session.trialId });
    return this.visibleSession(principal, updated);
  }
}
