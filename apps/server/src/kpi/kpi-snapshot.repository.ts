import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface PendingSeal {
  sessionId: string;
  trialId: string;
  endedAt: Date;
}

export interface SealStatus {
  sessionId: string;
  trialId: string;
  endedAt: string;
  sealedAt: string | null;
  attempts: number;
  lastError: string | null;
}

export interface SealedSnapshot {
  id: string;
  sequence: number;
  supplierId: string | null;
  recordedAt: Date;
  hash: string;
  previousHash: string;
  content: Record<string, unknown>;
}

/** A claim older than this is taken to belong to a process that died while sealing, and is taken over. */
const STALE_CLAIM = `interval '5 minutes'`;
/** After this many failed attempts a session is left for a person to look at (`lastError` says why). */
export const MAX_SEAL_ATTEMPTS = 5;

/** `kpi_session_seal` (written by the database when a session completes) and the sealed evidence items. */
@Injectable()
export class KpiSnapshotRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Claims the oldest session waiting to be sealed; SKIP LOCKED so several server processes share the work. */
  async claimNext(): Promise<PendingSeal | undefined> {
    // Wrapped in a SELECT: TypeORM answers a bare UPDATE … RETURNING with [rows, affected] instead of rows.
    const rows = (await this.dataSource.query(
      `WITH claimed AS (
         UPDATE kpi_session_seal k SET claimed_at = now(), attempts = k.attempts + 1
         WHERE k.session_id = (
           SELECT session_id FROM kpi_session_seal
           WHERE sealed_at IS NULL AND attempts < $1 AND (claimed_at IS NULL OR claimed_at < now() - ${STALE_CLAIM})
           ORDER BY ended_at LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING k.session_id, k.trial_id, k.ended_at)
       SELECT session_id AS "sessionId", trial_id AS "trialId", ended_at AS "endedAt" FROM claimed`,
      [MAX_SEAL_ATTEMPTS],
    )) as PendingSeal[];
    return rows[0];
  }

  async markSealed(sessionId: string, evidenceIds: string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE kpi_session_seal SET sealed_at = now(), evidence_ids = $2, last_error = NULL WHERE session_id = $1`,
      [sessionId, evidenceIds],
    );
  }

  /** Keeps the claim, so the session is tried again once the claim is stale (not in a tight loop). */
  async markFailed(sessionId: string, error: string): Promise<void> {
    await this.dataSource.query(`UPDATE kpi_session_seal SET last_error = $2 WHERE session_id = $1`, [
      sessionId,
      error.slice(0, 2000),
    ]);
  }

  async status(sessionId: string): Promise<SealStatus | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT session_id, trial_id, ended_at, sealed_at, attempts, last_error FROM kpi_session_seal
       WHERE session_id = $1`,
      [sessionId],
    )) as Record<string, unknown>[];
    const row = rows[0];
    if (!row) return undefined;
    return {
      sessionId: String(row.session_id),
      trialId: String(row.trial_id),
      endedAt: (row.ended_at as Date).toISOString(),
      sealedAt: row.sealed_at ? (row.sealed_at as Date).toISOString() : null,
      attempts: Number(row.attempts),
      lastError: (row.last_error as string | null) ?? null,
    };
  }

  /** Suppliers whose devices took part in the session. */
  async sessionSuppliers(sessionId: string): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT m.supplier_id AS id FROM session s CROSS JOIN LATERAL unnest(s.device_ids) u(device_id)
       JOIN device d ON d.id = u.device_id JOIN device_model m ON m.id = d.model_id
       WHERE s.id = $1 ORDER BY 1`,
      [sessionId],
    )) as { id: string }[];
    return rows.map((row) => row.id);
  }

  /** The session's sealed KPI snapshots (a supplier's only, with `supplierId`), in chain order. */
  async sealed(sessionId: string, supplierId?: string): Promise<SealedSnapshot[]> {
    return (await this.dataSource.query(
      `SELECT id, sequence::int AS sequence, supplier_id AS "supplierId", recorded_at AS "recordedAt", hash,
         previous_hash AS "previousHash", content
       FROM evidence WHERE type = 'kpi-snapshot' AND content->>'sessionId' = $1
         AND ($2::text IS NULL OR supplier_id::text = $2)
       ORDER BY sequence`,
      [sessionId, supplierId ?? null],
    )) as SealedSnapshot[];
  }
}
