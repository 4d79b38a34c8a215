import fc from 'fast-check';
import { FIX_TYPES, type CanonicalFix, type FixType } from '../../../libs/telemetry/src/index.js';

export type EncodableFix = Omit<CanonicalFix, 'deviceId' | 'receivedAtMs'>;

export interface FixArbitraryOptions {
  /** Fix types to draw from; default all. */
  fixTypes?: readonly FixType[];
  maxSequence?: number;
  maxSpeedMps?: number;
  /** Below the canonical 10000 m for codecs whose rounding could push a value just over it. */
  maxAccuracyM?: number;
}

const from = Date.UTC(2000, 0, 1);
const to = Date.UTC(2070, 0, 1);
const DAY_MS = 86_400_000;

/** A canonical fix without the context fields, every optional field sometimes present. */
export function encodableFix(options: FixArbitraryOptions = {}, timeMs = fc.integer({ min: from, max: to })) {
  return fc.record(
    {
      fixTimeMs: timeMs,
      lat: fc.double({ min: -90, max: 90, noNaN: true }),
      lon: fc.double({ min: -180, max: 180, noNaN: true }),
      accuracyM: fc.double({ min: 0, max: options.maxAccuracyM ?? 10_000, noNaN: true }),
      altitudeM: fc.double({ min: -500, max: 9000, noNaN: true }),
      speedMps: fc.double({ min: 0, max: options.maxSpeedMps ?? 600, noNaN: true }),
      headingDeg: fc.double({ min: 0, max: 360, noNaN: true }),
      batteryPct: fc.double({ min: 0, max: 100, noNaN: true }),
      satellites: fc.integer({ min: 0, max: 255 }),
      fixType: fc.constantFrom(...(options.fixTypes ?? FIX_TYPES)),
      sequence: fc.integer({ min: 0, max: options.maxSequence ?? Number.MAX_SAFE_INTEGER }),
    },
    { requiredKeys: ['fixTimeMs', 'lat', 'lon', 'accuracyM'] },
  ) as fc.Arbitrary<EncodableFix>;
}

/**
 * A batch of 1-20 fixes with distinct times within `spanMs` of a random start (distinct time of day when
 * `spanMs` is at most a day, which NMEA needs to keep epochs apart).
 */
export function encodableBatch(options: FixArbitraryOptions = {}, spanMs = 30 * DAY_MS) {
  return fc
    .tuple(
      fc.integer({ min: from, max: to - spanMs }),
      fc.uniqueArray(fc.integer({ min: 0, max: spanMs - 1 }), { minLength: 1, maxLength: 20 }),
    )
    .chain(([start, offsets]) =>
      fc.tuple(...offsets.map((offset) => encodableFix(options, fc.constant(start + offset)))),
    );
}

/** The context a round-trip decodes with: received just after the latest fix. */
export function contextFor(fixes: readonly EncodableFix[]) {
  return { deviceId: 'dev-1', receivedAtMs: Math.max(...fixes.map((fix) => fix.fixTimeMs)) + 1000 };
}

type Tolerances = Partial<Record<keyof EncodableFix, number>>;

/** Asserts `actual` matches `expected` field by field within per-field tolerances (exact where none given). */
export function expectFixClose(
  actual: CanonicalFix | undefined,
  expected: EncodableFix,
  tolerances: Tolerances,
): void {
  if (!actual) throw new Error('missing decoded fix');
  for (const key of Object.keys(expected) as (keyof EncodableFix)[]) {
    const want = expected[key];
    const got = actual[key];
    const tolerance = tolerances[key];
    if (typeof want === 'number' && typeof got === 'number' && tolerance !== undefined) {
      if (!(Math.abs(got - want) <= tolerance)) {
        throw new Error(`${key}: got ${got}, expected ${want} ± ${tolerance}`);
      }
    } else if (got !== want && !(typeof got === 'number' && typeof want === 'number' && got === want)) {
      throw new Error(`${key}: got ${String(got)}, expected ${String(want)}`);
    }
  }
}
