import { alertMargin, interpolate, marginPastBoundaryM, medianAndMax, type ZoneShape } from './kpi.breach.js';

/** A safe box 0.002° of longitude wide around (0, 0): its east edge is at lon 0.001 (~111.3 m east). */
const SAFE: ZoneShape = {
  kind: 'safe',
  halfWidthM: null,
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [-0.001, -0.001],
        [0.001, -0.001],
        [0.001, 0.001],
        [-0.001, 0.001],
        [-0.001, -0.001],
      ],
    ],
  },
};
const DANGER: ZoneShape = { ...SAFE, kind: 'danger' };
/** Metres per degree of longitude at the equator, on the rule's sphere. */
const M_PER_DEG = (6_371_008.8 * Math.PI) / 180;

describe('marginPastBoundaryM', () => {
  it('is the distance outside a safe zone and inside a danger zone, negative on the safe side', () => {
    const out = 0.001 + 3 / M_PER_DEG;
    expect(marginPastBoundaryM(SAFE, out, 0)).toBeCloseTo(3, 3);
    expect(marginPastBoundaryM(DANGER, out, 0)).toBeCloseTo(-3, 3);
    expect(marginPastBoundaryM(SAFE, 0.001 - 2 / M_PER_DEG, 0)).toBeCloseTo(-2, 3);
    expect(marginPastBoundaryM(DANGER, 0.001 - 2 / M_PER_DEG, 0)).toBeCloseTo(2, 3);
  });
});

describe('interpolate', () => {
  const before = { timeMs: 1000, lon: 0, lat: 0 };
  const after = { timeMs: 2000, lon: 0.001, lat: 0.002 };

  it('is linear between the samples either side', () => {
    expect(interpolate(1250, before, after, 500)).toEqual({ timeMs: 1250, lon: 0.00025, lat: 0.0005 });
  });

  it('does not bridge a dropout; takes the nearest sample within the tolerance instead', () => {
    const late = { ...after, timeMs: 60_000 };
    expect(interpolate(1400, before, late, 500)).toEqual(before);
    expect(interpolate(1600, before, late, 500)).toBeNull();
    expect(interpolate(2300, after, null, 500)).toEqual(after);
    expect(interpolate(2600, after, null, 500)).toBeNull();
  });
});

describe('alertMargin', () => {
  const at = (lonM: number, timeMs: number) => ({ timeMs, lon: 0.001 + lonM / M_PER_DEG, lat: 0 });

  it('measures the true position at the alert, interpolated on the track', () => {
    // Walking east at 1 m/s: 1 m out at t = 1 s, 3 m at t = 3 s; the alert at 2.5 s is 2.5 m out.
    const margin = alertMargin(
      {
        alertAtMs: 2500,
        truthBefore: at(1, 1000),
        truthAfter: at(3, 3000),
        lastFix: at(9, 2400),
        zone: SAFE,
      },
      500,
    );
    expect(margin.source).toBe('ground-truth');
    expect(margin.marginM).toBeCloseTo(2.5, 3);
  });

  it("falls back to the device's last fix, and says nothing without a zone or a position", () => {
    expect(
      alertMargin(
        { alertAtMs: 2500, truthBefore: null, truthAfter: null, lastFix: at(4, 2400), zone: SAFE },
        500,
      ),
    ).toEqual({ marginM: expect.closeTo(4, 3), source: 'fix' });
    expect(
      alertMargin(
        { alertAtMs: 2500, truthBefore: null, truthAfter: null, lastFix: at(4, 2400), zone: null },
        500,
      ),
    ).toEqual({ marginM: null, source: null });
    expect(
      alertMargin({ alertAtMs: 2500, truthBefore: null, truthAfter: null, lastFix: null, zone: SAFE }, 500),
    ).toEqual({ marginM: null, source: null });
  });
});

describe('medianAndMax', () => {
  it('matches percentile_cont(0.5) and max', () => {
    expect(medianAndMax([])).toEqual({ p50: null, max: null });
    expect(medianAndMax([3])).toEqual({ p50: 3, max: 3 });
    expect(medianAndMax([4, 1, 3, 2])).toEqual({ p50: 2.5, max: 4 });
  });
});
