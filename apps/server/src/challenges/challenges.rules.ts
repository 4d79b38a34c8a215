import { DomainErrorCode, DomainException } from '../common/domain.exception.js';

/** The pure rules of a competition: no I/O, tested in challenges.rules.spec.ts. */

export interface WeightedCriterion {
  id: string;
  weight: number;
}

export interface CriterionScore {
  submissionId: string;
  criterionId: string;
  score: number;
}

export interface RankedSubmission {
  submissionId: string;
  /** Σ weight × score / 100: on the same 0–10 scale as the scores. */
  weightedScore: number;
  /** Competition ranking ("1224"): equal weighted scores share a rank, the next rank skips. */
  rank: number;
  tied: boolean;
  /** Per criterion, the score the weighted sum used (moderated, or the jurors' mean). */
  criterionScores: Record<string, number | null>;
  /** False when some criterion has no score yet: such a submission counts 0 for it. */
  complete: boolean;
}

/** Scores are at most two decimals and weights integers, so Σ w·s·100 is an exact integer. */
const exact = (value: number) => Math.round(value * 10_000);

/**
 * Ranks submissions by the weighted sum of their per-criterion scores. Several scores for the same
 * submission and criterion (jurors before moderation) are averaged; after moderation there is exactly one.
 */
export function rankSubmissions(
  submissionIds: readonly string[],
  criteria: readonly WeightedCriterion[],
  scores: readonly CriterionScore[],
): RankedSubmission[] {
  const sums = new Map<string, { total: number; count: number }>();
  for (const score of scores) {
    const key = `${score.submissionId}/${score.criterionId}`;
    const sum = sums.get(key) ?? { total: 0, count: 0 };
    sum.total += score.score;
    sum.count += 1;
    sums.set(key, sum);
  }
  const rows = submissionIds.map((submissionId) => {
    const criterionScores: Record<string, number | null> = {};
    let weighted = 0;
    let complete = true;
    for (const criterion of criteria) {
      const sum = sums.get(`${submissionId}/${criterion.id}`);
      const mean = sum ? sum.total / sum.count : null;
      criterionScores[criterion.id] = mean === null ? null : Math.round(mean * 100) / 100;
      if (mean === null) complete = false;
      else weighted += criterion.weight * mean;
    }
    return { submissionId, key: exact(weighted / 100), criterionScores, complete };
  });
  rows.sort((a, b) => b.key - a.key || a.submissionId.localeCompare(b.submissionId));
  return rows.map((row) => {
    const first = rows.findIndex((other) => other.key === row.key);
    const ties = rows.filter((other) => other.key === row.key).length;
    return {
      submissionId: row.submissionId,
      weightedScore: row.key / 10_000,
      rank: first + 1,
      tied: ties > 1,
      criterionScores: row.criterionScores,
      complete: row.complete,
    };
  });
}

/** A submission is accepted only inside its phase's window; the message names the deadline and the time. */
export function assertInWindow(phase: { name: string; opensAt: Date; closesAt: Date }, at: Date): void {
  if (at > phase.closesAt) {
    throw new DomainException(
      DomainErrorCode.InvalidState,
      `submissions to phase "${phase.name}" closed at ${phase.closesAt.toISOString()}; this one arrived at ${at.toISOString()}`,
    );
  }
  if (at < phase.opensAt) {
    throw new DomainException(
      DomainErrorCode.InvalidState,
      `submissions to phase "${phase.name}" open at ${phase.opensAt.toISOString()}; it is ${at.toISOString()}`,
    );
  }
}

export type ScoreViewer =
  { kind: 'juror'; userId: string } | { kind: 'moderator' } | { kind: 'observer' } | { kind: 'supplier' };

/**
 * Which individual juror scores a caller sees. Before moderation a juror sees only their own, so no juror
 * anchors on another's marks; managers who are not on the jury (the moderators) see all of them; viewers
 * who are not jurors see none. After moderation everyone on the buyer's side sees every score. Suppliers
 * never see individual jurors' scores, only the moderated ones of their own submissions.
 */
export function visibleJurorScores<T extends { jurorId: string }>(
  viewer: ScoreViewer,
  moderated: boolean,
  scores: readonly T[],
): T[] {
  switch (viewer.kind) {
    case 'supplier':
      return [];
    case 'moderator':
      return [...scores];
    case 'observer':
      return moderated ? [...scores] : [];
    case 'juror':
      return moderated ? [...scores] : scores.filter((score) => score.jurorId === viewer.userId);
    default: {
      const unreachable: never = viewer;
      throw new Error(`unknown score viewer ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Every submission × criterion pair must be moderated exactly once before a phase counts as moderated. */
export function missingModeration(
  submissionIds: readonly string[],
  criterionIds: readonly string[],
  moderated: readonly { submissionId: string; criterionId: string }[],
): string[] {
  const given = new Set(moderated.map((m) => `${m.submissionId}/${m.criterionId}`));
  return submissionIds.flatMap((s) =>
    criterionIds.filter((c) => !given.has(`${s}/${c}`)).map((c) => `${s}/${c}`),
  );
}
