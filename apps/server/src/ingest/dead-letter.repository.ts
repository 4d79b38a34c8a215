import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** Payloads larger than this are kept truncated; the original size is recorded beside them. */
export const MAX_DEAD_LETTER_BYTES = 64 * 1024;

const MAX_REASON_CHARS = 2000;

/**
 * A reason quotes the payload, which may hold anything: PostgreSQL text refuses NUL, so control
 * characters are shown escaped (`\u0000`), and the length is bounded.
 */
export function printableReason(reason: string): string {
  const printable = reason.replace(
    // eslint-disable-next-line no-control-regex -- matching control characters is the point.
    /[\u0000-\u0008\u000b-\u001f\u007f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return printable.length > MAX_REASON_CHARS ? `${printable.slice(0, MAX_REASON_CHARS)}…` : printable;
}

export interface DeadLetter {
  receivedAtMs: number;
  topic: string;
  deviceId?: string;
  itemIndex: number;
  reason: string;
  payload: Buffer;
}

@Injectable()
export class DeadLetterRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(letters: readonly DeadLetter[]): Promise<void> {
    for (const letter of letters) {
      await this.dataSource.query(
        `INSERT INTO dead_letter (received_at, topic, device_id, item_index, reason, payload, payload_bytes)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          new Date(letter.receivedAtMs),
          letter.topic,
          letter.deviceId ?? null,
          letter.itemIndex,
          printableReason(letter.reason),
          letter.payload.subarray(0, MAX_DEAD_LETTER_BYTES),
          letter.payload.length,
        ],
      );
    }
  }
}
