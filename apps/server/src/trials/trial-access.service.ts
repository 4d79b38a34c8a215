import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { type Principal, supplierScope } from '../auth/principal.js';
import { DomainException } from '../common/domain.exception.js';
import type { Page } from '../common/zod.js';

/**
 * Who may see which trial. Managers and viewers see every trial; a supplier sees the trials it takes part
 * in, and inside them only its own devices and their data. Anything out of scope answers 404, so a
 * supplier cannot even learn that another supplier's device exists.
 */
@Injectable()
export class TrialAccess {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Restricts a query to the principal's trials; `column` holds the trial id (e.g. `r.trial_id`). */
  scopeToTrials<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, principal: Principal, column: string) {
    const supplierId = supplierScope(principal);
    if (supplierId === undefined) return qb;
    return qb.andWhere(
      `${column} IN (SELECT trial_id FROM trial_supplier WHERE supplier_id = :scopeSupplierId)`,
      { scopeSupplierId: supplierId },
    );
  }

  async assertTrialVisible(principal: Principal, trialId: string): Promise<void> {
    const supplierId = supplierScope(principal);
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM trial t WHERE t.id = $1 AND ($2::uuid IS NULL OR EXISTS
         (SELECT 1 FROM trial_supplier ts WHERE ts.trial_id = t.id AND ts.supplier_id = $2))`,
      [trialId, supplierId ?? null],
    );
    if (rows.length === 0) throw DomainException.notFound('trial', trialId);
  }

  /** Restricts a query on an alias with a `device_id` column to the supplier's own devices. */
  scopeToDevices<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, principal: Principal, column: string) {
    const supplierId = supplierScope(principal);
    if (supplierId === undefined) return qb;
    return qb.andWhere(
      `${column} IN (SELECT d.id FROM device d JOIN device_model m ON m.id = d.model_id WHERE m.supplier_id = :scopeSupplierId)`,
      { scopeSupplierId: supplierId },
    );
  }

  /** The device ids among `ids` that the principal may see. */
  async visibleDeviceIds(principal: Principal, ids: readonly string[]): Promise<string[]> {
    const supplierId = supplierScope(principal);
    if (supplierId === undefined || ids.length === 0) return [...ids];
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT d.id FROM device d JOIN device_model m ON m.id = d.model_id WHERE d.id = ANY($1) AND m.supplier_id = $2`,
      [ids, supplierId],
    );
    const visible = new Set(rows.map((row) => row.id));
    return ids.filter((id) => visible.has(id));
  }
}

export async function toPage<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  query: { limit: number; offset: number },
): Promise<Page<T>> {
  const [items, total] = await qb.take(query.limit).skip(query.offset).getManyAndCount();
  return { items, total, limit: query.limit, offset: query.offset };
}
