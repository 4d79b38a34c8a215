import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lookout's own detections: every status change, crossing between fixes and flagged fix, with the evidence
 * the detector gave (the fix, its accuracy, the zone and version, the rule, thresholds and distances).
 * `detected_at` is the server's clock when it decided, for latency KPIs; `at` is the event's own time.
 */
export class DetectionEvent1763700000011 implements MigrationInterface {
  name = 'DetectionEvent1763700000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE detection_event (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        at timestamptz NOT NULL,
        detected_at timestamptz NOT NULL,
        device_id text NOT NULL REFERENCES device (id),
        type text NOT NULL CHECK (type IN ('status', 'crossing', 'fix-flagged')),
        status text,
        breach_level text CHECK (breach_level IN ('confirmed', 'probable')),
        previous_status text,
        cause text,
        rule text,
        zone_id uuid,
        zone_version integer,
        zone_kind text,
        fix_time timestamptz,
        lon double precision,
        lat double precision,
        accuracy_m real,
        breach_margin_m double precision,
        chainage_m double precision,
        evidence jsonb NOT NULL,
        PRIMARY KEY (at, id)
      )`);
    await q.query(`CREATE INDEX detection_event_device_at ON detection_event (device_id, at)`);
    await q.query(`CREATE INDEX detection_event_at_brin ON detection_event USING brin (at)`);
    const timescale: unknown[] = await q.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`);
    if (timescale.length > 0) {
      await q.query(
        `SELECT create_hypertable('detection_event', 'at', migrate_data => true, if_not_exists => true)`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE detection_event`);
  }
}
