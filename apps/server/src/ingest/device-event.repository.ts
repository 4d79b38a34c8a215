import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { CanonicalDeviceEvent } from '../../../../libs/telemetry/src/index.js';
import { multiRowValues } from '../database/multi-row-insert.js';

const COLUMNS = [
  'time',
  'device_id',
  'kind',
  'received_at',
  'zone_ref',
  'battery_pct',
  'lon',
  'lat',
  'accuracy_m',
  'detail',
] as const;

/** Stores device events; a repeat (same device, time and kind) is skipped. Returns how many were new. */
@Injectable()
export class DeviceEventRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insertNew(events: readonly CanonicalDeviceEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const { sql, values } = multiRowValues(
      COLUMNS.length,
      events.map((event) => [
        new Date(event.eventTimeMs),
        event.deviceId,
        event.kind,
        new Date(event.receivedAtMs),
        event.zoneRef ?? null,
        event.batteryPct ?? null,
        event.lon ?? null,
        event.lat ?? null,
        event.accuracyM ?? null,
        event.detail ?? null,
      ]),
    );
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO device_event (${COLUMNS.join(', ')}) VALUES ${sql}
       ON CONFLICT (device_id, time, kind) DO NOTHING RETURNING 1`,
      values,
    );
    return inserted.length;
  }
}
