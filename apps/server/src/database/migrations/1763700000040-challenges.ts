import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Challenge-led procurement before a trial: a challenge (the problem, never a product), its competitions
 * (design contest, SBRI, open call) with phases, weighted criteria, eligibility questions and jurors with
 * conflict-of-interest declarations; supplier submissions; blind jury scores and moderated scores; the
 * selection of submissions into a trial; and the outcome recorded against the challenge when the trial
 * closes. The database itself refuses criteria changes once a competition opens, opening a competition
 * whose weights do not sum to 100, and submissions outside a phase's window.
 */
export class Challenges1763700000040 implements MigrationInterface {
  name = 'Challenges1763700000040';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE challenge (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        title text NOT NULL,
        statement text NOT NULL,
        owner_organisation text NOT NULL,
        outcomes_wanted text[] NOT NULL,
        constraints text[] NOT NULL DEFAULT '{}',
        budget_gbp numeric(14, 2) NOT NULL CHECK (budget_gbp >= 0),
        timeline jsonb NOT NULL DEFAULT '[]',
        status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (cardinality(outcomes_wanted) >= 1)
      )`);
    await q.query(`
      CREATE TABLE competition (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        challenge_id uuid NOT NULL REFERENCES challenge (id),
        title text NOT NULL,
        type text NOT NULL CHECK (type IN ('design-contest', 'sbri', 'open-call')),
        status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
        eligibility_questions jsonb NOT NULL DEFAULT '[]',
        opened_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'draft') = (opened_at IS NULL))
      )`);
    await q.query(`
      CREATE TABLE competition_phase (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        competition_id uuid NOT NULL REFERENCES competition (id) ON DELETE CASCADE,
        position integer NOT NULL,
        name text NOT NULL,
        opens_at timestamptz NOT NULL,
        closes_at timestamptz NOT NULL,
        budget_per_award_gbp numeric(14, 2) NOT NULL CHECK (budget_per_award_gbp >= 0),
        awards integer NOT NULL DEFAULT 1 CHECK (awards >= 1),
        moderated_at timestamptz,
        moderated_by uuid,
        UNIQUE (competition_id, position),
        UNIQUE (competition_id, name),
        CHECK (closes_at > opens_at)
      )`);
    await q.query(`
      CREATE TABLE competition_criterion (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        competition_id uuid NOT NULL REFERENCES competition (id) ON DELETE CASCADE,
        position integer NOT NULL,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        weight integer NOT NULL CHECK (weight BETWEEN 1 AND 100),
        UNIQUE (competition_id, name)
      )`);
    // Criteria are part of the published rules: once the competition opens nobody may re-weight them.
    await q.query(`
      CREATE FUNCTION competition_criterion_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM competition
                   WHERE id = COALESCE(NEW.competition_id, OLD.competition_id) AND status <> 'draft') THEN
          RAISE EXCEPTION 'criteria of competition % are frozen once it opens',
            COALESCE(NEW.competition_id, OLD.competition_id) USING ERRCODE = 'P0001';
        END IF;
        RETURN COALESCE(NEW, OLD);
      END $$`);
    await q.query(`
      CREATE TRIGGER competition_criterion_frozen BEFORE INSERT OR UPDATE OR DELETE ON competition_criterion
      FOR EACH ROW EXECUTE FUNCTION competition_criterion_frozen()`);
    await q.query(`
      CREATE FUNCTION competition_open_check() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE total integer;
      BEGIN
        IF OLD.status = 'draft' AND NEW.status <> 'draft' THEN
          SELECT COALESCE(sum(weight), 0) INTO total FROM competition_criterion WHERE competition_id = NEW.id;
          IF total <> 100 THEN
            RAISE EXCEPTION 'competition % cannot open: criteria weights sum to %, not 100', NEW.id, total
              USING ERRCODE = 'P0001';
          END IF;
        END IF;
        IF OLD.status <> 'draft' AND NEW.status = 'draft' THEN
          RAISE EXCEPTION 'competition % has opened and cannot return to draft', NEW.id USING ERRCODE = 'P0001';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER competition_open_check BEFORE UPDATE OF status ON competition
      FOR EACH ROW EXECUTE FUNCTION competition_open_check()`);
    await q.query(`
      CREATE TABLE competition_juror (
        competition_id uuid NOT NULL REFERENCES competition (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES app_user (id),
        conflict_supplier_ids uuid[] NOT NULL DEFAULT '{}',
        declaration text,
        declared_at timestamptz,
        assigned_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (competition_id, user_id)
      )`);
    await q.query(`
      CREATE TABLE submission (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        competition_id uuid NOT NULL REFERENCES competition (id),
        phase_id uuid NOT NULL REFERENCES competition_phase (id),
        supplier_id uuid NOT NULL REFERENCES supplier (id),
        product_name text NOT NULL,
        solution_summary text NOT NULL,
        claimed_trl integer NOT NULL CHECK (claimed_trl BETWEEN 1 AND 9),
        trl_evidence_refs text[] NOT NULL DEFAULT '{}',
        attachment_sha256 text[] NOT NULL DEFAULT '{}',
        device_config jsonb NOT NULL,
        eligibility_answers jsonb NOT NULL DEFAULT '{}',
        submitted_by uuid NOT NULL,
        submitted_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (phase_id, supplier_id)
      )`);
    // The deadline is enforced where the clock is: a submission arriving after closes_at is refused.
    await q.query(`
      CREATE FUNCTION submission_in_window() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE phase competition_phase;
      BEGIN
        SELECT * INTO phase FROM competition_phase WHERE id = NEW.phase_id;
        IF NEW.submitted_at > phase.closes_at THEN
          RAISE EXCEPTION 'submissions to phase "%" closed at %; this one arrived at %', phase.name,
            phase.closes_at, NEW.submitted_at USING ERRCODE = 'P0001';
        END IF;
        IF NEW.submitted_at < phase.opens_at THEN
          RAISE EXCEPTION 'submissions to phase "%" open at %', phase.name, phase.opens_at USING ERRCODE = 'P0001';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER submission_in_window BEFORE INSERT OR UPDATE ON submission
      FOR EACH ROW EXECUTE FUNCTION submission_in_window()`);
    await q.query(`
      CREATE TABLE submission_score (
        submission_id uuid NOT NULL REFERENCES submission (id) ON DELETE CASCADE,
        criterion_id uuid NOT NULL REFERENCES competition_criterion (id),
        juror_id uuid NOT NULL REFERENCES app_user (id),
        score numeric(4, 2) NOT NULL CHECK (score BETWEEN 0 AND 10),
        comment text NOT NULL DEFAULT '',
        scored_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (submission_id, criterion_id, juror_id)
      )`);
    await q.query(`
      CREATE TABLE moderated_score (
        submission_id uuid NOT NULL REFERENCES submission (id) ON DELETE CASCADE,
        criterion_id uuid NOT NULL REFERENCES competition_criterion (id),
        score numeric(4, 2) NOT NULL CHECK (score BETWEEN 0 AND 10),
        reason text NOT NULL CHECK (length(reason) > 0),
        moderated_by uuid NOT NULL,
        moderated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (submission_id, criterion_id)
      )`);
    await q.query(`
      CREATE TABLE challenge_selection (
        submission_id uuid PRIMARY KEY REFERENCES submission (id),
        competition_id uuid NOT NULL REFERENCES competition (id),
        trial_id uuid NOT NULL REFERENCES trial (id),
        supplier_id uuid NOT NULL REFERENCES supplier (id),
        device_model_id uuid NOT NULL REFERENCES device_model (id),
        claimed_trl integer NOT NULL CHECK (claimed_trl BETWEEN 1 AND 9),
        entry_trl integer NOT NULL CHECK (entry_trl BETWEEN 1 AND 9),
        selected_by uuid NOT NULL,
        selected_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (trial_id, supplier_id)
      )`);
    await q.query(`
      CREATE TABLE challenge_outcome (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        challenge_id uuid NOT NULL REFERENCES challenge (id),
        trial_id uuid NOT NULL REFERENCES trial (id),
        supplier_id uuid NOT NULL REFERENCES supplier (id),
        entry_trl integer NOT NULL CHECK (entry_trl BETWEEN 1 AND 9),
        exit_trl integer NOT NULL CHECK (exit_trl BETWEEN 1 AND 9),
        recommendation text NOT NULL CHECK (recommendation IN ('service-contract', 'further-development', 'stop')),
        results text NOT NULL,
        acceptance_references text[] NOT NULL DEFAULT '{}',
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (trial_id, supplier_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE challenge_outcome, challenge_selection, moderated_score, submission_score,
      submission, competition_juror, competition_criterion, competition_phase, competition, challenge`);
    await q.query(`DROP FUNCTION submission_in_window, competition_open_check, competition_criterion_frozen`);
  }
}
