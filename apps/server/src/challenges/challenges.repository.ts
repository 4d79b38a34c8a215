import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { z } from 'zod';
import type { Role } from '../auth/principal.js';
import type { DeviceConfiguration } from '../devices/device.entity.js';
import type {
  challengeInputSchema,
  challengeUpdateSchema,
  competitionInputSchema,
  criterionSchema,
  phaseUpdateSchema,
  submissionInputSchema,
} from './challenges.dto.js';

export interface ChallengeRow {
  id: string;
  title: string;
  statement: string;
  ownerOrganisation: string;
  outcomesWanted: string[];
  constraints: string[];
  budgetGbp: number;
  timeline: { milestone: string; date: string }[];
  status: 'draft' | 'published';
  createdAt: Date;
}

export interface CompetitionRow {
  id: string;
  challengeId: string;
  title: string;
  type: 'design-contest' | 'sbri' | 'open-call';
  status: 'draft' | 'open' | 'closed';
  eligibilityQuestions: { key: string; question: string }[];
  openedAt: Date | null;
  createdAt: Date;
}

export interface PhaseRow {
  id: string;
  competitionId: string;
  position: number;
  name: string;
  opensAt: Date;
  closesAt: Date;
  budgetPerAwardGbp: number;
  awards: number;
  moderatedAt: Date | null;
}

export interface CriterionRow {
  id: string;
  competitionId: string;
  position: number;
  name: string;
  description: string;
  weight: number;
}

export interface JurorRow {
  competitionId: string;
  userId: string;
  email: string;
  role: Role;
  conflictSupplierIds: string[];
  declaration: string | null;
  declaredAt: Date | null;
}

export interface SubmissionRow {
  id: string;
  competitionId: string;
  phaseId: string;
  supplierId: string;
  supplierName: string;
  productName: string;
  solutionSummary: string;
  claimedTrl: number;
  trlEvidenceRefs: string[];
  attachmentSha256: string[];
  deviceConfiguration: DeviceConfiguration;
  eligibilityAnswers: Record<string, string>;
  submittedAt: Date;
}

export interface ScoreRow {
  submissionId: string;
  criterionId: string;
  jurorId: string;
  score: number;
  comment: string;
  scoredAt: Date;
}

export interface ModeratedScoreRow {
  submissionId: string;
  criterionId: string;
  score: number;
  reason: string;
  moderatedAt: Date;
}

export interface SelectionRow {
  submissionId: string;
  competitionId: string;
  trialId: string;
  supplierId: string;
  deviceModelId: string;
  claimedTrl: number;
  entryTrl: number;
  selectedAt: Date;
}

export interface OutcomeRow {
  id: string;
  challengeId: string;
  trialId: string;
  supplierId: string;
  entryTrl: number;
  exitTrl: number;
  recommendation: 'service-contract' | 'further-development' | 'stop';
  results: string;
  acceptanceReferences: string[];
  recordedAt: Date;
}

export interface TrialSummary {
  id: string;
  name: string;
  status: 'draft' | 'active' | 'closed';
}

const CHALLENGE = `id, title, statement, owner_organisation AS "ownerOrganisation", outcomes_wanted AS "outcomesWanted",
  constraints, budget_gbp::float8 AS "budgetGbp", timeline, status, created_at AS "createdAt"`;
const COMPETITION = `c.id, c.challenge_id AS "challengeId", c.title, c.type, c.status,
  c.eligibility_questions AS "eligibilityQuestions", c.opened_at AS "openedAt", c.created_at AS "createdAt"`;
const PHASE = `id, competition_id AS "competitionId", position, name, opens_at AS "opensAt", closes_at AS "closesAt",
  budget_per_award_gbp::float8 AS "budgetPerAwardGbp", awards, moderated_at AS "moderatedAt"`;
const CRITERION = `id, competition_id AS "competitionId", position, name, description, weight`;
const SUBMISSION = `s.id, s.competition_id AS "competitionId", s.phase_id AS "phaseId", s.supplier_id AS "supplierId",
  sup.name AS "supplierName", s.product_name AS "productName", s.solution_summary AS "solutionSummary",
  s.claimed_trl AS "claimedTrl", s.trl_evidence_refs AS "trlEvidenceRefs", s.attachment_sha256 AS "attachmentSha256",
  s.device_config AS "deviceConfiguration", s.eligibility_answers AS "eligibilityAnswers",
  s.submitted_at AS "submittedAt"`;
const SELECTION = `submission_id AS "submissionId", competition_id AS "competitionId", trial_id AS "trialId",
  supplier_id AS "supplierId", device_model_id AS "deviceModelId", claimed_trl AS "claimedTrl",
  entry_trl AS "entryTrl", selected_at AS "selectedAt"`;
const OUTCOME = `id, challenge_id AS "challengeId", trial_id AS "trialId", supplier_id AS "supplierId",
  entry_trl AS "entryTrl", exit_trl AS "exitTrl", recommendation, results,
  acceptance_references AS "acceptanceReferences", recorded_at AS "recordedAt"`;

type Runner = Pick<EntityManager, 'query'>;

/** Every SQL statement of the challenges domain. Services hold the rules; this holds the I/O. */
@Injectable()
export class ChallengesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (tx: Runner) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(manager));
  }

  private async rows<T>(sql: string, values: unknown[] = [], runner: Runner = this.dataSource): Promise<T[]> {
    return (await runner.query(sql, values)) as T[];
  }

  // Challenges

  async insertChallenge(input: z.output<typeof challengeInputSchema>, createdBy: string) {
    const [row] = await this.rows<ChallengeRow>(
      `INSERT INTO challenge (title, statement, owner_organisation, outcomes_wanted, constraints, budget_gbp,
         timeline, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${CHALLENGE}`,
      [
        input.title,
        input.statement,
        input.ownerOrganisation,
        input.outcomesWanted,
        input.constraints,
        input.budgetGbp,
        JSON.stringify(input.timeline),
        createdBy,
      ],
    );
    return row!;
  }

  async challenge(id: string): Promise<ChallengeRow | undefined> {
    return (await this.rows<ChallengeRow>(`SELECT ${CHALLENGE} FROM challenge WHERE id = $1`, [id]))[0];
  }

  async listChallenges(status: string | null, limit: number, offset: number) {
    const items = await this.rows<ChallengeRow>(
      `SELECT ${CHALLENGE} FROM challenge WHERE ($1::text IS NULL OR status = $1)
       ORDER BY created_at LIMIT $2 OFFSET $3`,
      [status, limit, offset],
    );
    const [{ total }] = (await this.rows<{ total: number }>(
      `SELECT count(*)::int AS total FROM challenge WHERE ($1::text IS NULL OR status = $1)`,
      [status],
    )) as [{ total: number }];
    return { items, total, limit, offset };
  }

  async updateChallenge(id: string, patch: z.output<typeof challengeUpdateSchema>) {
    await this.rows(
      `UPDATE challenge SET title = COALESCE($2, title), statement = COALESCE($3, statement),
         owner_organisation = COALESCE($4, owner_organisation), outcomes_wanted = COALESCE($5, outcomes_wanted),
         constraints = COALESCE($6, constraints), budget_gbp = COALESCE($7, budget_gbp),
         timeline = COALESCE($8, timeline), status = COALESCE($9, status) WHERE id = $1`,
      [
        id,
        patch.title ?? null,
        patch.statement ?? null,
        patch.ownerOrganisation ?? null,
        patch.outcomesWanted ?? null,
        patch.constraints ?? null,
        patch.budgetGbp ?? null,
        patch.timeline ? JSON.stringify(patch.timeline) : null,
        patch.status ?? null,
      ],
    );
  }

  // Competitions, phases, criteria

  async insertCompetition(input: z.output<typeof competitionInputSchema>): Promise<string> {
    return this.transaction(async (tx) => {
      const [row] = await this.rows<{ id: string }>(
        `INSERT INTO competition (challenge_id, title, type, eligibility_questions) VALUES ($1, $2, $3, $4)
         RETURNING id`,
        [input.challengeId, input.title, input.type, JSON.stringify(input.eligibilityQuestions)],
        tx,
      );
      for (const [position, phase] of input.phases.entries()) {
        await tx.query(
          `INSERT INTO competition_phase (competition_id, position, name, opens_at, closes_at, budget_per_award_gbp,
             awards) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            row!.id,
            position,
            phase.name,
            phase.opensAt,
            phase.closesAt,
            phase.budgetPerAwardGbp,
            phase.awards,
          ],
        );
      }
      await this.insertCriteria(tx, row!.id, input.criteria);
      return row!.id;
    });
  }

  private async insertCriteria(
    tx: Runner,
    competitionId: string,
    criteria: z.output<typeof criterionSchema>[],
  ) {
    for (const [position, criterion] of criteria.entries()) {
      await tx.query(
        `INSERT INTO competition_criterion (competition_id, position, name, description, weight)
         VALUES ($1, $2, $3, $4, $5)`,
        [competitionId, position, criterion.name, criterion.description, criterion.weight],
      );
    }
  }

  /** Replaces the whole set; the trigger refuses it once the competition has opened. */
  async replaceCriteria(competitionId: string, criteria: z.output<typeof criterionSchema>[]) {
    await this.transaction(async (tx) => {
      await tx.query(`DELETE FROM competition_criterion WHERE competition_id = $1`, [competitionId]);
      await this.insertCriteria(tx, competitionId, criteria);
    });
  }

  async competition(id: string): Promise<CompetitionRow | undefined> {
    return (
      await this.rows<CompetitionRow>(`SELECT ${COMPETITION} FROM competition c WHERE c.id = $1`, [id])
    )[0];
  }

  async competitionsOf(challengeIds: readonly string[], includeDrafts: boolean): Promise<CompetitionRow[]> {
    return this.rows<CompetitionRow>(
      `SELECT ${COMPETITION} FROM competition c WHERE c.challenge_id = ANY($1) AND ($2 OR c.status <> 'draft')
       ORDER BY c.created_at`,
      [challengeIds, includeDrafts],
    );
  }

  async listCompetitions(challengeId: string | null, includeDrafts: boolean, limit: number, offset: number) {
    const where = `($1::uuid IS NULL OR c.challenge_id = $1) AND ($2 OR (c.status <> 'draft' AND EXISTS
      (SELECT 1 FROM challenge ch WHERE ch.id = c.challenge_id AND ch.status = 'published')))`;
    const items = await this.rows<CompetitionRow>(
      `SELECT ${COMPETITION} FROM competition c WHERE ${where}
       ORDER BY c.created_at LIMIT $3 OFFSET $4`,
      [challengeId, includeDrafts, limit, offset],
    );
    const [{ total }] = (await this.rows<{ total: number }>(
      `SELECT count(*)::int AS total FROM competition c WHERE ${where}`,
      [challengeId, includeDrafts],
    )) as [{ total: number }];
    return { items, total, limit, offset };
  }

  async setCompetitionStatus(id: string, status: 'open' | 'closed') {
    await this.rows(
      `UPDATE competition SET status = $2, opened_at = COALESCE(opened_at, now()) WHERE id = $1`,
      [id, status],
    );
  }

  async phases(competitionId: string): Promise<PhaseRow[]> {
    return this.rows<PhaseRow>(
      `SELECT ${PHASE} FROM competition_phase WHERE competition_id = $1 ORDER BY position`,
      [competitionId],
    );
  }

  async phase(id: string): Promise<PhaseRow | undefined> {
    return (await this.rows<PhaseRow>(`SELECT ${PHASE} FROM competition_phase WHERE id = $1`, [id]))[0];
  }

  async updatePhase(id: string, patch: z.output<typeof phaseUpdateSchema>) {
    await this.rows(
      `UPDATE competition_phase SET opens_at = COALESCE($2, opens_at), closes_at = COALESCE($3, closes_at),
         budget_per_award_gbp = COALESCE($4, budget_per_award_gbp), awards = COALESCE($5, awards) WHERE id = $1`,
      [
        id,
        patch.opensAt ?? null,
        patch.closesAt ?? null,
        patch.budgetPerAwardGbp ?? null,
        patch.awards ?? null,
      ],
    );
  }

  async criteria(competitionId: string): Promise<CriterionRow[]> {
    return this.rows<CriterionRow>(
      `SELECT ${CRITERION} FROM competition_criterion WHERE competition_id = $1 ORDER BY position`,
      [competitionId],
    );
  }

  // Jurors

  async userRole(userId: string): Promise<Role | undefined> {
    return (await this.rows<{ role: Role }>(`SELECT role FROM app_user WHERE id = $1`, [userId]))[0]?.role;
  }

  async addJuror(competitionId: string, userId: string) {
    await this.rows(
      `INSERT INTO competition_juror (competition_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [competitionId, userId],
    );
  }

  async jurors(competitionId: string): Promise<JurorRow[]> {
    return this.rows<JurorRow>(
      `SELECT j.competition_id AS "competitionId", j.user_id AS "userId", u.email, u.role,
         j.conflict_supplier_ids AS "conflictSupplierIds", j.declaration, j.declared_at AS "declaredAt"
       FROM competition_juror j JOIN app_user u ON u.id = j.user_id WHERE j.competition_id = $1
       ORDER BY j.assigned_at, u.email`,
      [competitionId],
    );
  }

  async declare(competitionId: string, userId: string, conflictSupplierIds: string[], statement: string) {
    await this.rows(
      `UPDATE competition_juror SET conflict_supplier_ids = $3, declaration = $4, declared_at = now()
       WHERE competition_id = $1 AND user_id = $2`,
      [competitionId, userId, conflictSupplierIds, statement],
    );
  }

  // Submissions

  async insertSubmission(
    input: z.output<typeof submissionInputSchema>,
    competitionId: string,
    supplierId: string,
    submittedBy: string,
    submittedAt: Date,
  ): Promise<string> {
    const [row] = await this.rows<{ id: string }>(
      `INSERT INTO submission (competition_id, phase_id, supplier_id, product_name, solution_summary, claimed_trl,
         trl_evidence_refs, attachment_sha256, device_config, eligibility_answers, submitted_by, submitted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [
        competitionId,
        input.phaseId,
        supplierId,
        input.productName,
        input.solutionSummary,
        input.claimedTrl,
        input.trlEvidenceRefs,
        input.attachmentSha256,
        JSON.stringify(input.deviceConfiguration),
        JSON.stringify(input.eligibilityAnswers),
        submittedBy,
        submittedAt,
      ],
    );
    return row!.id;
  }

  async submissions(filter: {
    ids?: readonly string[];
    competitionIds?: readonly string[];
    phaseId?: string;
    supplierId?: string;
  }): Promise<SubmissionRow[]> {
    return this.rows<SubmissionRow>(
      `SELECT ${SUBMISSION} FROM submission s JOIN supplier sup ON sup.id = s.supplier_id
       WHERE ($1::uuid[] IS NULL OR s.id = ANY($1)) AND ($2::uuid[] IS NULL OR s.competition_id = ANY($2))
         AND ($3::uuid IS NULL OR s.phase_id = $3) AND ($4::uuid IS NULL OR s.supplier_id = $4)
       ORDER BY s.submitted_at, s.id`,
      [filter.ids ?? null, filter.competitionIds ?? null, filter.phaseId ?? null, filter.supplierId ?? null],
    );
  }

  // Scores

  async upsertScores(
    submissionId: string,
    jurorId: string,
    scores: { criterionId: string; score: number; comment: string }[],
  ) {
    await this.transaction(async (tx) => {
      for (const score of scores) {
        await tx.query(
          `INSERT INTO submission_score (submission_id, criterion_id, juror_id, score, comment)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (submission_id, criterion_id, juror_id)
           DO UPDATE SET score = EXCLUDED.score, comment = EXCLUDED.comment, scored_at = now()`,
          [submissionId, score.criterionId, jurorId, score.score, score.comment],
        );
      }
    });
  }

  async scores(submissionIds: readonly string[]): Promise<ScoreRow[]> {
    return this.rows<ScoreRow>(
      `SELECT submission_id AS "submissionId", criterion_id AS "criterionId", juror_id AS "jurorId",
         score::float8 AS score, comment, scored_at AS "scoredAt"
       FROM submission_score WHERE submission_id = ANY($1) ORDER BY juror_id, criterion_id`,
      [submissionIds],
    );
  }

  async moderatedScores(submissionIds: readonly string[]): Promise<ModeratedScoreRow[]> {
    return this.rows<ModeratedScoreRow>(
      `SELECT submission_id AS "submissionId", criterion_id AS "criterionId", score::float8 AS score, reason,
         moderated_at AS "moderatedAt" FROM moderated_score WHERE submission_id = ANY($1)`,
      [submissionIds],
    );
  }

  /** Records every agreed score and marks the phase moderated, or nothing at all. */
  async moderate(
    phaseId: string,
    moderatedBy: string,
    scores: { submissionId: string; criterionId: string; score: number; reason: string }[],
  ) {
    await this.transaction(async (tx) => {
      for (const score of scores) {
        await tx.query(
          `INSERT INTO moderated_score (submission_id, criterion_id, score, reason, moderated_by)
           VALUES ($1, $2, $3, $4, $5)`,
          [score.submissionId, score.criterionId, score.score, score.reason, moderatedBy],
        );
      }
      await tx.query(`UPDATE competition_phase SET moderated_at = now(), moderated_by = $2 WHERE id = $1`, [
        phaseId,
        moderatedBy,
      ]);
    });
  }

  // Selection and outcomes

  async trial(id: string, runner: Runner = this.dataSource): Promise<TrialSummary | undefined> {
    return (
      await this.rows<TrialSummary>(`SELECT id, name, status FROM trial WHERE id = $1`, [id], runner)
    )[0];
  }

  async trials(ids: readonly string[]): Promise<TrialSummary[]> {
    return this.rows<TrialSummary>(
      `SELECT id, name, status FROM trial WHERE id = ANY($1) ORDER BY created_at`,
      [ids],
    );
  }

  /**
   * One transaction: each selected submission's supplier joins the trial, its product becomes a device model
   * of that supplier (the existing one if the supplier already has a model of that name), and the selection
   * links trial, supplier and model back to the submission with its claimed and entry TRL.
   */
  async select(
    competitionId: string,
    trialId: string,
    selectedBy: string,
    picks: { submission: SubmissionRow; entryTrl: number }[],
  ): Promise<SelectionRow[]> {
    return this.transaction(async (tx) => {
      const selected: SelectionRow[] = [];
      for (const { submission, entryTrl } of picks) {
        await tx.query(
          `INSERT INTO trial_supplier (trial_id, supplier_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
          [trialId, submission.supplierId],
        );
        const [model] = await this.rows<{ id: string }>(
          `INSERT INTO device_model (supplier_id, name) VALUES ($1, $2)
           ON CONFLICT (supplier_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
          [submission.supplierId, submission.productName],
          tx,
        );
        const [row] = await this.rows<SelectionRow>(
          `INSERT INTO challenge_selection (submission_id, competition_id, trial_id, supplier_id, device_model_id,
             claimed_trl, entry_trl, selected_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${SELECTION}`,
          [
            submission.id,
            competitionId,
            trialId,
            submission.supplierId,
            model!.id,
            submission.claimedTrl,
            entryTrl,
            selectedBy,
          ],
          tx,
        );
        selected.push(row!);
      }
      return selected;
    });
  }

  async selections(filter: {
    competitionIds?: readonly string[];
    trialId?: string;
  }): Promise<SelectionRow[]> {
    return this.rows<SelectionRow>(
      `SELECT ${SELECTION} FROM challenge_selection
       WHERE ($1::uuid[] IS NULL OR competition_id = ANY($1)) AND ($2::uuid IS NULL OR trial_id = $2)
       ORDER BY selected_at, supplier_id`,
      [filter.competitionIds ?? null, filter.trialId ?? null],
    );
  }

  async insertOutcomes(
    challengeId: string,
    trialId: string,
    recordedBy: string,
    results: {
      supplierId: string;
      entryTrl: number;
      exitTrl: number;
      recommendation: string;
      results: string;
      acceptanceReferences: string[];
    }[],
  ): Promise<OutcomeRow[]> {
    return this.transaction(async (tx) => {
      const rows: OutcomeRow[] = [];
      for (const result of results) {
        const [row] = await this.rows<OutcomeRow>(
          `INSERT INTO challenge_outcome (challenge_id, trial_id, supplier_id, entry_trl, exit_trl, recommendation,
             results, acceptance_references, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           RETURNING ${OUTCOME}`,
          [
            challengeId,
            trialId,
            result.supplierId,
            result.entryTrl,
            result.exitTrl,
            result.recommendation,
            result.results,
            result.acceptanceReferences,
            recordedBy,
          ],
          tx,
        );
        rows.push(row!);
      }
      return rows;
    });
  }

  async outcomes(challengeId: string): Promise<OutcomeRow[]> {
    return this.rows<OutcomeRow>(
      `SELECT ${OUTCOME} FROM challenge_outcome WHERE challenge_id = $1 ORDER BY recorded_at, supplier_id`,
      [challengeId],
    );
  }
}
