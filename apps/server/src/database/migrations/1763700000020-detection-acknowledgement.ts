import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A manager's acknowledgement of a detection on the live dashboard: who, when, and the latency from the
 * detection (`detected_at`, server clock) to the acknowledgement, for the dashboard-latency KPI. A table of
 * its own rather than columns on `detection_event`, which may be a compressed hypertable; one row per
 * detection (the first acknowledgement counts).
 */
export class DetectionAcknowledgement1763700000020 implements MigrationInterface {
  name = 'DetectionAcknowledgement1763700000020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE detection_acknowledgement (
        detection_id uuid PRIMARY KEY,
        detection_at timestamptz NOT NULL,
        device_id text NOT NULL REFERENCES device (id),
        acknowledged_by uuid NOT NULL REFERENCES app_user (id),
        acknowledged_at timestamptz NOT NULL DEFAULT now(),
        latency_ms integer NOT NULL CHECK (latency_ms >= 0)
      )`);
    await q.query(
      `CREATE INDEX detection_acknowledgement_device ON detection_acknowledgement (device_id, detection_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE detection_acknowledgement`);
  }
}
