import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** Payloads larger than this are kept truncated; the original size is recorded beside them. */
export const MAX_DEAD_LETTER_BYTES = 64 * 1024;

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
          letter.reason,
          letter.payload.subarray(0, MAX_DEAD_LETTER_BYTES),
          letter.payload.length,
        ],
      );
    }
  }
}
