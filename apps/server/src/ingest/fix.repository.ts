import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { CanonicalFix } from '../../../../libs/telemetry/src/index.js';

/**
 * One array parameter per column, unnested into rows: the statement text is the same for every batch (no
 * 13,000 placeholders to build, send and parse), and times travel as epoch milliseconds rather than as
 * formatted dates. A millisecond interval times an integer below 2^53 µs is exact, so times round-trip.
 */
const INSERT_FIXES = `
  INSERT INTO fix (time, device_id, lon, lat, accuracy_m, sequence, received_at,
                   altitude_m, speed_mps, heading_deg, battery_pct, satellites, fix_type)
  SELECT timestamptz 'epoch' + t * interval '1 millisecond', d, lon, lat, acc, seq,
         timestamptz 'epoch' + r * interval '1 millisecond', alt, speed, heading, battery, sats, fix_type
  FROM unnest($1::float8[], $2::text[], $3::float8[], $4::float8[], $5::real[], $6::bigint[], $7::float8[],
              $8::real[], $9::real[], $10::real[], $11::real[], $12::smallint[], $13::text[])
       AS u(t, d, lon, lat, acc, seq, r, alt, speed, heading, battery, sats, fix_type)
  ON CONFLICT (device_id, time) DO NOTHING
  RETURNING device_id, (extract(epoch FROM time) * 1000)::float8 AS time_ms`;

/**
 * Array literals are written here rather than by the driver (which walks every element through its generic
 * value preparation): numbers as JavaScript prints them (PostgreSQL reads exponents too), text quoted.
 */
const numberOrNull = (value: number | undefined) => (value === undefined ? 'NULL' : String(value));
const quoted = (text: string) => `"${text.replace(/[\\"]/g, '\\$&')}"`;

/** Writes fixes to the `fix` table, a whole batch in one statement. */
@Injectable()
export class FixRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Inserts fixes; a fix already stored for the same device and time (a QoS 1 redelivery, a repeat) is
   * skipped. Returns the fixes that were new, in input order.
   */
  async insertNew(fixes: readonly CanonicalFix[]): Promise<CanonicalFix[]> {
    if (fixes.length === 0) return [];
    const n = fixes.length;
    const columns = Array.from({ length: 13 }, () => new Array<string>(n));
    for (let i = 0; i < n; i++) {
      const fix = fixes[i]!;
      columns[0]![i] = String(fix.fixTimeMs);
      columns[1]![i] = quoted(fix.deviceId);
      columns[2]![i] = String(fix.lon);
      columns[3]![i] = String(fix.lat);
      columns[4]![i] = String(fix.accuracyM);
      columns[5]![i] = numberOrNull(fix.sequence);
      columns[6]![i] = String(fix.receivedAtMs);
      columns[7]![i] = numberOrNull(fix.altitudeM);
      columns[8]![i] = numberOrNull(fix.speedMps);
      columns[9]![i] = numberOrNull(fix.headingDeg);
      columns[10]![i] = numberOrNull(fix.batteryPct);
      columns[11]![i] = numberOrNull(fix.satellites);
      columns[12]![i] = fix.fixType === undefined ? 'NULL' : quoted(fix.fixType);
    }
    const inserted: { device_id: string; time_ms: number }[] = await this.dataSource.query(
      INSERT_FIXES,
      columns.map((column) => `{${column.join(',')}}`),
    );
    if (inserted.length === n) return [...fixes];
    const fresh = new Set(inserted.map((row) => `${row.device_id}@${row.time_ms}`));
    // Within one batch, the first of two fixes with the same time wins, as in the database.
    return fixes.filter((fix) => fresh.delete(`${fix.deviceId}@${fix.fixTimeMs}`));
  }
}
