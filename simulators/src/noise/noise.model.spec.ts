import { SeededRandom } from '../../../devices/src/behaviour/index.js';
import {
  applyNoise,
  deviceClockMs,
  environmentAt,
  sigmaForR95,
  type EnvironmentRegion,
  type NoiseConfig,
} from './noise.model.js';

/** Statistical checks on many seeded draws; the bounds are several standard errors wide, so they do not flake. */
const N = 20_000;
const open: NoiseConfig = { r95M: 3, dropoutProbability: 0, dropouts: [] };
const square = (x0: number, x1: number) => [
  { x: x0, y: -50 },
  { x: x1, y: -50 },
  { x: x1, y: 50 },
  { x: x0, y: 50 },
];

function draw(config: NoiseConfig, regions: EnvironmentRegion[] = [], seed = 42, at = { x: 0, y: 0 }) {
  const random = new SeededRandom(seed);
  return Array.from({ length: N }, (_, i) => applyNoise(at, i * 1000, config, regions, random));
}

describe('noise models', () => {
  it('gaussian: 95% of errors within the configured radius, unbiased, accuracy = r95', () => {
    const fixes = draw(open).filter((f) => !f.dropped);
    expect(fixes).toHaveLength(N);
    const within = fixes.filter((f) => f.errorM <= 3).length / N;
    // Binomial standard error at p = 0.95, n = 20000 is 0.0015: ±0.006 is four of them.
    expect(within).toBeGreaterThan(0.944);
    expect(within).toBeLessThan(0.956);
    const meanX = fixes.reduce((sum, f) => sum + f.x, 0) / N;
    const meanY = fixes.reduce((sum, f) => sum + f.y, 0) / N;
    const sigma = sigmaForR95(3);
    expect(Math.abs(meanX)).toBeLessThan((4 * sigma) / Math.sqrt(N));
    expect(Math.abs(meanY)).toBeLessThan((4 * sigma) / Math.sqrt(N));
    const varianceX = fixes.reduce((sum, f) => sum + f.x * f.x, 0) / N;
    expect(Math.sqrt(varianceX)).toBeCloseTo(sigma, 1);
    expect(new Set(fixes.map((f) => f.accuracyM))).toEqual(new Set([3]));
  });

  it('is reproducible for a seed and differs between seeds', () => {
    expect(draw(open, [], 7).slice(0, 50)).toEqual(draw(open, [], 7).slice(0, 50));
    expect(draw(open, [], 8).slice(0, 50)).not.toEqual(draw(open, [], 7).slice(0, 50));
  });

  it('bias near structures: pulls towards the bearing, widens, and the reported accuracy still covers 95%', () => {
    const bridge: EnvironmentRegion = { environment: 'bridge', polygon: square(-10, 10), biasBearingDeg: 90 };
    const fixes = draw(open, [bridge]).filter((f) => !f.dropped);
    expect(fixes.length).toBeGreaterThan(N * 0.97); // 2% lost on a bridge
    expect(fixes.length).toBeLessThan(N * 0.99);
    const meanX = fixes.reduce((sum, f) => sum + ('x' in f ? f.x : 0), 0) / fixes.length;
    expect(meanX).toBeCloseTo(1.5, 1); // 1.5 m east
    for (const f of fixes) expect(f.accuracyM).toBeCloseTo(3 * 1.4 + 1.5, 2);
    const covered = fixes.filter((f) => f.errorM <= f.accuracyM).length / fixes.length;
    expect(covered).toBeGreaterThan(0.95);
    expect(fixes.every((f) => f.environment === 'bridge')).toBe(true);
  });

  it('environments: the first region containing the point decides; outside all of them is open sky', () => {
    const regions: EnvironmentRegion[] = [
      { environment: 'cutting', polygon: square(0, 10), biasBearingDeg: 0, biasM: 3 },
      { environment: 'tunnel-portal', polygon: square(5, 20), biasBearingDeg: 0 },
    ];
    expect(environmentAt(regions, { x: 6, y: 0 }).environment).toBe('cutting');
    expect(environmentAt(regions, { x: 6, y: 0 }).effect.biasM).toBe(3);
    expect(environmentAt(regions, { x: 15, y: 0 }).effect).toEqual({
      biasM: 4,
      r95Factor: 3,
      dropoutProbability: 0.3,
    });
    expect(environmentAt(regions, { x: 30, y: 0 }).environment).toBe('open');
  });

  it('dropouts: a tunnel loses everything, windows lose their span, the random rate is respected', () => {
    const tunnel: EnvironmentRegion = { environment: 'tunnel', polygon: square(-10, 10), biasBearingDeg: 0 };
    expect(draw(open, [tunnel]).every((f) => f.dropped && f.reason === 'environment')).toBe(true);
    const windowed = draw({ ...open, dropouts: [{ fromMs: 1000_000, toMs: 2000_000 }] });
    expect(windowed.filter((f) => f.dropped)).toHaveLength(1000);
    const random = draw({ ...open, dropoutProbability: 0.1 }).filter((f) => f.dropped).length / N;
    expect(random).toBeGreaterThan(0.09);
    expect(random).toBeLessThan(0.11);
  });

  it('a dropout does not shift the noise of the fixes after it', () => {
    const kept = draw(open, [], 3).slice(0, 100);
    const windowed = draw({ ...open, dropouts: [{ fromMs: 10_000, toMs: 20_000 }] }, [], 3).slice(0, 100);
    expect(windowed.slice(20)).toEqual(kept.slice(20));
  });

  it('clock skew: offset plus drift from the start', () => {
    const clock = { offsetMs: -4000, driftPpm: 200, startMs: 1_000_000 };
    expect(deviceClockMs(clock, 1_000_000)).toBe(996_000);
    expect(deviceClockMs(clock, 1_000_000 + 3_600_000)).toBe(996_000 + 3_600_000 + 720);
  });
});
