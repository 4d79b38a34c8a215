import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ground truth for scoring, imported from the simulators' ground-truth file (`lookout-ground-truth/1`) or a
 * survey: the true breach episodes (crossings) of each device and its true positions at each fix it took
 * (published or dropped). KPIs are computed from these and the stored fixes and events, never typed in.
 * An import is one document; deleting it removes its rows.
 */
export class GroundTruth1763700000050 implements MigrationInterface {
  name = 'GroundTruth1763700000050';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ground_truth_import (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trial_id uuid NOT NULL REFERENCES trial (id) ON DELETE CASCADE,
        session_id uuid REFERENCES session (id) ON DELETE SET NULL,
        format text NOT NULL,
        scenario text NOT NULL DEFAULT '',
        seed text NOT NULL DEFAULT '',
        start_time timestamptz NOT NULL,
        end_time timestamptz NOT NULL,
        imported_by uuid,
        imported_at timestamptz NOT NULL DEFAULT now(),
        CHECK (end_time >= start_time)
      )`);
    await q.query(`
      CREATE TABLE ground_truth_crossing (
        id bigserial PRIMARY KEY,
        import_id uuid NOT NULL REFERENCES ground_truth_import (id) ON DELETE CASCADE,
        trial_id uuid NOT NULL REFERENCES trial (id) ON DELETE CASCADE,
        session_id uuid REFERENCES session (id) ON DELETE SET NULL,
        device_id text NOT NULL REFERENCES device (id),
        zone_ref text,
        zone_id uuid,
        time_out timestamptz NOT NULL,
        time_back_in timestamptz,
        duration_ms integer NOT NULL CHECK (duration_ms >= 0),
        max_beyond_m double precision,
        fixes_during integer,
        CHECK (time_back_in IS NULL OR time_back_in >= time_out)
      )`);
    await q.query(
      `CREATE INDEX ground_truth_crossing_device ON ground_truth_crossing (trial_id, device_id, time_out)`,
    );
    await q.query(`
      CREATE TABLE ground_truth_position (
        import_id uuid NOT NULL REFERENCES ground_truth_import (id) ON DELETE CASCADE,
        trial_id uuid NOT NULL REFERENCES trial (id) ON DELETE CASCADE,
        device_id text NOT NULL REFERENCES device (id),
        sequence bigint NOT NULL,
        true_time timestamptz NOT NULL,
        fix_time timestamptz,
        true_lon double precision CHECK (true_lon BETWEEN -180 AND 180),
        true_lat double precision CHECK (true_lat BETWEEN -90 AND 90),
        environment text,
        dropped_reason text,
        PRIMARY KEY (import_id, device_id, sequence),
        CHECK ((dropped_reason IS NULL) = (fix_time IS NOT NULL AND true_lon IS NOT NULL AND true_lat IS NOT NULL))
      )`);
    await q.query(
      `COMMENT ON TABLE ground_truth_position IS 'true positions at each fix a device took; dropped fixes have a reason and no position'`,
    );
    await q.query(
      `CREATE INDEX ground_truth_position_fix ON ground_truth_position (trial_id, device_id, fix_time)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ground_truth_position, ground_truth_crossing, ground_truth_import`);
  }
}
