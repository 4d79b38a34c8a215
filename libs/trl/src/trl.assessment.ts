import type { CriteriaSet, CriterionResponse, LevelAssessment, ReadinessScale } from './trl.types.js';

export class TrlError extends Error {
  constructor(
    message: string,
    /** Where in the input the problem is, e.g. `responses.trl9.x`. */
    readonly path: string,
  ) {
    super(message);
    this.name = 'TrlError';
  }
}

/** The distinct levels that have criteria in the set, lowest first. */
export function criteriaLevels(set: CriteriaSet): number[] {
  return [...new Set(set.criteria.map((criterion) => criterion.level))].sort((a, b) => a - b);
}

/** Checks that a criteria set fits its scale: every criterion on a level the scale has, ids unique. */
export function validateCriteriaSet(set: CriteriaSet, scale: ReadinessScale): void {
  if (set.scaleId !== scale.id) throw new TrlError(`set ${set.id} is for scale ${set.scaleId}`, 'scaleId');
  const levels = new Set(scale.levels.map((level) => level.level));
  const ids = new Set<string>();
  for (const criterion of set.criteria) {
    if (!levels.has(criterion.level)) {
      throw new TrlError(
        `criterion ${criterion.id} is on level ${criterion.level}, not on ${scale.id}`,
        criterion.id,
      );
    }
    if (ids.has(criterion.id)) throw new TrlError(`criterion ${criterion.id} is listed twice`, criterion.id);
    ids.add(criterion.id);
  }
}

/**
 * The assessment rule: the level reached is the highest level whose criteria, and every criterion below
 * it, are met. `partial` is not `met`, and a criterion with no response counts as not met. Below the
 * set's first level the product stands at the set's baseline.
 */
export function assessLevel(
  set: CriteriaSet,
  responses: Readonly<Record<string, CriterionResponse>>,
  claimedLevel: number | null = null,
): LevelAssessment {
  const known = new Set(set.criteria.map((criterion) => criterion.id));
  for (const id of Object.keys(responses)) {
    if (!known.has(id)) throw new TrlError(`criterion ${id} is not in set ${set.id}`, `responses.${id}`);
  }
  let levelReached = set.baselineLevel;
  let nextLevel: number | null = null;
  let blocking: LevelAssessment['blocking'] = [];
  for (const level of criteriaLevels(set)) {
    if (level <= levelReached) continue;
    const unmet = set.criteria
      .filter((criterion) => criterion.level === level && responses[criterion.id] !== 'met')
      .map((criterion) => ({ id: criterion.id, response: responses[criterion.id] ?? ('missing' as const) }));
    if (unmet.length > 0) {
      nextLevel = level;
      blocking = unmet;
      break;
    }
    levelReached = level;
  }
  return {
    scaleId: set.scaleId,
    criteriaSetId: set.id,
    levelReached,
    nextLevel,
    blocking,
    claimedLevel,
    claimSupported: claimedLevel === null ? null : levelReached >= claimedLevel,
  };
}
