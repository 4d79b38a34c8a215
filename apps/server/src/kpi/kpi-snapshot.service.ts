import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type Principal, supplierScope } from '../auth/principal.js';
import { DomainException } from '../common/domain.exception.js';
import { EvidenceRepository } from '../evidence/evidence.repository.js';
import { TrialAccess } from '../trials/trial-access.service.js';
import { contentSha256, snapshotDifferences, type SnapshotDifference } from './kpi-snapshot.diff.js';
import { KpiSnapshotRepository, type PendingSeal, type SealStatus } from './kpi-snapshot.repository.js';
import { type KpiQuery, kpiQuerySchema } from './kpi.dto.js';
import { KpiRepository } from './kpi.repository.js';
import { KpiService } from './kpi.service.js';
import type { KpiSummary } from './kpi.types.js';

/** The author of evidence Lookout seals itself (no person typed it): the nil UUID. */
export const LOOKOUT_AUTHOR_ID = '00000000-0000-0000-0000-000000000000';
/** How often each server process looks for completed sessions to seal. */
export const SEAL_POLL_MS = 2000;

/**
 * The content of a sealed KPI snapshot (evidence type `kpi-snapshot`): one per supplier in the session
 * (`supplierId` set, that supplier's devices only) and one for the whole session (`supplierId` null,
 * managers and viewers). `query` is what it was computed with, so it can be computed again and compared.
 */
export interface SessionKpiSnapshot {
  kind: 'session-kpis';
  sessionId: string;
  trialId: string;
  endedAt: string;
  supplierId: string | null;
  query: Omit<KpiQuery, 'groupBy' | 'detail'>;
  /** The session as one slice. */
  total: KpiSummary | null;
  bySupplier: KpiSummary[];
  byDevice: KpiSummary[];
}

export interface SnapshotView {
  evidenceId: string;
  sequence: number;
  supplierId: string | null;
  recordedAt: string;
  /** The evidence chain's hash of the item (see /evidence/verify). */
  hash: string;
  /** sha256 of the content's canonical JSON. */
  contentSha256: string;
  content: SessionKpiSnapshot;
}

export interface SnapshotComparison {
  evidenceId: string;
  supplierId: string | null;
  sealedContentSha256: string;
  currentContentSha256: string;
  identical: boolean;
  differenceCount: number;
  differences: SnapshotDifference[];
}

/**
 * Seals each completed session's KPIs as evidence. The database queues the session in `kpi_session_seal` in
 * the same transaction that completes it; every server process polls the queue (claims are SKIP LOCKED), so a
 * session end is sealed once, even across restarts. The sealed content is immutable and hash-chained like any
 * evidence; `compare` computes the same KPIs again and lists every figure that has changed since.
 */
@Injectable()
export class KpiSnapshotService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(KpiSnapshotService.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly seals: KpiSnapshotRepository,
    private readonly kpis: KpiService,
    private readonly repository: KpiRepository,
    private readonly evidence: EvidenceRepository,
    private readonly access: TrialAccess,
  ) {}

  private failing = false;

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), SEAL_POLL_MS);
    this.timer.unref();
    this.tick();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running || this.stopped) return;
    // One line when the queue cannot be read (a database outage) and one when it can again, not one per poll.
    this.running = this.sealPending()
      .then(() => {
        if (this.failing) this.logger.log('KPI sealing resumed');
        this.failing = false;
      })
      .catch((error: unknown) => {
        if (!this.failing)
          this.logger.error(`KPI sealing failed, retrying every ${SEAL_POLL_MS} ms: ${String(error)}`);
        this.failing = true;
      })
      .finally(() => {
        this.running = null;
      });
  }

  /** Seals every session waiting; returns how many were sealed. */
  async sealPending(): Promise<number> {
    let sealed = 0;
    while (!this.stopped) {
      const pending = await this.seals.claimNext();
      if (!pending) break;
      try {
        await this.seals.markSealed(pending.sessionId, await this.seal(pending));
        sealed += 1;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.logger.error(`sealing the KPIs of session ${pending.sessionId} failed: ${message}`);
        await this.seals.markFailed(pending.sessionId, message);
      }
    }
    return sealed;
  }

  /** Appends the session's snapshots (per supplier, then the whole session); returns their evidence ids. */
  private async seal(pending: PendingSeal): Promise<string[]> {
    const endedAt = pending.endedAt.toISOString();
    const suppliers = await this.seals.sessionSuppliers(pending.sessionId);
    // A retry after a partial failure seals only what is missing: each owner's snapshot exists once.
    const done = new Map(
      (await this.seals.sealed(pending.sessionId)).map((row) => [row.supplierId, row.id] as const),
    );
    const ids: string[] = [];
    for (const supplierId of [...suppliers, null]) {
      const existing = done.get(supplierId);
      if (existing) {
        ids.push(existing);
        continue;
      }
      const content = await this.compute(pending.trialId, pending.sessionId, endedAt, supplierId);
      const item = await this.evidence.append(
        {
          type: 'kpi-snapshot',
          trialId: pending.trialId,
          supplierId,
          deviceModelId: null,
          deviceConfigId: null,
          config: null,
          scaleId: null,
          level: null,
          criterionId: null,
          authorId: LOOKOUT_AUTHOR_ID,
          content: content as unknown as Record<string, unknown>,
        },
        [],
      );
      ids.push(item.id);
    }
    this.logger.log(`sealed the KPIs of session ${pending.sessionId} (${ids.length} evidence items)`);
    return ids;
  }

  /** The session's KPIs as a snapshot, with the given tolerances (the defaults when sealing). */
  private async compute(
    trialId: string,
    sessionId: string,
    endedAt: string,
    supplierId: string | null,
    tolerances?: SessionKpiSnapshot['query'],
  ): Promise<SessionKpiSnapshot> {
    const { groupBy: _groupBy, detail: _detail, ...defaults } = kpiQuerySchema.parse({});
    const query: SessionKpiSnapshot['query'] = tolerances ?? {
      ...defaults,
      sessionId,
      ...(supplierId ? { supplierId } : {}),
    };
    const full: KpiQuery = { ...query, groupBy: 'session', detail: false };
    const [total, bySupplier, byDevice] = await Promise.all([
      this.kpis.summaryOf(trialId, full),
      supplierId ? Promise.resolve([]) : this.kpis.summaryOf(trialId, { ...full, groupBy: 'supplier' }),
      this.kpis.summaryOf(trialId, { ...full, groupBy: 'device' }),
    ]);
    return {
      kind: 'session-kpis',
      sessionId,
      trialId,
      endedAt,
      supplierId,
      query,
      total: total[0] ?? null,
      bySupplier,
      byDevice,
    };
  }

  private async visibleSession(principal: Principal, sessionId: string): Promise<string> {
    const trialId = await this.repository.trialOfSession(sessionId);
    if (!trialId) throw DomainException.notFound('session', sessionId);
    await this.access.assertTrialVisible(principal, trialId);
    return trialId;
  }

  /** The seal's state and the sealed snapshots the principal may see (a supplier: its own). */
  async list(
    principal: Principal,
    sessionId: string,
  ): Promise<{ seal: SealStatus | null; snapshots: SnapshotView[] }> {
    await this.visibleSession(principal, sessionId);
    const rows = await this.seals.sealed(sessionId, supplierScope(principal));
    return {
      seal: (await this.seals.status(sessionId)) ?? null,
      snapshots: rows.map((row) => ({
        evidenceId: row.id,
        sequence: row.sequence,
        supplierId: row.supplierId,
        recordedAt: row.recordedAt.toISOString(),
        hash: row.hash,
        contentSha256: contentSha256(row.content),
        content: row.content as unknown as SessionKpiSnapshot,
      })),
    };
  }

  /** Computes each visible snapshot again, with its own tolerances, and lists what changed since sealing. */
  async compare(principal: Principal, sessionId: string): Promise<SnapshotComparison[]> {
    const { snapshots } = await this.list(principal, sessionId);
    return Promise.all(
      snapshots.map(async (snapshot) => {
        const sealed = snapshot.content;
        const current = await this.compute(
          sealed.trialId,
          sealed.sessionId,
          sealed.endedAt,
          sealed.supplierId,
          sealed.query,
        );
        const currentSha = contentSha256(current);
        const { count, listed } = snapshotDifferences(sealed, current);
        return {
          evidenceId: snapshot.evidenceId,
          supplierId: snapshot.supplierId,
          sealedContentSha256: snapshot.contentSha256,
          currentContentSha256: currentSha,
          identical: count === 0,
          differenceCount: count,
          differences: listed,
        };
      }),
    );
  }
}
