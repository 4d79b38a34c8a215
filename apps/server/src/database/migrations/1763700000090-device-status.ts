import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Devices' connection state from `lookout/v1/devices/{d}/status` (retained `online`, last will `offline`):
 * one row per change, so uptime can be measured and the dashboard shows who is offline. A repeat of the
 * current state (a retained message delivered again when the server reconnects) adds nothing.
 */
export class DeviceStatus1763700000090 implements MigrationInterface {
  name = 'DeviceStatus1763700000090';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE device_status_change (
        device_id text NOT NULL REFERENCES device (id) ON DELETE CASCADE,
        at timestamptz NOT NULL,
        online boolean NOT NULL,
        received_at timestamptz NOT NULL,
        -- Delivered as the broker's retained message (at subscribe time), not as it happened.
        retained boolean NOT NULL DEFAULT false,
        PRIMARY KEY (device_id, at)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE device_status_change');
  }
}
