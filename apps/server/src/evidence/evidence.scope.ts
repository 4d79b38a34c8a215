import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { type Principal, supplierScope } from '../auth/principal.js';
import { DomainErrorCode, DomainException } from '../common/domain.exception.js';
import { TrialAccess } from '../trials/trial-access.service.js';

/**
 * Who owns a record in a trial: a supplier (its own data) or the trial itself (null, managers only).
 * A supplier is always its own owner; asking for another supplier answers 404, like everything else out
 * of scope.
 */
@Injectable()
export class OwnerScope {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: TrialAccess,
  ) {}

  async resolveOwner(
    principal: Principal,
    trialId: string,
    supplierId?: string | null,
  ): Promise<string | null> {
    await this.access.assertTrialVisible(principal, trialId);
    const scope = supplierScope(principal);
    if (scope !== undefined) {
      if (supplierId && supplierId !== scope) throw DomainException.notFound('supplier', supplierId);
      return scope;
    }
    if (!supplierId) return null;
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM trial_supplier WHERE trial_id = $1 AND supplier_id = $2`,
      [trialId, supplierId],
    );
    if (rows.length === 0) {
      throw new DomainException(
        DomainErrorCode.InvalidInput,
        `supplier ${supplierId} is not in trial ${trialId}`,
        [{ path: 'supplierId', message: `supplier ${supplierId} does not take part in trial ${trialId}` }],
      );
    }
    return supplierId;
  }

  /** SQL condition (with `$n` at `index`) restricting `column` to the principal's supplier, or none. */
  static supplierFilter(
    principal: Principal,
    column: string,
    index: number,
  ): { sql: string; values: unknown[] } {
    const scope = supplierScope(principal);
    if (scope === undefined) return { sql: 'TRUE', values: [] };
    return { sql: `${column} = $${index}`, values: [scope] };
  }
}
