import { z } from 'zod';

/** How the receiver solved the position, from no solution to RTK with fixed ambiguities. */
export const FIX_TYPES = ['none', '2d', '3d', 'dgps', 'rtk-float', 'rtk-fixed'] as const;
export type FixType = (typeof FIX_TYPES)[number];

/** Fixes dated more than this far ahead of the receive time are refused: a wrong device clock, not a fix. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

/** A device id is one MQTT topic level: no wildcards, no separators, no control characters. */
export const deviceIdSchema = z
  .string()
  .min(1, 'device id must not be empty')
  .max(64, 'device id must be at most 64 characters')
  .regex(/^[A-Za-z0-9._:-]+$/, 'device id may contain only letters, digits, ".", "_", ":" and "-"');

/**
 * The canonical fix: what every device codec decodes to, and the only shape the rest of Lookout sees.
 * Times are epoch milliseconds; `fixTimeMs` is the device clock, `receivedAtMs` the server's.
 */
export const canonicalFixSchema = z.object({
  deviceId: deviceIdSchema,
  fixTimeMs: z.number().int('fixTimeMs must be an integer number of milliseconds').nonnegative(),
  receivedAtMs: z.number().int().nonnegative(),
  lon: z
    .number()
    .finite()
    .min(-180, 'lon must be within [-180, 180]')
    .max(180, 'lon must be within [-180, 180]'),
  lat: z.number().finite().min(-90, 'lat must be within [-90, 90]').max(90, 'lat must be within [-90, 90]'),
  /** Horizontal accuracy in metres at 95% confidence. */
  accuracyM: z
    .number()
    .finite()
    .nonnegative('accuracyM must be >= 0')
    .max(10_000, 'accuracyM must be <= 10000'),
  altitudeM: z.number().finite().optional(),
  speedMps: z.number().finite().nonnegative().optional(),
  headingDeg: z.number().finite().min(0).max(360).optional(),
  batteryPct: z.number().finite().min(0).max(100).optional(),
  satellites: z.number().int().nonnegative().max(255).optional(),
  fixType: z.enum(FIX_TYPES).optional(),
  /** The device's own message counter, when it has one; used to spot duplicates and gaps. */
  sequence: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
});

export type CanonicalFix = z.infer<typeof canonicalFixSchema>;

/** Renders a zod error as one line naming each offending field, e.g. `lat: lat must be within [-90, 90]`. */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

export type FixParseResult = { ok: true; fix: CanonicalFix } | { ok: false; reason: string };

/**
 * Validates a decoded candidate at the edge: ranges and types from the schema, then the clock rule
 * (a fix may not be dated more than MAX_FUTURE_SKEW_MS after it was received; late fixes are fine).
 */
export function parseCanonicalFix(candidate: unknown): FixParseResult {
  const parsed = canonicalFixSchema.safeParse(candidate);
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error) };
  const fix = parsed.data;
  const aheadMs = fix.fixTimeMs - fix.receivedAtMs;
  if (aheadMs > MAX_FUTURE_SKEW_MS) {
    return {
      ok: false,
      reason: `fixTime is ${Math.round(aheadMs / 1000)} s after the receive time; at most ${MAX_FUTURE_SKEW_MS / 1000} s is accepted`,
    };
  }
  return { ok: true, fix };
}
