/** One rung of a readiness scale, in Lookout's own words. */
export interface ReadinessLevel {
  level: number;
  title: string;
  description: string;
}

/** A readiness scale as data: TRL under several wordings, or any other ladder (MRL, a rail-industry scale). */
export interface ReadinessScale {
  id: string;
  name: string;
  /** Who publishes the scale this paraphrases. */
  source: string;
  /** What the scale measures: technology, manufacturing, integration… */
  measures: 'technology' | 'manufacturing' | 'integration' | 'other';
  levels: readonly ReadinessLevel[];
}

/** A condition that must hold before a product may leave a level (an exit criterion). */
export interface ExitCriterion {
  id: string;
  level: number;
  title: string;
  /** What evidence would show it is met. */
  evidence: string;
}

/** The exit criteria a kind of product must meet, per level, on one scale. */
export interface CriteriaSet {
  id: string;
  name: string;
  scaleId: string;
  /** The level a product is taken to have reached before any criterion of this set is met. */
  baselineLevel: number;
  criteria: readonly ExitCriterion[];
}

export const CRITERION_RESPONSES = ['met', 'partial', 'not-met'] as const;
export type CriterionResponse = (typeof CRITERION_RESPONSES)[number];

/** What the assessment rule concluded, and why. */
export interface LevelAssessment {
  scaleId: string;
  criteriaSetId: string;
  levelReached: number;
  /** The level above the one reached, when the set has criteria for it. */
  nextLevel: number | null;
  /** Criteria at `nextLevel` not (fully) met: what stands between the product and the next level. */
  blocking: { id: string; response: CriterionResponse | 'missing' }[];
  claimedLevel: number | null;
  claimSupported: boolean | null;
}
