import { GeofenceConfigError } from './geofence.errors.js';
import type { BreachLevel } from './geofence.types.js';

/**
 * Every threshold of the detector. Distances in metres, durations in ms, all measured on the
 * fix's own clock except `lostAfterMs` (measured against `tick(now)`).
 */
export interface DetectionPolicy {
  /** The centre must be at least this far beyond a boundary to enter breach (0: the boundary itself counts). */
  breachEnterMarginM: number;
  /** To leave breach the centre must be at least this far back on the safe side. */
  breachExitMarginM: number;
  /** `approaching` when the error circle (or centre) comes within this distance of a boundary. */
  warningDistanceM: number;
  /** To leave `approaching`, the warning distance plus this margin must separate it again. */
  warningExitMarginM: number;
  /** Include the fix accuracy radius in the warning distance (error circle instead of centre). */
  warningIncludesAccuracy: boolean;
  /**
   * `probable`: a centre beyond the boundary is a breach (level probable or confirmed).
   * `confirmed`: only a whole error circle beyond the boundary is a breach; probable-only fixes are `approaching`.
   */
  minBreachLevel: BreachLevel;
  /** Escalation (safe→approaching→breach probable→confirmed) needs this many consecutive fixes... */
  escalateMinFixes: number;
  /** ...or this much fix time since the first escalating fix (0 disables the duration criterion). */
  escalateMinDurationMs: number;
  /** De-escalation needs this many consecutive fixes... */
  deescalateMinFixes: number;
  /** ...or this much fix time since the first de-escalating fix (0 disables the duration criterion). */
  deescalateMinDurationMs: number;
  /** Segment (crossing) test only when consecutive fixes are at most this far apart in fix time. */
  maxCrossingGapMs: number;
  /** `tick(now)` raises `lost` after this long without a fix. */
  lostAfterMs: number;
  /** How many recent fixes per device are remembered to recognise duplicates (sequence or fix time). */
  reorderWindowFixes: number;
  /**
   * Points within this distance of a boundary are "on" it: in danger for danger zones, not covered
   * for safe zones (unless on a boundary shared with another safe zone). Absorbs float rounding.
   */
  boundaryToleranceM: number;
  /** If true, a device with no active safe zone is in breach everywhere; if false only danger zones decide. */
  requireSafeZone: boolean;
}

export const DEFAULT_POLICY: Readonly<DetectionPolicy> = Object.freeze({
  breachEnterMarginM: 0,
  breachExitMarginM: 0.5,
  warningDistanceM: 3,
  warningExitMarginM: 1,
  warningIncludesAccuracy: true,
  minBreachLevel: 'probable',
  escalateMinFixes: 1,
  escalateMinDurationMs: 0,
  deescalateMinFixes: 3,
  deescalateMinDurationMs: 3000,
  maxCrossingGapMs: 30_000,
  lostAfterMs: 30_000,
  reorderWindowFixes: 32,
  boundaryToleranceM: 1e-6,
  requireSafeZone: false,
});

const NON_NEGATIVE_NUMBERS: readonly (keyof DetectionPolicy)[] = [
  'breachEnterMarginM',
  'breachExitMarginM',
  'warningDistanceM',
  'warningExitMarginM',
  'escalateMinDurationMs',
  'deescalateMinDurationMs',
  'maxCrossingGapMs',
  'lostAfterMs',
  'boundaryToleranceM',
];

/** Merge overrides onto the defaults and validate; the result is frozen (events reference it). */
export function resolvePolicy(overrides: Partial<DetectionPolicy> = {}): Readonly<DetectionPolicy> {
  const policy: DetectionPolicy = { ...DEFAULT_POLICY, ...overrides };
  for (const key of Object.keys(overrides)) {
    if (!(key in DEFAULT_POLICY)) throw new GeofenceConfigError(key, 'unknown policy setting');
  }
  for (const key of NON_NEGATIVE_NUMBERS) {
    const value = policy[key];
    if (typeof value !== 'number' || !(value >= 0)) {
      throw new GeofenceConfigError(key, `expected a number >= 0, got ${String(value)}`);
    }
  }
  for (const key of ['escalateMinFixes', 'deescalateMinFixes', 'reorderWindowFixes'] as const) {
    const value = policy[key];
    if (!Number.isInteger(value) || value < 1) {
      throw new GeofenceConfigError(key, `expected an integer >= 1, got ${String(value)}`);
    }
  }
  if (policy.minBreachLevel !== 'probable' && policy.minBreachLevel !== 'confirmed') {
    throw new GeofenceConfigError('minBreachLevel', `expected 'probable' or 'confirmed'`);
  }
  return Object.freeze(policy);
}
