import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { type Principal, supplierScope } from '../auth/principal.js';
import { DomainException } from '../common/domain.exception.js';
import type {
  challengeInputSchema,
  challengeQuerySchema,
  challengeUpdateSchema,
  outcomeInputSchema,
  selectionInputSchema,
} from './challenges.dto.js';
import { ChallengesRepository } from './challenges.repository.js';
import { CompetitionsService, invalidInput, invalidState, isBuyer } from './competitions.service.js';

/** Challenges, selection of submissions into a trial, the outcome, and the whole thread. */
@Injectable()
export class ChallengesService {
  constructor(
    private readonly repository: ChallengesRepository,
    private readonly competitions: CompetitionsService,
  ) {}

  async create(principal: Principal, input: z.output<typeof challengeInputSchema>) {
    return this.repository.insertChallenge(input, principal.userId);
  }

  async list(principal: Principal, query: z.output<typeof challengeQuerySchema>) {
    const status = isBuyer(principal) ? (query.status ?? null) : 'published';
    if (!isBuyer(principal) && query.status === 'draft') return { items: [], total: 0, ...query };
    return this.repository.listChallenges(status, query.limit, query.offset);
  }

  get(principal: Principal, id: string) {
    return this.competitions.visibleChallenge(principal, id);
  }

  /** A draft may change freely; once published, the statement suppliers answered stays as it was. */
  async update(principal: Principal, id: string, patch: z.output<typeof challengeUpdateSchema>) {
    const challenge = await this.get(principal, id);
    const { status, ...fields } = patch;
    if (challenge.status === 'published') {
      if (status === 'draft') throw invalidState(`challenge ${id} is published and cannot return to draft`);
      if (Object.keys(fields).length > 0)
        throw invalidState(`challenge ${id} is published and cannot change`);
    }
    await this.repository.updateChallenge(id, patch);
    return this.get(principal, id);
  }

  /**
   * Selected submissions join the trial in one transaction: supplier → trial_supplier, product → device
   * model, and a selection row linking both back to the submission with its claimed and entry TRL.
   */
  async select(principal: Principal, competitionId: string, input: z.output<typeof selectionInputSchema>) {
    await this.competitions.visibleCompetition(principal, competitionId);
    const trial = await this.repository.trial(input.trialId);
    if (!trial) throw DomainException.notFound('trial', input.trialId);
    if (trial.status === 'closed') throw invalidState(`trial ${trial.id} is closed`);
    const ids = input.submissions.map((pick) => pick.submissionId);
    const submissions = await this.repository.submissions({ ids });
    const phases = new Map((await this.repository.phases(competitionId)).map((phase) => [phase.id, phase]));
    const suppliers = new Set<string>();
    const picks = input.submissions.map((pick, index) => {
      const submission = submissions.find((s) => s.id === pick.submissionId);
      if (!submission || submission.competitionId !== competitionId) {
        throw invalidInput(`submissions.${index}.submissionId`, 'not a submission of this competition');
      }
      const phase = phases.get(submission.phaseId)!;
      if (!phase.moderatedAt) {
        throw invalidState(`phase "${phase.name}" must be moderated before its submissions are selected`);
      }
      if (suppliers.has(submission.supplierId)) {
        throw invalidInput(`submissions.${index}`, `supplier ${submission.supplierName} is selected twice`);
      }
      suppliers.add(submission.supplierId);
      return { submission, entryTrl: pick.entryTrl ?? submission.claimedTrl };
    });
    return this.repository.select(competitionId, trial.id, principal.userId, picks);
  }

  /** The trial's outcome per selected supplier, recorded once the trial has closed. */
  async recordOutcome(principal: Principal, challengeId: string, input: z.output<typeof outcomeInputSchema>) {
    await this.get(principal, challengeId);
    const trial = await this.repository.trial(input.trialId);
    if (!trial) throw DomainException.notFound('trial', input.trialId);
    if (trial.status !== 'closed') {
      throw invalidState(`trial ${trial.id} is ${trial.status}; an outcome is recorded once it has closed`);
    }
    const competitionIds = (await this.repository.competitionsOf([challengeId], true)).map((c) => c.id);
    const selections = await this.repository.selections({ competitionIds, trialId: trial.id });
    if (selections.length === 0) {
      throw invalidInput('trialId', `trial ${trial.id} took no suppliers from this challenge's competitions`);
    }
    const results = input.results.map((result, index) => {
      const selection = selections.find((s) => s.supplierId === result.supplierId);
      if (!selection) throw invalidInput(`results.${index}.supplierId`, 'not selected into this trial');
      return { ...result, entryTrl: selection.entryTrl };
    });
    return this.repository.insertOutcomes(challengeId, trial.id, principal.userId, results);
  }

  /** Challenge → competitions → submissions → selection → trial → outcome; suppliers see only their own. */
  async thread(principal: Principal, id: string) {
    const challenge = await this.get(principal, id);
    const scope = supplierScope(principal);
    const mine = <T extends { supplierId: string }>(rows: T[]) =>
      scope === undefined ? rows : rows.filter((row) => row.supplierId === scope);
    const competitionRows = await this.repository.competitionsOf([id], isBuyer(principal));
    const competitionIds = competitionRows.map((c) => c.id);
    const [submissions, selections, outcomes] = await Promise.all([
      this.repository.submissions({ competitionIds, supplierId: scope }),
      this.repository.selections({ competitionIds }),
      this.repository.outcomes(id),
    ]);
    const trialIds = [...new Set(mine(selections).map((s) => s.trialId))];
    const trials = await this.repository.trials(trialIds);
    const competitions = await Promise.all(
      competitionRows.map(async (competition) => ({
        ...competition,
        phases: await this.repository.phases(competition.id),
        criteria: await this.repository.criteria(competition.id),
        submissions: submissions.filter((s) => s.competitionId === competition.id),
        selections: mine(selections).filter((s) => s.competitionId === competition.id),
      })),
    );
    return { challenge, competitions, trials, outcomes: mine(outcomes) };
  }
}
