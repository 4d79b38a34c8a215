import type { PointXY } from '../../../devices/src/behaviour/index.js';
import { signedDistanceM, type SeededRandom } from '../../../devices/src/behaviour/index.js';
import { SIGMA_TO_R95 } from '../../../devices/src/codecs/codec-support.js';

/**
 * GNSS error models for simulated fixes. Everything is in the scenario's local metric frame.
 *
 * - Gaussian noise: a circular bivariate normal with a configured 95% radius r95; per axis σ = r95 / 2.4477
 *   (P(r ≤ R) = 1 − exp(−R²/2σ²)).
 * - Environment bias: near structures the error has a systematic part (multipath off cutting sides and
 *   bridge girders, the signal fading at a tunnel portal) and a wider random part; inside a `tunnel`
 *   there is no fix at all.
 * - Dropouts: explicit windows, the environment's loss probability, and a random per-fix loss.
 * - Clock skew: the device clock runs offset (and drifting) from true time.
 *
 * The reported accuracy is the 95% radius of the error actually applied: r95 × factor + |bias|. Since
 * |bias + g| ≤ |bias| + |g|, the true position is inside the reported circle at least 95% of the time
 * (exactly 95% without bias), which is what a 95% accuracy figure promises.
 */
export const ENVIRONMENT_CLASSES = ['open', 'cutting', 'bridge', 'tunnel-portal', 'tunnel'] as const;
export type EnvironmentClass = (typeof ENVIRONMENT_CLASSES)[number];

export interface EnvironmentEffect {
  /** Magnitude of the systematic error, metres. */
  biasM: number;
  /** Multiplier on the device's r95. */
  r95Factor: number;
  /** Probability that a fix is lost. */
  dropoutProbability: number;
}

/** Defaults per environment class (DESIGN.md, "Trials": open, cutting, bridge, tunnel portal, station). */
export const ENVIRONMENT_EFFECTS: Readonly<Record<EnvironmentClass, EnvironmentEffect>> = Object.freeze({
  open: { biasM: 0, r95Factor: 1, dropoutProbability: 0 },
  /** Sky view cut by the sides; reflections off them pull the fix across the cutting. */
  cutting: { biasM: 2, r95Factor: 1.8, dropoutProbability: 0.05 },
  /** Reflections off girders and parapets. */
  bridge: { biasM: 1.5, r95Factor: 1.4, dropoutProbability: 0.02 },
  /** The receiver is losing or regaining lock: large, biased errors and frequent gaps. */
  'tunnel-portal': { biasM: 4, r95Factor: 3, dropoutProbability: 0.3 },
  /** No satellites. */
  tunnel: { biasM: 0, r95Factor: 1, dropoutProbability: 1 },
});

export interface EnvironmentRegion {
  environment: EnvironmentClass;
  /** A ring in the local frame. */
  polygon: readonly PointXY[];
  /** Direction the bias pulls towards, degrees clockwise from north. */
  biasBearingDeg: number;
  /** Overrides of the class defaults. */
  biasM?: number;
  r95Factor?: number;
  dropoutProbability?: number;
}

export interface NoiseConfig {
  /** 95% radius of the receiver's random error in open sky, metres. */
  r95M: number;
  /** Probability that any fix is lost, on top of environments and windows. */
  dropoutProbability: number;
  /** Windows of true time, [fromMs, toMs), with no fix (a dead battery, a pocket, a tunnel not drawn). */
  dropouts: readonly { fromMs: number; toMs: number }[];
}

export interface ClockModel {
  /** Device clock minus true time at the start, ms. */
  offsetMs: number;
  /** Drift, parts per million (10 ppm = 36 ms an hour). */
  driftPpm: number;
  /** True time at which `offsetMs` holds. */
  startMs: number;
}

export type DropReason = 'window' | 'environment' | 'random';

export type NoisyFix =
  | { dropped: false; x: number; y: number; accuracyM: number; errorM: number; environment: EnvironmentClass }
  | { dropped: true; reason: DropReason; environment: EnvironmentClass };

/** Per-axis standard deviation for a 95% radius. */
export const sigmaForR95 = (r95M: number) => r95M / SIGMA_TO_R95;

export function deviceClockMs(clock: ClockModel, trueMs: number): number {
  return Math.round(trueMs + clock.offsetMs + (clock.driftPpm * (trueMs - clock.startMs)) / 1e6);
}

/** The environment at a point: the first region containing it, or open sky. */
export function environmentAt(
  regions: readonly EnvironmentRegion[],
  p: PointXY,
): { effect: EnvironmentEffect; region?: EnvironmentRegion; environment: EnvironmentClass } {
  for (const region of regions) {
    if (signedDistanceM({ type: 'polygons', polygons: [[region.polygon]] }, p) <= 0) {
      const base = ENVIRONMENT_EFFECTS[region.environment];
      return {
        environment: region.environment,
        region,
        effect: {
          biasM: region.biasM ?? base.biasM,
          r95Factor: region.r95Factor ?? base.r95Factor,
          dropoutProbability: region.dropoutProbability ?? base.dropoutProbability,
        },
      };
    }
  }
  return { effect: ENVIRONMENT_EFFECTS.open, environment: 'open' };
}

/**
 * One fix's error. `random` must be the device's own noise stream so runs are reproducible. The three
 * random draws happen in a fixed order whether or not the fix is dropped, so a dropout does not shift
 * the noise of the fixes after it.
 */
export function applyNoise(
  truth: PointXY,
  atMs: number,
  config: NoiseConfig,
  regions: readonly EnvironmentRegion[],
  random: SeededRandom,
): NoisyFix {
  const { effect, region, environment } = environmentAt(regions, truth);
  const loss = random.next();
  const gx = random.gaussian();
  const gy = random.gaussian();
  if (config.dropouts.some((window) => window.fromMs <= atMs && atMs < window.toMs)) {
    return { dropped: true, reason: 'window', environment };
  }
  // One draw decides both kinds of loss: lost to the environment first, then at random.
  if (loss < effect.dropoutProbability) return { dropped: true, reason: 'environment', environment };
  if (loss < effect.dropoutProbability + (1 - effect.dropoutProbability) * config.dropoutProbability) {
    return { dropped: true, reason: 'random', environment };
  }
  const r95M = config.r95M * effect.r95Factor;
  const sigmaM = sigmaForR95(r95M);
  const bearingRad = ((region?.biasBearingDeg ?? 0) * Math.PI) / 180;
  const dx = effect.biasM * Math.sin(bearingRad) + sigmaM * gx;
  const dy = effect.biasM * Math.cos(bearingRad) + sigmaM * gy;
  // Reported to the centimetre; rounding up keeps the promise of the 95% radius.
  const accuracyM = Math.ceil((r95M + effect.biasM) * 100) / 100;
  return {
    dropped: false,
    x: truth.x + dx,
    y: truth.y + dy,
    accuracyM,
    errorM: Math.hypot(dx, dy),
    environment,
  };
}
