import { assessLevel, TrlError, validateCriteriaSet } from './trl.assessment.js';
import { WEARABLE_SAFETY_CRITERIA } from './trl.criteria.js';
import { TrlRegistry } from './trl.registry.js';
import { SCALES, UK_TRL } from './trl.scales.js';
import type { CriterionResponse, ReadinessScale } from './trl.types.js';

const set = WEARABLE_SAFETY_CRITERIA;

/** Every criterion up to and including `level` met. */
function metUpTo(level: number): Record<string, CriterionResponse> {
  return Object.fromEntries(
    set.criteria.filter((criterion) => criterion.level <= level).map((criterion) => [criterion.id, 'met']),
  );
}

describe('libs/trl scales', () => {
  it('describes TRL 1-9 in three wordings and allows extra scales', () => {
    for (const id of ['uk-trl', 'eu-horizon-trl', 'nasa-trl']) {
      const scale = SCALES.find((candidate) => candidate.id === id)!;
      expect(scale.levels.map((level) => level.level)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    const rail: ReadinessScale = {
      id: 'rail-rl',
      name: 'a rail-industry scale',
      source: 'test',
      measures: 'integration',
      levels: [1, 2, 3].map((level) => ({ level, title: `R${level}`, description: '' })),
    };
    const registry = new TrlRegistry([...SCALES, rail]);
    expect(registry.scale('rail-rl').levels).toHaveLength(3);
    expect(() => registry.scale('nope')).toThrow(TrlError);
  });

  it('has wearable criteria for TRL 4-8 that fit the UK scale', () => {
    expect(() => validateCriteriaSet(set, UK_TRL)).not.toThrow();
    expect([...new Set(set.criteria.map((criterion) => criterion.level))]).toEqual([4, 5, 6, 7, 8]);
  });
});

describe('assessLevel (the TRL rule)', () => {
  it('stays at the baseline with no responses', () => {
    expect(assessLevel(set, {})).toMatchObject({ levelReached: 3, nextLevel: 4 });
  });

  it.each([4, 5, 6, 7, 8])('reaches exactly TRL %i when every criterion up to it is met', (level) => {
    const result = assessLevel(set, metUpTo(level), level);
    expect(result.levelReached).toBe(level);
    expect(result.claimSupported).toBe(true);
    expect(result.nextLevel).toBe(level === 8 ? null : level + 1);
  });

  it('does not reach a level when one of its criteria is only partial', () => {
    const responses = { ...metUpTo(7), 'trl7.success-criteria': 'partial' as const };
    const result = assessLevel(set, responses, 7);
    expect(result.levelReached).toBe(6);
    expect(result.claimSupported).toBe(false);
    expect(result.blocking).toEqual([{ id: 'trl7.success-criteria', response: 'partial' }]);
  });

  it('does not skip a gap: TRL 7 met but a TRL 5 criterion not met gives TRL 4', () => {
    const responses = { ...metUpTo(7), 'trl5.surveyed-area-alerts': 'not-met' as const };
    expect(assessLevel(set, responses).levelReached).toBe(4);
  });

  it('counts a missing response as not met', () => {
    const { ['trl6.worker-feedback']: _missing, ...responses } = metUpTo(6);
    const result = assessLevel(set, responses);
    expect(result.levelReached).toBe(5);
    expect(result.blocking).toEqual([{ id: 'trl6.worker-feedback', response: 'missing' }]);
  });

  it('refuses a response to a criterion the set does not have', () => {
    expect(() => assessLevel(set, { 'trl9.made-up': 'met' })).toThrow(/not in set/);
  });
});
