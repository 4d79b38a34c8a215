import { Injectable } from '@nestjs/common';
import { type Principal, supplierScope } from '../auth/principal.js';
import { DomainErrorCode, DomainException } from '../common/domain.exception.js';
import { TrialAccess } from '../trials/trial-access.service.js';
import { evaluateCriterion, type CriterionResult } from './kpi.criteria.js';
import { type GroundTruthInput, type KpiQuery, kpiQuerySchema } from './kpi.dto.js';
import { KpiRepository } from './kpi.repository.js';
import type { KpiSummary } from './kpi.types.js';

export interface SupplierCriteria {
  supplierId: string;
  supplierName: string;
  passed: number;
  failed: number;
  results: CriterionResult[];
}

/** KPIs of a trial, scoped to what the principal may see: a supplier only ever gets its own slice. */
@Injectable()
export class KpiService {
  constructor(
    private readonly repository: KpiRepository,
    private readonly access: TrialAccess,
  ) {}

  /** The query narrowed to the principal; another supplier's id answers 404 as if it did not exist. */
  async scoped(principal: Principal, trialId: string, query: KpiQuery): Promise<KpiQuery> {
    await this.access.assertTrialVisible(principal, trialId);
    const own = supplierScope(principal);
    if (own === undefined) return query;
    if (query.supplierId !== undefined && query.supplierId !== own) {
      throw DomainException.notFound('supplier', query.supplierId);
    }
    return { ...query, supplierId: own };
  }

  async positioning(principal: Principal, trialId: string, query: KpiQuery) {
    return this.repository.positioning(trialId, await this.scoped(principal, trialId, query));
  }

  async availability(principal: Principal, trialId: string, query: KpiQuery) {
    return this.repository.availability(trialId, await this.scoped(principal, trialId, query));
  }

  async detection(principal: Principal, trialId: string, query: KpiQuery) {
    const scoped = await this.scoped(principal, trialId, query);
    const groups = await this.repository.detection(trialId, scoped);
    if (!scoped.detail) return { groups };
    return { groups, ...(await this.repository.crossings(trialId, scoped)) };
  }

  async latency(principal: Principal, trialId: string, query: KpiQuery) {
    const groups = await this.repository.detection(trialId, await this.scoped(principal, trialId, query));
    return groups.map(({ key, label, crossings, latency }) => ({ key, label, crossings, ...latency }));
  }

  async reliability(principal: Principal, trialId: string, query: KpiQuery) {
    return this.repository.reliability(trialId, await this.scoped(principal, trialId, query));
  }

  /** Every KPI family for each slice, merged by slice key. */
  async summary(principal: Principal, trialId: string, query: KpiQuery): Promise<KpiSummary[]> {
    const scoped = await this.scoped(principal, trialId, query);
    const [positioning, availability, detection, reliability] = await Promise.all([
      this.repository.positioning(trialId, scoped),
      this.repository.availability(trialId, scoped),
      this.repository.detection(trialId, scoped),
      this.repository.reliability(trialId, scoped),
    ]);
    const byKey = new Map<string, KpiSummary>();
    const slot = (group: { key: string; label: string }) => {
      let summary = byKey.get(group.key);
      if (!summary) byKey.set(group.key, (summary = { key: group.key, label: group.label }));
      return summary;
    };
    for (const group of positioning) slot(group).positioning = group;
    for (const group of availability) slot(group).availability = group;
    for (const group of detection) slot(group).detection = group;
    for (const group of reliability) slot(group).reliability = group;
    return [...byKey.values()].sort((a, b) => a.label.localeCompare(b.label));
  }

  /** Each criterion of the trial judged per supplier (a supplier sees only itself). */
  async evaluateCriteria(
    principal: Principal,
    trialId: string,
    supplierId?: string,
  ): Promise<SupplierCriteria[]> {
    const query = await this.scoped(principal, trialId, { ...kpiQuerySchema.parse({}), supplierId });
    const [criteria, suppliers, summaries] = await Promise.all([
      this.repository.criteria(trialId),
      this.repository.suppliers(trialId, query.supplierId),
      this.summary(principal, trialId, { ...query, groupBy: 'supplier' }),
    ]);
    return suppliers.map((supplier) => {
      const kpis = summaries.find((summary) => summary.key === supplier.id) ?? {
        key: supplier.id,
        label: supplier.name,
      };
      const link = (source: string) =>
        `/trials/${trialId}/kpis/${source}?groupBy=supplier&supplierId=${supplier.id}`;
      const results = criteria.map((criterion) => evaluateCriterion(criterion, kpis, link));
      return {
        supplierId: supplier.id,
        supplierName: supplier.name,
        passed: results.filter((result) => result.verdict === 'pass').length,
        failed: results.filter((result) => result.verdict === 'fail').length,
        results,
      };
    });
  }

  async importGroundTruth(principal: Principal, input: GroundTruthInput) {
    await this.access.assertTrialVisible(principal, input.trialId);
    if (input.sessionId && !(await this.repository.sessionInTrial(input.trialId, input.sessionId))) {
      throw DomainException.notFound('session', input.sessionId);
    }
    const { document: doc } = input;
    const ids = new Set(
      [...doc.crossings, ...doc.positions, ...doc.dropped].map(
        (item) => input.deviceIds[item.deviceId] ?? item.deviceId,
      ),
    );
    const unknown = await this.repository.unknownDevices([...ids]);
    if (unknown.length > 0) {
      throw new DomainException(
        DomainErrorCode.InvalidInput,
        `ground truth names devices Lookout does not know: ${unknown.join(', ')} (map them with deviceIds)`,
        unknown.map((id) => ({ path: 'document.deviceId', message: `unknown device ${id}` })),
      );
    }
    const stored = await this.repository.importGroundTruth(input, principal.userId);
    return { ...stored, trialId: input.trialId, sessionId: input.sessionId ?? null };
  }
}
