import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The walking skeleton's schema: devices, zones (GeoJSON in jsonb) and the fix time series.
 * `fix` is keyed on (device_id, time): it is the (device, time) index, and makes a redelivered
 * QoS 1 message idempotent. BRIN on time keeps range scans cheap on an append-mostly table.
 */
export class Initial1763700000000 implements MigrationInterface {
  name = 'Initial1763700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE device (
        id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._:-]{1,64}$'),
        name text NOT NULL DEFAULT '',
        codec text NOT NULL DEFAULT 'canonical-json',
        groups text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE zone (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('safe', 'danger')),
        version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        geometry jsonb NOT NULL CHECK (geometry ? 'type'),
        applies_to text[] NOT NULL DEFAULT '{}',
        valid_from timestamptz,
        valid_to timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from)
      )`);
    await queryRunner.query(
      `COMMENT ON COLUMN zone.applies_to IS 'device ids or device groups; empty means every device'`,
    );
    await queryRunner.query(`
      CREATE TABLE fix (
        time timestamptz NOT NULL,
        device_id text NOT NULL REFERENCES device (id),
        lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
        lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
        accuracy_m real NOT NULL CHECK (accuracy_m >= 0),
        sequence bigint,
        received_at timestamptz NOT NULL,
        altitude_m real,
        speed_mps real,
        heading_deg real,
        battery_pct real,
        satellites smallint,
        fix_type text,
        PRIMARY KEY (device_id, time)
      )`);
    await queryRunner.query(`CREATE INDEX fix_time_brin ON fix USING brin (time)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE fix`);
    await queryRunner.query(`DROP TABLE zone`);
    await queryRunner.query(`DROP TABLE device`);
  }
}
