import { canonicalJson } from '../evidence/evidence.chain.js';
import { contentSha256, MAX_LISTED_DIFFERENCES, snapshotDifferences } from './kpi-snapshot.diff.js';

describe('snapshotDifferences', () => {
  it('finds nothing between a snapshot and its JSON round trip (what the evidence store gives back)', () => {
    const content = { total: { p95M: 0.1 + 0.2, cdf: [0, 1.5], missing: undefined }, label: 'x' };
    expect(snapshotDifferences(JSON.parse(JSON.stringify(content)), content)).toEqual({
      count: 0,
      listed: [],
    });
  });

  it('names every changed leaf by its path, including figures that appeared or went', () => {
    const sealed = { total: { p95M: 2, devices: 1 }, byDevice: [{ key: 'a' }] };
    const current = {
      total: { p95M: 2.5, devices: 1, positioning: { medianM: 1 } },
      byDevice: [{ key: 'a' }, { key: 'b' }],
    };
    expect(snapshotDifferences(sealed, current)).toEqual({
      count: 3,
      listed: [
        { path: 'byDevice.1', sealed: null, current: { key: 'b' } },
        { path: 'total.p95M', sealed: 2, current: 2.5 },
        { path: 'total.positioning', sealed: null, current: { medianM: 1 } },
      ],
    });
  });

  it('counts all differences but lists a bounded number', () => {
    const many = Array.from({ length: MAX_LISTED_DIFFERENCES + 10 }, (_, i) => i);
    const result = snapshotDifferences({ values: many }, { values: many.map((v) => v + 1) });
    expect(result.count).toBe(MAX_LISTED_DIFFERENCES + 10);
    expect(result.listed).toHaveLength(MAX_LISTED_DIFFERENCES);
  });
});

describe('contentSha256', () => {
  it('hashes the canonical JSON, so key order does not matter', () => {
    expect(contentSha256({ b: 1, a: [1, 2] })).toBe(contentSha256({ a: [1, 2], b: 1 }));
    expect(contentSha256({ a: 1 })).not.toBe(contentSha256({ a: 2 }));
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });
});
