import type { MigrationInterface, QueryRunner } from 'typeorm';

const IMMUTABLE = [
  'evidence',
  'assessment',
  'report_template',
  'report_version',
  'review',
  'survey_template',
];

/**
 * Evidence: the append-only, hash-chained evidence log (one chain per trial), attachments stored by content
 * hash, immutable TRL assessments, versioned supplier report templates with reports, versions and reviews,
 * and worker feedback surveys. Rows that are records (evidence, assessments, report versions, reviews,
 * templates) are refused any UPDATE, DELETE or TRUNCATE by the database itself.
 */
export class EvidenceReports1763700000030 implements MigrationInterface {
  name = 'EvidenceReports1763700000030';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION lookout_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'P0001';
      END $$`);
    await q.query(`
      CREATE TABLE evidence (
        id uuid PRIMARY KEY,
        trial_id uuid NOT NULL REFERENCES trial (id),
        sequence bigint NOT NULL CHECK (sequence >= 1),
        type text NOT NULL CHECK (type IN ('measurement', 'test-certificate', 'observation', 'feedback-summary',
          'report-section', 'kpi-snapshot')),
        supplier_id uuid REFERENCES supplier (id),
        device_model_id uuid REFERENCES device_model (id),
        device_config_id uuid REFERENCES device_config (id),
        config jsonb,
        scale_id text,
        level integer,
        criterion_id text,
        author_id uuid NOT NULL,
        recorded_at timestamptz NOT NULL,
        content jsonb NOT NULL,
        attachment_hashes text[] NOT NULL DEFAULT '{}',
        previous_hash text NOT NULL CHECK (previous_hash ~ '^[0-9a-f]{64}$'),
        hash text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
        UNIQUE (trial_id, sequence)
      )`);
    await q.query(`CREATE INDEX evidence_supplier ON evidence (supplier_id, trial_id)`);
    await q.query(`
      CREATE TABLE attachment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
        media_type text NOT NULL CHECK (media_type IN ('application/pdf', 'image/png', 'image/jpeg', 'text/csv',
          'application/json', 'text/markdown')),
        filename text NOT NULL,
        trial_id uuid NOT NULL REFERENCES trial (id),
        supplier_id uuid REFERENCES supplier (id),
        uploaded_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One row per (content, owner): the same bytes uploaded by two suppliers are two attachments, one file.
    await q.query(`CREATE UNIQUE INDEX attachment_owner ON attachment
      (sha256, trial_id, COALESCE(supplier_id, '00000000-0000-0000-0000-000000000000'::uuid))`);
    await q.query(`
      CREATE TABLE assessment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        device_model_id uuid NOT NULL REFERENCES device_model (id),
        supplier_id uuid NOT NULL REFERENCES supplier (id),
        trial_id uuid REFERENCES trial (id),
        device_config_id uuid REFERENCES device_config (id),
        config jsonb,
        scale_id text NOT NULL,
        criteria_set_id text NOT NULL,
        claimed_level integer NOT NULL,
        level_reached integer NOT NULL,
        responses jsonb NOT NULL,
        assessor_id uuid NOT NULL,
        assessed_at timestamptz NOT NULL,
        notes text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (device_config_id IS NOT NULL OR config IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX assessment_model ON assessment (device_model_id, assessed_at)`);
    await q.query(`
      CREATE TABLE report_template (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        version integer NOT NULL CHECK (version >= 1),
        sections jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (name, version)
      )`);
    await q.query(`
      CREATE TABLE report (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trial_id uuid NOT NULL REFERENCES trial (id),
        supplier_id uuid NOT NULL REFERENCES supplier (id),
        template_id uuid NOT NULL REFERENCES report_template (id),
        title text NOT NULL,
        status text NOT NULL CHECK (status IN ('submitted', 'changes-requested', 'resubmitted', 'accepted')),
        current_version integer NOT NULL CHECK (current_version >= 1),
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE report_version (
        report_id uuid NOT NULL REFERENCES report (id),
        version integer NOT NULL CHECK (version >= 1),
        sections jsonb NOT NULL,
        attachment_hashes text[] NOT NULL DEFAULT '{}',
        submitted_by uuid NOT NULL,
        submitted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (report_id, version)
      )`);
    await q.query(`
      CREATE TABLE review (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        report_id uuid NOT NULL REFERENCES report (id),
        version integer NOT NULL,
        decision text NOT NULL CHECK (decision IN ('changes-requested', 'accepted')),
        comments jsonb NOT NULL DEFAULT '{}',
        reviewer_id uuid NOT NULL,
        reviewed_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (report_id, version) REFERENCES report_version (report_id, version)
      )`);
    await q.query(`
      CREATE TABLE survey_template (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        version integer NOT NULL CHECK (version >= 1),
        items jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (name, version)
      )`);
    await q.query(`
      CREATE TABLE feedback (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        template_id uuid NOT NULL REFERENCES survey_template (id),
        trial_id uuid NOT NULL REFERENCES trial (id),
        session_id uuid NOT NULL REFERENCES session (id),
        worker_id uuid NOT NULL REFERENCES worker (id),
        supplier_id uuid REFERENCES supplier (id),
        answers jsonb NOT NULL,
        recorded_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (template_id, session_id, worker_id)
      )`);
    await q.query(`COMMENT ON TABLE feedback IS 'pseudonymous: worker ids only, never names'`);
    for (const table of IMMUTABLE) {
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION lookout_refuse_change()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION lookout_refuse_change()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE feedback, survey_template, review, report_version, report, report_template,
      assessment, attachment, evidence`);
    await q.query(`DROP FUNCTION lookout_refuse_change`);
  }
}
