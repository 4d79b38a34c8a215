import { createHash } from 'node:crypto';
import type { ReadStream } from 'node:fs';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import { type Principal, supplierScope } from '../auth/principal.js';
import { DomainErrorCode, DomainException } from '../common/domain.exception.js';
import { AttachmentStore } from './attachment.store.js';
import { MAX_ATTACHMENT_BYTES, sniffAttachment } from './attachment.sniff.js';
import type { attachmentInputSchema, attachmentQuerySchema } from './evidence.dto.js';
import { OwnerScope } from './evidence.scope.js';

/** What multer hands over for a single uploaded part (memory storage). */
export interface UploadedPart {
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

export interface AttachmentRecord {
  id: string;
  sha256: string;
  sizeBytes: number;
  mediaType: string;
  filename: string;
  trialId: string;
  supplierId: string | null;
  uploadedBy: string;
  createdAt: Date;
}

const COLUMNS = `id, sha256, size_bytes::int AS "sizeBytes", media_type AS "mediaType", filename, trial_id AS "trialId",
  supplier_id AS "supplierId", uploaded_by AS "uploadedBy", created_at AS "createdAt"`;

@Injectable()
export class AttachmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: AttachmentStore,
    private readonly owners: OwnerScope,
  ) {}

  async upload(
    principal: Principal,
    input: z.output<typeof attachmentInputSchema>,
    file: UploadedPart | undefined,
  ) {
    if (!file) {
      throw new DomainException(DomainErrorCode.InvalidInput, 'no file: send it as multipart part "file"', [
        { path: 'file', message: 'required' },
      ]);
    }
    // multer already refuses larger parts with 413; this keeps the rule in the domain too.
    if (file.size > MAX_ATTACHMENT_BYTES) {
      throw new DomainException(
        DomainErrorCode.InvalidInput,
        `file is ${file.size} bytes, the limit is ${MAX_ATTACHMENT_BYTES}`,
      );
    }
    const owner = await this.owners.resolveOwner(principal, input.trialId, input.supplierId);
    const sniffed = await sniffAttachment(file.buffer, input.mediaType ?? file.mimetype);
    if (!sniffed.ok) {
      throw new DomainException(
        DomainErrorCode.InvalidInput,
        `${file.originalname} refused: ${sniffed.reason}`,
        [{ path: 'file', message: sniffed.reason }],
      );
    }
    const sha256 = createHash('sha256').update(file.buffer).digest('hex');
    await this.store.put(sha256, file.buffer);
    const filename = file.originalname.slice(0, 255) || sha256;
    const [row] = (await this.dataSource.query(
      `INSERT INTO attachment (sha256, size_bytes, media_type, filename, trial_id, supplier_id, uploaded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (sha256, trial_id, COALESCE(supplier_id, '00000000-0000-0000-0000-000000000000'::uuid))
       DO UPDATE SET sha256 = EXCLUDED.sha256
       RETURNING ${COLUMNS}`,
      [sha256, file.size, sniffed.mediaType, filename, input.trialId, owner, principal.userId],
    )) as AttachmentRecord[];
    return row!;
  }

  async list(principal: Principal, query: z.output<typeof attachmentQuerySchema>) {
    const scope = supplierScope(principal);
    const values: unknown[] = [scope ?? null, query.trialId ?? null];
    const where = `($1::uuid IS NULL OR supplier_id = $1) AND ($2::uuid IS NULL OR trial_id = $2)`;
    const items = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM attachment WHERE ${where} ORDER BY created_at DESC LIMIT $3 OFFSET $4`,
      [...values, query.limit, query.offset],
    )) as AttachmentRecord[];
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total FROM attachment WHERE ${where}`,
      values,
    )) as [{ total: number }];
    return { items, total, limit: query.limit, offset: query.offset };
  }

  /** An attachment the principal may see; suppliers get 404 for another supplier's (or a trial's own) files. */
  async find(principal: Principal, sha256: string): Promise<AttachmentRecord> {
    const scope = supplierScope(principal);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM attachment WHERE sha256 = $1 AND ($2::uuid IS NULL OR supplier_id = $2)
       ORDER BY created_at LIMIT 1`,
      [sha256, scope ?? null],
    )) as AttachmentRecord[];
    if (!rows[0]) throw DomainException.notFound('attachment', sha256);
    return rows[0];
  }

  async open(
    principal: Principal,
    sha256: string,
  ): Promise<{ record: AttachmentRecord; stream: ReadStream }> {
    const record = await this.find(principal, sha256);
    return { record, stream: this.store.open(record.sha256) };
  }
}
