import type { Trace } from '../trace/trace.model.js';
import { clockLeadMs, retime, traceTimeSpan } from './retime.js';

const point = (fixTimeMs: number, sequence?: number) => ({
  fixTimeMs,
  lon: 1,
  lat: 2,
  accuracyM: 3,
  ...(sequence !== undefined && { sequence }),
});
const trace: Trace = {
  source: 'fleet.csv',
  format: 'csv',
  warnings: [],
  tracks: [
    { deviceId: 'a', points: [point(5_000, 7), point(5_000, 8), point(6_500, 9)] },
    { deviceId: 'b', points: [point(2_000), point(12_000)] },
  ],
};

describe('retime', () => {
  it('moves the earliest fix of all tracks to the start time and keeps every spacing', () => {
    const retimed = retime(trace, 1_000_000);
    expect(retimed.tracks.map((track) => track.points.map((p) => p.fixTimeMs))).toEqual([
      [1_003_000, 1_003_000, 1_004_500],
      [1_000_000, 1_010_000],
    ]);
    expect(retimed.tracks[0]?.points.map((p) => p.sequence)).toEqual([7, 8, 9]);
    expect(retimed.tracks[0]?.deviceId).toBe('a');
  });

  it('can move a trace back in time and leaves the original untouched', () => {
    const retimed = retime(trace, 0);
    expect(traceTimeSpan(retimed)).toEqual({ firstMs: 0, lastMs: 10_000 });
    expect(traceTimeSpan(trace)).toEqual({ firstMs: 2_000, lastMs: 12_000 });
  });

  it('refuses a start time that is not whole non-negative milliseconds', () => {
    expect(() => retime(trace, -1)).toThrow(RangeError);
    expect(() => retime(trace, 1.5)).toThrow(/non-negative integer/);
  });

  it('returns an empty trace unchanged', () => {
    const empty: Trace = { ...trace, tracks: [{ points: [] }] };
    expect(retime(empty, 5)).toBe(empty);
    expect(traceTimeSpan(empty)).toBeUndefined();
  });
});

describe('clockLeadMs', () => {
  it('is how far a re-timed trace runs ahead of the clock when sent faster than real time', () => {
    expect(clockLeadMs(trace, 1)).toBe(0);
    expect(clockLeadMs(trace, 0.5)).toBe(0);
    expect(clockLeadMs(trace, 4)).toBe(7_500);
    expect(clockLeadMs(trace, Infinity)).toBe(10_000);
  });
});
