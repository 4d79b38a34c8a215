import { CRITERIA_SETS } from './trl.criteria.js';
import { SCALES } from './trl.scales.js';
import { TrlError, validateCriteriaSet } from './trl.assessment.js';
import type { CriteriaSet, ReadinessScale } from './trl.types.js';

/** The scales and criteria sets an installation knows; extra ones (a rail-industry scale) are passed in. */
export class TrlRegistry {
  private readonly scales = new Map<string, ReadinessScale>();
  private readonly sets = new Map<string, CriteriaSet>();

  constructor(scales: readonly ReadinessScale[] = SCALES, sets: readonly CriteriaSet[] = CRITERIA_SETS) {
    for (const scale of scales) this.scales.set(scale.id, scale);
    for (const set of sets) {
      validateCriteriaSet(set, this.scale(set.scaleId));
      this.sets.set(set.id, set);
    }
  }

  scale(id: string): ReadinessScale {
    const scale = this.scales.get(id);
    if (!scale)
      throw new TrlError(`unknown scale ${id}; known: ${[...this.scales.keys()].join(', ')}`, 'scaleId');
    return scale;
  }

  criteriaSet(id: string): CriteriaSet {
    const set = this.sets.get(id);
    if (!set) {
      throw new TrlError(
        `unknown criteria set ${id}; known: ${[...this.sets.keys()].join(', ')}`,
        'criteriaSetId',
      );
    }
    return set;
  }

  listScales(): ReadinessScale[] {
    return [...this.scales.values()];
  }

  listCriteriaSets(): CriteriaSet[] {
    return [...this.sets.values()];
  }
}
