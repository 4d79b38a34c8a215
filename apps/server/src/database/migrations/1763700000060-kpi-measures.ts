import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the remaining KPIs need:
 * - `check_point_visit`: a device held on a surveyed check point during a session, from/to as recorded in
 *   the field. Every fix of that device inside the visit is a sample of its error against the surveyed
 *   position (a static test, the way receivers are scored on survey marks).
 * - `ground_truth_import.rejected_count` / `rejected_rows` (the first 1000, each with its reason): rows of an
 *   imported file that were refused, so the import keeps the good rows and its provenance says what was left
 *   out.
 * - `kpi_session_seal`: one row per completed session whose KPIs are to be sealed as evidence. The row is
 *   written by the database in the same transaction that completes the session, so no session end can be
 *   missed whatever the server does; the KPI module seals it and records the evidence items.
 */
export class KpiMeasures1763700000060 implements MigrationInterface {
  name = 'KpiMeasures1763700000060';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE check_point_visit (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES session (id) ON DELETE CASCADE,
        check_point_id uuid NOT NULL REFERENCES check_point (id) ON DELETE CASCADE,
        device_id text NOT NULL REFERENCES device (id),
        from_time timestamptz NOT NULL,
        to_time timestamptz NOT NULL,
        notes text NOT NULL DEFAULT '',
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CHECK (to_time > from_time)
      )`);
    await q.query(`CREATE INDEX check_point_visit_session ON check_point_visit (session_id, device_id)`);
    await q.query(`ALTER TABLE ground_truth_import ADD COLUMN rejected_count integer NOT NULL DEFAULT 0,
      ADD COLUMN rejected_rows jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await q.query(`
      CREATE TABLE kpi_session_seal (
        session_id uuid PRIMARY KEY REFERENCES session (id) ON DELETE CASCADE,
        trial_id uuid NOT NULL REFERENCES trial (id) ON DELETE CASCADE,
        ended_at timestamptz NOT NULL,
        claimed_at timestamptz,
        sealed_at timestamptz,
        evidence_ids uuid[] NOT NULL DEFAULT '{}',
        attempts integer NOT NULL DEFAULT 0,
        last_error text
      )`);
    await q.query(
      `CREATE INDEX kpi_session_seal_pending ON kpi_session_seal (ended_at) WHERE sealed_at IS NULL`,
    );
    await q.query(`
      CREATE FUNCTION kpi_session_completed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'completed' AND OLD.status IS DISTINCT FROM 'completed' THEN
          INSERT INTO kpi_session_seal (session_id, trial_id, ended_at)
          VALUES (NEW.id, NEW.trial_id, COALESCE(NEW.actual_end, now())) ON CONFLICT DO NOTHING;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER kpi_session_completed AFTER UPDATE OF status ON session
      FOR EACH ROW EXECUTE FUNCTION kpi_session_completed()`);
    // Sessions completed before this migration are sealed too (with the data as it stands now).
    await q.query(`
      INSERT INTO kpi_session_seal (session_id, trial_id, ended_at)
      SELECT id, trial_id, COALESCE(actual_end, planned_end) FROM session WHERE status = 'completed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER kpi_session_completed ON session`);
    await q.query(`DROP FUNCTION kpi_session_completed`);
    await q.query(`DROP TABLE kpi_session_seal`);
    await q.query(`ALTER TABLE ground_truth_import DROP COLUMN rejected_rows, DROP COLUMN rejected_count`);
    await q.query(`DROP TABLE check_point_visit`);
  }
}
