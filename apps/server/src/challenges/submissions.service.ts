import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { type Principal, supplierScope } from '../auth/principal.js';
import { DomainException } from '../common/domain.exception.js';
import type {
  moderationInputSchema,
  scoresInputSchema,
  submissionInputSchema,
  submissionQuerySchema,
} from './challenges.dto.js';
import { ChallengesRepository, type PhaseRow, type SubmissionRow } from './challenges.repository.js';
import {
  assertInWindow,
  missingModeration,
  rankSubmissions,
  type ScoreViewer,
  visibleJurorScores,
} from './challenges.rules.js';
import {
  CompetitionsService,
  forbidden,
  invalidInput,
  invalidState,
  isBuyer,
} from './competitions.service.js';

export type RankingBasis = 'moderated' | 'juror-mean';

/** Submissions against a phase, blind jury scoring, moderation and the weighted ranking. */
@Injectable()
export class SubmissionsService {
  constructor(
    private readonly repository: ChallengesRepository,
    private readonly competitions: CompetitionsService,
  ) {}

  /** A supplier submits as itself; a manager may submit on a supplier's behalf (supplierId). */
  async create(principal: Principal, input: z.output<typeof submissionInputSchema>, now = new Date()) {
    const { phase, competition } = await this.competitions.visiblePhase(principal, input.phaseId);
    const supplierId = supplierScope(principal) ?? input.supplierId;
    if (!supplierId) throw invalidInput('supplierId', 'required when a manager submits for a supplier');
    if (competition.status !== 'open') {
      throw invalidState(`competition ${competition.id} is ${competition.status}, not open to submissions`);
    }
    const asked = new Set(competition.eligibilityQuestions.map((q) => q.key));
    for (const question of competition.eligibilityQuestions) {
      if (!input.eligibilityAnswers[question.key]) {
        throw invalidInput(`eligibilityAnswers.${question.key}`, `answer required: ${question.question}`);
      }
    }
    for (const key of Object.keys(input.eligibilityAnswers)) {
      if (!asked.has(key)) throw invalidInput(`eligibilityAnswers.${key}`, 'no such eligibility question');
    }
    assertInWindow(phase, now);
    const id = await this.repository.insertSubmission(
      input,
      competition.id,
      supplierId,
      principal.userId,
      now,
    );
    return this.get(principal, id);
  }

  async list(principal: Principal, query: z.output<typeof submissionQuerySchema>) {
    const rows = await this.repository.submissions({
      competitionIds: query.competitionId ? [query.competitionId] : undefined,
      phaseId: query.phaseId,
      supplierId: supplierScope(principal),
    });
    return {
      items: rows.slice(query.offset, query.offset + query.limit),
      total: rows.length,
      limit: query.limit,
      offset: query.offset,
    };
  }

  /** Another supplier's submission answers 404, as if it did not exist. */
  async get(principal: Principal, id: string): Promise<SubmissionRow> {
    const [submission] = await this.repository.submissions({
      ids: [id],
      supplierId: supplierScope(principal),
    });
    if (!submission) throw DomainException.notFound('submission', id);
    return submission;
  }

  private async scoreViewer(principal: Principal, competitionId: string): Promise<ScoreViewer> {
    if (!isBuyer(principal)) return { kind: 'supplier' };
    if (await this.competitions.juror(competitionId, principal.userId)) {
      return { kind: 'juror', userId: principal.userId };
    }
    return principal.role === 'manager' ? { kind: 'moderator' } : { kind: 'observer' };
  }

  /** A juror's scores for one submission, one per criterion; they may revise them until moderation. */
  async score(principal: Principal, submissionId: string, input: z.output<typeof scoresInputSchema>) {
    const submission = await this.get(principal, submissionId);
    const juror = await this.competitions.juror(submission.competitionId, principal.userId);
    if (!juror) throw forbidden(`you are not a juror on competition ${submission.competitionId}`);
    if (!juror.declaredAt) {
      throw invalidState(
        'declare your conflicts of interest (PUT /competitions/:id/jurors/me/declaration) first',
      );
    }
    if (juror.conflictSupplierIds.includes(submission.supplierId)) {
      throw forbidden(`you declared a conflict of interest with supplier ${submission.supplierId}`);
    }
    const phase = (await this.repository.phase(submission.phaseId))!;
    if (phase.moderatedAt) throw invalidState(`phase "${phase.name}" has been moderated; scores are final`);
    const criteria = new Set((await this.repository.criteria(submission.competitionId)).map((c) => c.id));
    input.scores.forEach((score, index) => {
      if (!criteria.has(score.criterionId)) {
        throw invalidInput(`scores.${index}.criterionId`, 'not a criterion of this competition');
      }
    });
    await this.repository.upsertScores(submissionId, principal.userId, input.scores);
    return this.scores(principal, submissionId);
  }

  /** Juror scores as the caller may see them (see visibleJurorScores), and the moderated ones once agreed. */
  async scores(principal: Principal, submissionId: string) {
    const submission = await this.get(principal, submissionId);
    const phase = (await this.repository.phase(submission.phaseId))!;
    const moderated = phase.moderatedAt !== null;
    const viewer = await this.scoreViewer(principal, submission.competitionId);
    const jurorScores = visibleJurorScores(viewer, moderated, await this.repository.scores([submissionId]));
    const moderatedScores = moderated ? await this.repository.moderatedScores([submissionId]) : [];
    return { submissionId, moderated, jurorScores, moderatedScores };
  }

  /** Records the agreed score and reason for every submission × criterion of the phase, all at once. */
  async moderate(principal: Principal, phaseId: string, input: z.output<typeof moderationInputSchema>) {
    const { phase, competition } = await this.competitions.visiblePhase(principal, phaseId);
    if (competition.status === 'draft') throw invalidState(`competition ${competition.id} has not opened`);
    if (phase.moderatedAt)
      throw invalidState(`phase "${phase.name}" was moderated at ${phase.moderatedAt.toISOString()}`);
    const submissionIds = (await this.repository.submissions({ phaseId })).map((s) => s.id);
    const criterionIds = (await this.repository.criteria(competition.id)).map((c) => c.id);
    const seen = new Set<string>();
    input.scores.forEach((score, index) => {
      if (!submissionIds.includes(score.submissionId)) {
        throw invalidInput(`scores.${index}.submissionId`, 'not a submission of this phase');
      }
      if (!criterionIds.includes(score.criterionId)) {
        throw invalidInput(`scores.${index}.criterionId`, 'not a criterion of this competition');
      }
      const key = `${score.submissionId}/${score.criterionId}`;
      if (seen.has(key)) throw invalidInput(`scores.${index}`, `${key} moderated twice`);
      seen.add(key);
    });
    const missing = missingModeration(submissionIds, criterionIds, input.scores);
    if (missing.length > 0) {
      throw invalidInput(
        'scores',
        `every submission × criterion needs an agreed score; missing ${missing.join(', ')}`,
      );
    }
    await this.repository.moderate(phaseId, principal.userId, input.scores);
    return this.ranking(principal, phaseId);
  }

  /**
   * The phase's ranking by weighted score. After moderation it uses the moderated scores and every buyer
   * may see it; before, it uses each criterion's mean of the jurors' scores, and only managers who are not
   * on the jury may see it (it would reveal other jurors' marks).
   */
  async ranking(principal: Principal, phaseId: string) {
    const { phase, competition } = await this.competitions.visiblePhase(principal, phaseId);
    if (!phase.moderatedAt) {
      const viewer = await this.scoreViewer(principal, competition.id);
      if (viewer.kind !== 'moderator') {
        throw forbidden('before moderation only managers who are not jurors may see the provisional ranking');
      }
    }
    return this.rankPhase(phase);
  }

  async rankPhase(phase: PhaseRow) {
    const submissions = await this.repository.submissions({ phaseId: phase.id });
    const criteria = await this.repository.criteria(phase.competitionId);
    const ids = submissions.map((s) => s.id);
    const basis: RankingBasis = phase.moderatedAt ? 'moderated' : 'juror-mean';
    const scores = phase.moderatedAt
      ? await this.repository.moderatedScores(ids)
      : await this.repository.scores(ids);
    const byId = new Map(submissions.map((s) => [s.id, s]));
    const items = rankSubmissions(ids, criteria, scores).map((ranked) => {
      const submission = byId.get(ranked.submissionId)!;
      return {
        ...ranked,
        supplierId: submission.supplierId,
        supplierName: submission.supplierName,
        productName: submission.productName,
        claimedTrl: submission.claimedTrl,
      };
    });
    return {
      phaseId: phase.id,
      phaseName: phase.name,
      basis,
      moderatedAt: phase.moderatedAt,
      criteria,
      items,
    };
  }
}
