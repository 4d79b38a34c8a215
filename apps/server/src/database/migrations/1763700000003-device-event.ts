import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What devices say about themselves: their own alerts raised and cleared, SOS, battery, tamper, zone
 * transitions. Scoring compares these with Lookout's detections and the ground truth.
 */
export class DeviceEvent1763700000003 implements MigrationInterface {
  name = 'DeviceEvent1763700000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE device_event (
        time timestamptz NOT NULL,
        device_id text NOT NULL REFERENCES device (id),
        kind text NOT NULL CHECK (kind IN ('alert-raised', 'alert-cleared', 'sos', 'battery', 'tamper',
                                           'zone-enter', 'zone-exit')),
        received_at timestamptz NOT NULL,
        zone_ref text,
        battery_pct real,
        lon double precision,
        lat double precision,
        accuracy_m real,
        detail text,
        PRIMARY KEY (device_id, time, kind)
      )`);
    await queryRunner.query(`CREATE INDEX device_event_time_brin ON device_event USING brin (time)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE device_event`);
  }
}
