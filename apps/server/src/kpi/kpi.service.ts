import { Injectable } from '@nestjs/common';
import { type Principal, supplierScope } from '../auth/principal.js';
import { DomainErrorCode, DomainException, type FieldIssue } from '../common/domain.exception.js';
import { TrialAccess } from '../trials/trial-access.service.js';
import { evaluateCriterion, type CriterionResult } from './kpi.criteria.js';
import {
  type CheckPointVisitInput,
  type GroundTruthEnvelope,
  type KpiQuery,
  kpiQuerySchema,
} from './kpi.dto.js';
import { checkGroundTruthRows } from './kpi.ground-truth.js';
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

  async checkPoints(principal: Principal, trialId: string, query: KpiQuery) {
    return this.repository.checkPoints(trialId, await this.scoped(principal, trialId, query));
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
    return this.summaryOf(trialId, await this.scoped(principal, trialId, query));
  }

  /** Every KPI family per slice of an already scoped query (no access check: callers scope first). */
  async summaryOf(trialId: string, scoped: KpiQuery): Promise<KpiSummary[]> {
    const [positioning, checkPoints, availability, detection, reliability] = await Promise.all([
      this.repository.positioning(trialId, scoped),
      this.repository.checkPoints(trialId, scoped),
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
    for (const group of checkPoints) slot(group).checkPoints = group;
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

  /**
   * Stores a ground-truth file's good rows; each bad row is refused on its own and named (section, index,
   * field, reason) in the answer and the import's provenance. A file whose every row is bad stores nothing.
   */
  async importGroundTruth(principal: Principal, envelope: GroundTruthEnvelope) {
    await this.access.assertTrialVisible(principal, envelope.trialId);
    if (envelope.sessionId && !(await this.repository.sessionInTrial(envelope.trialId, envelope.sessionId))) {
      throw DomainException.notFound('session', envelope.sessionId);
    }
    const { input, rejected, rejectedCount } = checkGroundTruthRows(envelope);
    const { document: doc } = input;
    const good = doc.crossings.length + doc.positions.length + doc.dropped.length;
    if (rejectedCount > 0 && good === 0) {
      throw new DomainException(
        DomainErrorCode.InvalidInput,
        `every row of the ground truth was refused (${rejectedCount}); first: ${rejected[0]!.path}: ${rejected[0]!.message}`,
        rejected.map((row) => ({ path: row.path, message: row.message })),
      );
    }
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
    const stored = await this.repository.importGroundTruth(input, principal.userId, {
      count: rejectedCount,
      rows: rejected,
    });
    return {
      ...stored,
      trialId: input.trialId,
      sessionId: input.sessionId ?? null,
      rejectedCount,
      rejected,
    };
  }

  /** Records that a device was held on a surveyed check point during a session (managers). */
  async recordVisit(principal: Principal, sessionId: string, input: CheckPointVisitInput) {
    const context = await this.repository.visitContext(sessionId, input.checkPointId);
    if (!context) throw DomainException.notFound('session', sessionId);
    await this.access.assertTrialVisible(principal, context.trialId);
    if (!context.pointExists) throw DomainException.notFound('check point', input.checkPointId);
    const issues: FieldIssue[] = [];
    if (context.pointTrialId !== null && context.pointTrialId !== context.trialId) {
      issues.push({
        path: 'checkPointId',
        message: `check point ${input.checkPointId} belongs to a zone of another trial`,
      });
    }
    if (!context.deviceIds.includes(input.deviceId)) {
      issues.push({
        path: 'deviceId',
        message: `device ${input.deviceId} is not in session ${sessionId} (devices: ${context.deviceIds.join(', ') || 'none'})`,
      });
    }
    const from = new Date(input.from);
    const to = new Date(input.to);
    if (to <= context.windowFrom || from >= context.windowTo) {
      issues.push({
        path: 'from',
        message: `visit ${input.from}..${input.to} lies outside the session (${context.windowFrom.toISOString()}..${context.windowTo.toISOString()})`,
      });
    }
    if (issues.length) {
      throw new DomainException(
        DomainErrorCode.InvalidInput,
        issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
        issues,
      );
    }
    return this.repository.insertVisit({
      sessionId,
      checkPointId: input.checkPointId,
      deviceId: input.deviceId,
      from,
      to,
      notes: input.notes,
      recordedBy: principal.userId,
    });
  }

  /** A session's check-point visits; a supplier sees only its own devices' visits. */
  async listVisits(principal: Principal, sessionId: string) {
    const trialId = await this.repository.trialOfSession(sessionId);
    if (!trialId) throw DomainException.notFound('session', sessionId);
    await this.access.assertTrialVisible(principal, trialId);
    return this.repository.visits(sessionId, supplierScope(principal));
  }
}
