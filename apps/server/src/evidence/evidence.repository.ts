import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { evidenceHash, GENESIS_HASH, type ChainLink, type HashedEvidence } from './evidence.chain.js';

export interface EvidenceRecord extends HashedEvidence {
  attachmentHashes: string[];
  previousHash: string;
  hash: string;
}

const COLUMNS = `id, sequence::int AS sequence, type, trial_id AS "trialId", supplier_id AS "supplierId",
  device_model_id AS "deviceModelId", device_config_id AS "deviceConfigId", config, scale_id AS "scaleId",
  level, criterion_id AS "criterionId", author_id AS "authorId", recorded_at AS "recordedAt", content,
  attachment_hashes AS "attachmentHashes", previous_hash AS "previousHash", hash`;

export type NewEvidence = Omit<HashedEvidence, 'id' | 'sequence' | 'recordedAt'>;

/** The evidence table: appends serialised per trial, reads in chain order. */
@Injectable()
export class EvidenceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Appends one item to its trial's chain. A transaction-scoped advisory lock on the trial serialises
   * appends, so two concurrent appends cannot both link to the same head (the chain cannot fork); the
   * UNIQUE (trial_id, sequence) constraint is the backstop.
   */
  async append(input: NewEvidence, attachmentHashes: readonly string[]): Promise<EvidenceRecord> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('lookout:evidence:' || $1, 0))`, [
        input.trialId,
      ]);
      const [head] = (await manager.query(
        `SELECT sequence::int AS sequence, hash FROM evidence WHERE trial_id = $1 ORDER BY sequence DESC LIMIT 1`,
        [input.trialId],
      )) as { sequence: number; hash: string }[];
      const item: HashedEvidence = {
        ...input,
        id: randomUUID(),
        sequence: (head?.sequence ?? 0) + 1,
        // Millisecond precision, so the timestamp read back from PostgreSQL hashes identically.
        recordedAt: new Date(),
      };
      const previousHash = head?.hash ?? GENESIS_HASH;
      const hash = evidenceHash(previousHash, item, attachmentHashes);
      const [row] = (await manager.query(
        `INSERT INTO evidence (id, trial_id, sequence, type, supplier_id, device_model_id, device_config_id, config,
           scale_id, level, criterion_id, author_id, recorded_at, content, attachment_hashes, previous_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
         RETURNING ${COLUMNS}`,
        [
          item.id,
          item.trialId,
          item.sequence,
          item.type,
          item.supplierId,
          item.deviceModelId,
          item.deviceConfigId,
          item.config === null ? null : JSON.stringify(item.config),
          item.scaleId,
          item.level,
          item.criterionId,
          item.authorId,
          item.recordedAt,
          JSON.stringify(item.content),
          attachmentHashes,
          previousHash,
          hash,
        ],
      )) as EvidenceRecord[];
      return row!;
    });
  }

  async findById(id: string): Promise<EvidenceRecord | undefined> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM evidence WHERE id = $1`, [
      id,
    ])) as EvidenceRecord[];
    return rows[0];
  }

  async list(where: string, values: unknown[], limit: number, offset: number) {
    const items = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM evidence WHERE ${where} ORDER BY trial_id, sequence
       LIMIT $${values.length + 1} OFFSET $${values.length + 2}`,
      [...values, limit, offset],
    )) as EvidenceRecord[];
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total FROM evidence WHERE ${where}`,
      values,
    )) as [{ total: number }];
    return { items, total, limit, offset };
  }

  async trialIdsWithEvidence(): Promise<string[]> {
    const rows = (await this.dataSource.query(`SELECT DISTINCT trial_id AS id FROM evidence ORDER BY 1`)) as {
      id: string;
    }[];
    return rows.map((row) => row.id);
  }

  /** The whole chain of a trial, in sequence order, as links to recompute. */
  async chain(trialId: string): Promise<ChainLink[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM evidence WHERE trial_id = $1 ORDER BY sequence`,
      [trialId],
    )) as EvidenceRecord[];
    return rows.map(({ attachmentHashes, previousHash, hash, ...item }) => ({
      item,
      attachmentHashes,
      previousHash,
      hash,
    }));
  }
}
