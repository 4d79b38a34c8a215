import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { DomainErrorCode, DomainException } from '../common/domain.exception.js';
import type {
  competitionInputSchema,
  competitionQuerySchema,
  criterionSchema,
  declarationInputSchema,
  phaseUpdateSchema,
} from './challenges.dto.js';
import {
  ChallengesRepository,
  type ChallengeRow,
  type CompetitionRow,
  type JurorRow,
  type PhaseRow,
} from './challenges.repository.js';

export const invalidState = (message: string) => new DomainException(DomainErrorCode.InvalidState, message);
export const forbidden = (message: string) => new DomainException(DomainErrorCode.Forbidden, message);
export const invalidInput = (path: string, message: string) =>
  new DomainException(DomainErrorCode.InvalidInput, `${path}: ${message}`, [{ path, message }]);

/** Managers and viewers are the buyer's side; suppliers see only what has been published. */
export const isBuyer = (principal: Principal) => principal.role !== 'supplier';

/**
 * Challenges and their competitions as the caller may see them: the buyer's side sees drafts, suppliers
 * only published challenges and opened competitions (anything else answers 404). Owns competitions, phases,
 * criteria and the jury.
 */
@Injectable()
export class CompetitionsService {
  constructor(private readonly repository: ChallengesRepository) {}

  async visibleChallenge(principal: Principal, id: string): Promise<ChallengeRow> {
    const challenge = await this.repository.challenge(id);
    if (!challenge || (!isBuyer(principal) && challenge.status !== 'published')) {
      throw DomainException.notFound('challenge', id);
    }
    return challenge;
  }

  async visibleCompetition(principal: Principal, id: string): Promise<CompetitionRow> {
    const competition = await this.repository.competition(id);
    if (!competition) throw DomainException.notFound('competition', id);
    if (!isBuyer(principal)) {
      const challenge = await this.repository.challenge(competition.challengeId);
      if (competition.status === 'draft' || challenge?.status !== 'published') {
        throw DomainException.notFound('competition', id);
      }
    }
    return competition;
  }

  async visiblePhase(
    principal: Principal,
    id: string,
  ): Promise<{ phase: PhaseRow; competition: CompetitionRow }> {
    const phase = await this.repository.phase(id);
    if (!phase) throw DomainException.notFound('competition phase', id);
    return { phase, competition: await this.visibleCompetition(principal, phase.competitionId) };
  }

  async detail(principal: Principal, id: string) {
    const competition = await this.visibleCompetition(principal, id);
    const [phases, criteria] = await Promise.all([this.repository.phases(id), this.repository.criteria(id)]);
    return { ...competition, phases, criteria };
  }

  async list(principal: Principal, query: z.output<typeof competitionQuerySchema>) {
    return this.repository.listCompetitions(
      query.challengeId ?? null,
      isBuyer(principal),
      query.limit,
      query.offset,
    );
  }

  async create(principal: Principal, input: z.output<typeof competitionInputSchema>) {
    await this.visibleChallenge(principal, input.challengeId);
    const id = await this.repository.insertCompetition(input);
    return this.detail(principal, id);
  }

  async replaceCriteria(principal: Principal, id: string, criteria: z.output<typeof criterionSchema>[]) {
    const competition = await this.visibleCompetition(principal, id);
    // The database refuses it as well (competition_criterion_frozen); this says why in the caller's terms.
    if (competition.status !== 'draft') {
      throw invalidState(
        `criteria of competition ${id} are frozen: it opened at ${competition.openedAt?.toISOString()}`,
      );
    }
    await this.repository.replaceCriteria(id, criteria);
    return this.detail(principal, id);
  }

  /** Opens the competition to submissions; from now on its criteria and weights are frozen. */
  async open(principal: Principal, id: string) {
    const competition = await this.visibleCompetition(principal, id);
    if (competition.status !== 'draft')
      throw invalidState(`competition ${id} is already ${competition.status}`);
    const challenge = await this.repository.challenge(competition.challengeId);
    if (challenge?.status !== 'published') {
      throw invalidState(
        `challenge ${competition.challengeId} must be published before its competition opens`,
      );
    }
    await this.repository.setCompetitionStatus(id, 'open');
    return this.detail(principal, id);
  }

  async close(principal: Principal, id: string) {
    const competition = await this.visibleCompetition(principal, id);
    if (competition.status !== 'open')
      throw invalidState(`only an open competition can close; ${id} is ${competition.status}`);
    await this.repository.setCompetitionStatus(id, 'closed');
    return this.detail(principal, id);
  }

  /** Moves a phase's window (e.g. extends the deadline); a moderated phase is settled and cannot change. */
  async updatePhase(principal: Principal, id: string, patch: z.output<typeof phaseUpdateSchema>) {
    const { phase } = await this.visiblePhase(principal, id);
    if (phase.moderatedAt) throw invalidState(`phase "${phase.name}" has been moderated and cannot change`);
    const opensAt = patch.opensAt ? new Date(patch.opensAt) : phase.opensAt;
    const closesAt = patch.closesAt ? new Date(patch.closesAt) : phase.closesAt;
    if (closesAt <= opensAt) {
      throw invalidInput('closesAt', `must be after opensAt (${opensAt.toISOString()})`);
    }
    await this.repository.updatePhase(id, patch);
    return (await this.repository.phase(id))!;
  }

  // The jury

  async addJuror(principal: Principal, competitionId: string, userId: string) {
    await this.visibleCompetition(principal, competitionId);
    const role = await this.repository.userRole(userId);
    if (!role) throw DomainException.notFound('user', userId);
    if (role === 'supplier')
      throw invalidInput('userId', 'a juror must be a manager or viewer, not a supplier');
    await this.repository.addJuror(competitionId, userId);
    return this.repository.jurors(competitionId);
  }

  async jurors(principal: Principal, competitionId: string) {
    await this.visibleCompetition(principal, competitionId);
    return this.repository.jurors(competitionId);
  }

  async juror(competitionId: string, userId: string): Promise<JurorRow | undefined> {
    return (await this.repository.jurors(competitionId)).find((juror) => juror.userId === userId);
  }

  /** A juror declares their conflicts of interest (supplier ids, possibly none) before scoring anything. */
  async declare(principal: Principal, competitionId: string, input: z.output<typeof declarationInputSchema>) {
    await this.visibleCompetition(principal, competitionId);
    if (!(await this.juror(competitionId, principal.userId))) {
      throw forbidden(`you are not a juror on competition ${competitionId}`);
    }
    await this.repository.declare(
      competitionId,
      principal.userId,
      input.conflictSupplierIds,
      input.statement,
    );
    return (await this.juror(competitionId, principal.userId))!;
  }
}
