import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { CanonicalFix } from '../../../../libs/telemetry/src/index.js';
import { multiRowValues } from '../database/multi-row-insert.js';

const COLUMNS = [
  'time',
  'device_id',
  'lon',
  'lat',
  'accuracy_m',
  'sequence',
  'received_at',
  'altitude_m',
  'speed_mps',
  'heading_deg',
  'battery_pct',
  'satellites',
  'fix_type',
] as const;

/** Writes fixes to the `fix` table with one multi-row INSERT per message. */
@Injectable()
export class FixRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Inserts fixes; a fix already stored for the same device and time (a QoS 1 redelivery, a repeat) is
   * skipped. Returns the fixes that were new, in input order.
   */
  async insertNew(fixes: readonly CanonicalFix[]): Promise<CanonicalFix[]> {
    if (fixes.length === 0) return [];
    const { sql, values } = multiRowValues(
      COLUMNS.length,
      fixes.map((fix) => [
        new Date(fix.fixTimeMs),
        fix.deviceId,
        fix.lon,
        fix.lat,
        fix.accuracyM,
        fix.sequence ?? null,
        new Date(fix.receivedAtMs),
        fix.altitudeM ?? null,
        fix.speedMps ?? null,
        fix.headingDeg ?? null,
        fix.batteryPct ?? null,
        fix.satellites ?? null,
        fix.fixType ?? null,
      ]),
    );
    const inserted: { device_id: string; time: Date }[] = await this.dataSource.query(
      `INSERT INTO fix (${COLUMNS.join(', ')}) VALUES ${sql}
       ON CONFLICT (device_id, time) DO NOTHING RETURNING device_id, time`,
      values,
    );
    const fresh = new Set(inserted.map((row) => `${row.device_id}@${row.time.getTime()}`));
    // Within one message, the first of two fixes with the same time wins, as in the database.
    return fixes.filter((fix) => fresh.delete(`${fix.deviceId}@${fix.fixTimeMs}`));
  }
}
