import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface DeviceStatusChange {
  deviceId: string;
  online: boolean;
  atMs: number;
  receivedAtMs: number;
  retained: boolean;
}

/** Stores connection-state changes (`device_status_change`); a repeat of the current state is skipped. */
@Injectable()
export class DeviceStatusRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** True when this was a change (stored); false when the device was already in that state. */
  async record(change: DeviceStatusChange): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO device_status_change (device_id, at, online, received_at, retained)
       SELECT $1, $2, $3, $4, $5
       WHERE NOT EXISTS (
         SELECT 1 FROM (SELECT online FROM device_status_change WHERE device_id = $1 ORDER BY at DESC LIMIT 1) last
         WHERE last.online = $3)
       ON CONFLICT (device_id, at) DO NOTHING
       RETURNING 1`,
      [change.deviceId, new Date(change.atMs), change.online, new Date(change.receivedAtMs), change.retained],
    );
    return rows.length > 0;
  }
}
