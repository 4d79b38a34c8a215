import { criteriaSchema } from './challenges.dto.js';
import {
  assertInWindow,
  missingModeration,
  rankSubmissions,
  visibleJurorScores,
} from './challenges.rules.js';

const criteria = [
  { id: 'fit', weight: 60 },
  { id: 'cost', weight: 40 },
];

describe('rankSubmissions', () => {
  it('ranks by the weighted sum and gives equal scores the same rank (1224)', () => {
    const ranked = rankSubmissions(
      ['a', 'b', 'c', 'd'],
      criteria,
      [
        ['a', 8, 5], // 6.8
        ['b', 6, 8], // 6.8
        ['c', 9, 9], // 9.0
        ['d', 1, 1], // 1.0
      ].flatMap(([id, fit, cost]) => [
        { submissionId: id as string, criterionId: 'fit', score: fit as number },
        { submissionId: id as string, criterionId: 'cost', score: cost as number },
      ]),
    );
    expect(ranked.map((r) => [r.submissionId, r.rank, r.tied, r.weightedScore])).toEqual([
      ['c', 1, false, 9],
      ['a', 2, true, 6.8],
      ['b', 2, true, 6.8],
      ['d', 4, false, 1],
    ]);
  });

  it('averages several jurors per criterion and flags missing scores', () => {
    const [only] = rankSubmissions(['a'], criteria, [
      { submissionId: 'a', criterionId: 'fit', score: 6 },
      { submissionId: 'a', criterionId: 'fit', score: 9 },
    ]);
    expect(only).toMatchObject({
      weightedScore: 4.5,
      complete: false,
      criterionScores: { fit: 7.5, cost: null },
    });
  });
});

describe('criteria weights', () => {
  it('must sum to exactly 100', () => {
    const result = criteriaSchema.safeParse([
      { name: 'fit', weight: 60 },
      { name: 'cost', weight: 30 },
    ]);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('criteria weights must sum to 100, they sum to 90');
  });
});

describe('assertInWindow', () => {
  const phase = {
    name: 'Feasibility',
    opensAt: new Date('2026-01-01T00:00:00Z'),
    closesAt: new Date('2026-02-01T12:00:00Z'),
  };
  it('refuses a late submission naming the deadline and the time', () => {
    expect(() => assertInWindow(phase, new Date('2026-02-01T12:00:01Z'))).toThrow(
      'submissions to phase "Feasibility" closed at 2026-02-01T12:00:00.000Z; this one arrived at 2026-02-01T12:00:01.000Z',
    );
  });
  it('accepts one on the deadline', () => {
    expect(() => assertInWindow(phase, phase.closesAt)).not.toThrow();
  });
});

describe('visibleJurorScores', () => {
  const scores = [{ jurorId: 'j1' }, { jurorId: 'j2' }];
  it('blinds jurors to each other until moderation', () => {
    expect(visibleJurorScores({ kind: 'juror', userId: 'j1' }, false, scores)).toEqual([{ jurorId: 'j1' }]);
    expect(visibleJurorScores({ kind: 'juror', userId: 'j1' }, true, scores)).toHaveLength(2);
    expect(visibleJurorScores({ kind: 'observer' }, false, scores)).toEqual([]);
    expect(visibleJurorScores({ kind: 'moderator' }, false, scores)).toHaveLength(2);
    expect(visibleJurorScores({ kind: 'supplier' }, true, scores)).toEqual([]);
  });
});

describe('missingModeration', () => {
  it('lists each submission × criterion without an agreed score', () => {
    expect(missingModeration(['a', 'b'], ['fit'], [{ submissionId: 'a', criterionId: 'fit' }])).toEqual([
      'b/fit',
    ]);
  });
});
