import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trial domain: organisations and users, trials and their sites, device models, devices and their
 * configurations, pseudonymous workers, enrolments, versioned zones with provenance and check points,
 * scenarios, sessions, criteria, and the audit log.
 */
export class TrialDomain1763700000002 implements MigrationInterface {
  name = 'TrialDomain1763700000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE supplier (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // "user" is a reserved word in SQL; the table is app_user.
    await q.query(`
      CREATE TABLE app_user (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('manager', 'supplier', 'viewer')),
        supplier_id uuid REFERENCES supplier (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((role = 'supplier') = (supplier_id IS NOT NULL))
      )`);
    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        user_id uuid,
        user_email text,
        action text NOT NULL,
        resource text NOT NULL,
        resource_id text,
        status integer NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX audit_log_at ON audit_log (at)`);
    await q.query(`
      CREATE TABLE trial (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        sponsor text NOT NULL,
        status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'closed')),
        phases jsonb NOT NULL DEFAULT '[]',
        dpia_reference text,
        retention_days integer NOT NULL DEFAULT 365 CHECK (retention_days > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (status = 'draft' OR dpia_reference IS NOT NULL)
      )`);
    await q.query(`
      CREATE TABLE trial_supplier (
        trial_id uuid NOT NULL REFERENCES trial (id) ON DELETE CASCADE,
        supplier_id uuid NOT NULL REFERENCES supplier (id),
        PRIMARY KEY (trial_id, supplier_id)
      )`);
    await q.query(`
      CREATE TABLE site (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trial_id uuid NOT NULL REFERENCES trial (id) ON DELETE CASCADE,
        name text NOT NULL,
        route text NOT NULL,
        elr text NOT NULL,
        mileage_from numeric(9, 4) NOT NULL,
        mileage_to numeric(9, 4) NOT NULL,
        environment text NOT NULL CHECK (environment IN ('open', 'cutting', 'bridge', 'tunnel-portal', 'station')),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (mileage_to >= mileage_from)
      )`);
    await q.query(`
      CREATE TABLE device_model (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        supplier_id uuid NOT NULL REFERENCES supplier (id),
        name text NOT NULL,
        codec text NOT NULL DEFAULT 'canonical-json',
        accepted_config jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (supplier_id, name)
      )`);
    await q.query(
      `COMMENT ON COLUMN device_model.accepted_config IS 'the configuration certified for this model; drift is any difference from it'`,
    );
    await q.query(`ALTER TABLE device ADD COLUMN serial text`);
    await q.query(`ALTER TABLE device ADD COLUMN model_id uuid REFERENCES device_model (id)`);
    await q.query(`ALTER TABLE device ADD COLUMN credential_hash text`);
    await q.query(`ALTER TABLE device ADD COLUMN credential_issued_at timestamptz`);
    await q.query(
      `CREATE UNIQUE INDEX device_model_serial ON device (model_id, serial) WHERE serial IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE device_config (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        device_id text NOT NULL REFERENCES device (id) ON DELETE CASCADE,
        hardware_revision text NOT NULL,
        firmware text NOT NULL,
        app_version text NOT NULL,
        gnss_receiver text NOT NULL,
        correction_service text NOT NULL,
        alert_mode text NOT NULL,
        effective_from timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (device_id, effective_from)
      )`);
    await q.query(`
      CREATE TABLE worker (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trial_id uuid NOT NULL REFERENCES trial (id) ON DELETE CASCADE,
        code text NOT NULL CHECK (code ~ '^W-[0-9A-Z]{4,12}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (trial_id, code)
      )`);
    await q.query(
      `COMMENT ON TABLE worker IS 'pseudonymous worker codes only: no names are stored anywhere'`,
    );
    await q.query(`
      CREATE TABLE enrolment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trial_id uuid NOT NULL REFERENCES trial (id) ON DELETE CASCADE,
        device_id text NOT NULL REFERENCES device (id),
        worker_id uuid REFERENCES worker (id),
        valid_from timestamptz NOT NULL,
        valid_to timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (valid_to IS NULL OR valid_to > valid_from)
      )`);
    // Zones: the existing rows become version 1 of themselves.
    await q.query(`ALTER TABLE zone ADD COLUMN trial_id uuid REFERENCES trial (id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE zone ADD COLUMN site_id uuid REFERENCES site (id)`);
    await q.query(`
      CREATE TABLE zone_version (
        zone_id uuid NOT NULL REFERENCES zone (id) ON DELETE CASCADE,
        version integer NOT NULL CHECK (version >= 1),
        kind text NOT NULL CHECK (kind IN ('safe', 'danger')),
        geometry jsonb NOT NULL,
        half_width_m double precision CHECK (half_width_m IS NULL OR half_width_m > 0),
        applies_to text[] NOT NULL DEFAULT '{}',
        windows jsonb NOT NULL DEFAULT '[]',
        source text NOT NULL CHECK (source IN ('survey', 'drawing', 'import', 'migration')),
        author text NOT NULL,
        method text NOT NULL DEFAULT '',
        notes text NOT NULL DEFAULT '',
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (zone_id, version)
      )`);
    await q.query(`
      INSERT INTO zone_version (zone_id, version, kind, geometry, applies_to, windows, source, author)
      SELECT id, version, kind, geometry, applies_to,
             CASE WHEN valid_from IS NULL AND valid_to IS NULL THEN '[]'::jsonb
                  ELSE jsonb_build_array(jsonb_build_object('from', valid_from, 'to', valid_to)) END,
             'migration', 'migration'
      FROM zone`);
    await q.query(`CREATE INDEX zone_version_created_at ON zone_version (zone_id, created_at)`);
    // The zone row keeps identity and the pointer to its published version; everything else is versioned.
    await q.query(`ALTER TABLE zone RENAME COLUMN version TO current_version`);
    await q.query(`ALTER TABLE zone DROP COLUMN kind, DROP COLUMN geometry, DROP COLUMN applies_to,
      DROP COLUMN valid_from, DROP COLUMN valid_to`);
    await q.query(`
      CREATE TABLE check_point (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        zone_id uuid NOT NULL REFERENCES zone (id) ON DELETE CASCADE,
        name text NOT NULL,
        lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
        lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
        expected text NOT NULL CHECK (expected IN ('inside', 'outside')),
        surveyed_by text NOT NULL,
        surveyed_at timestamptz NOT NULL,
        accuracy_m double precision NOT NULL DEFAULT 0.05,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (zone_id, name)
      )`);
    await q.query(`
      CREATE TABLE scenario (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trial_id uuid NOT NULL REFERENCES trial (id) ON DELETE CASCADE,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        steps jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (trial_id, name)
      )`);
    await q.query(`
      CREATE TABLE session (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trial_id uuid NOT NULL REFERENCES trial (id) ON DELETE CASCADE,
        site_id uuid NOT NULL REFERENCES site (id),
        scenario_id uuid REFERENCES scenario (id),
        planned_start timestamptz NOT NULL,
        planned_end timestamptz NOT NULL,
        actual_start timestamptz,
        actual_end timestamptz,
        status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'running', 'completed', 'aborted')),
        device_ids text[] NOT NULL DEFAULT '{}',
        worker_ids uuid[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (planned_end > planned_start)
      )`);
    await q.query(`
      CREATE TABLE criterion (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trial_id uuid NOT NULL REFERENCES trial (id) ON DELETE CASCADE,
        metric text NOT NULL,
        comparator text NOT NULL CHECK (comparator IN ('<', '<=', '>', '>=', '=')),
        threshold double precision NOT NULL,
        unit text NOT NULL,
        description text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Criteria are fixed before the trial starts: the database refuses changes once it is active.
    await q.query(`
      CREATE FUNCTION criterion_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM trial WHERE id = COALESCE(NEW.trial_id, OLD.trial_id) AND status <> 'draft') THEN
          RAISE EXCEPTION 'criteria of trial % are fixed once the trial is active', COALESCE(NEW.trial_id, OLD.trial_id)
            USING ERRCODE = 'P0001';
        END IF;
        RETURN COALESCE(NEW, OLD);
      END $$`);
    await q.query(`
      CREATE TRIGGER criterion_frozen BEFORE INSERT OR UPDATE OR DELETE ON criterion
      FOR EACH ROW EXECUTE FUNCTION criterion_frozen()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE criterion, session, scenario, check_point, enrolment, worker, device_config,
      trial_supplier, audit_log, app_user CASCADE`);
    await q.query(`DROP FUNCTION criterion_frozen`);
    await q.query(`ALTER TABLE zone ADD COLUMN kind text, ADD COLUMN geometry jsonb, ADD COLUMN applies_to text[]
      NOT NULL DEFAULT '{}', ADD COLUMN valid_from timestamptz, ADD COLUMN valid_to timestamptz`);
    await q.query(`UPDATE zone z SET kind = v.kind, geometry = v.geometry, applies_to = v.applies_to
      FROM zone_version v WHERE v.zone_id = z.id AND v.version = z.current_version`);
    await q.query(`ALTER TABLE zone RENAME COLUMN current_version TO version`);
    await q.query(`ALTER TABLE zone DROP COLUMN trial_id, DROP COLUMN site_id`);
    await q.query(`DROP TABLE zone_version, site`);
    await q.query(`DROP INDEX device_model_serial`);
    await q.query(`ALTER TABLE device DROP COLUMN serial, DROP COLUMN model_id, DROP COLUMN credential_hash,
      DROP COLUMN credential_issued_at`);
    await q.query(`DROP TABLE device_model, trial, supplier CASCADE`);
  }
}
