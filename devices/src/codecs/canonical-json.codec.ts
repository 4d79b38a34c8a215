import { z } from 'zod';
import {
  describeIssues,
  FIX_TYPES,
  MAX_FUTURE_SKEW_MS,
  parseCanonicalFix,
  type CanonicalFix,
  type DecodeContext,
  type DecodeResult,
  type FixCodec,
} from '../../../libs/telemetry/src/index.js';

/** Stateless (no `stream` option), so one decoder serves every message. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A batch larger than this is refused whole: a device that sends it is misbehaving. */
export const MAX_BATCH_FIXES = 1000;

/**
 * Canonical JSON, Lookout's own wire format: one fix object, or an array of them.
 *
 * ```json
 * { "fixTime": "2026-11-21T10:00:00.000Z", "lon": -1.2, "lat": 52.9, "accuracyM": 3.5, "sequence": 17 }
 * ```
 * `fixTime` is an ISO 8601 string with a zone, or epoch milliseconds. The device id comes from the topic;
 * a `deviceId` in the payload is optional and must match it.
 */
const wireFixSchema = z
  .object({
    deviceId: z.string().optional(),
    fixTime: z.union([
      z.number().int('fixTime in milliseconds must be an integer'),
      z.iso.datetime({ offset: true, message: 'fixTime must be ISO 8601 with a time zone, or epoch ms' }),
    ]),
    lon: z.number(),
    lat: z.number(),
    accuracyM: z.number(),
    altitudeM: z.number().optional(),
    speedMps: z.number().optional(),
    headingDeg: z.number().optional(),
    batteryPct: z.number().optional(),
    satellites: z.number().optional(),
    fixType: z.enum(FIX_TYPES).optional(),
    sequence: z.number().optional(),
  })
  .strict();

export type CanonicalJsonFix = z.input<typeof wireFixSchema>;

const WIRE_KEYS: ReadonlySet<string> = new Set(Object.keys(wireFixSchema.shape));
const FIX_TYPE_SET: ReadonlySet<unknown> = new Set(FIX_TYPES);
/** What deviceIdSchema accepts (checked once per message: the id comes from the topic). */
const DEVICE_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** The exact form `Date.prototype.toISOString` writes: only these are taken on the fast path. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const inRange = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && value >= min && value <= max;
const optionalIn = (value: unknown, min: number, max: number) =>
  value === undefined || inRange(value, min, max);
const optionalInteger = (value: unknown, min: number, max: number) =>
  value === undefined || (Number.isInteger(value) && inRange(value, min, max));

/**
 * The common case without zod: a well-formed fix, as every device sends thousands of times a day, is checked
 * by hand against exactly the rules of the two schemas and built directly. Anything the fast path is not
 * sure of (a bad field, an ISO time with an offset, an unknown key) returns undefined and goes through zod,
 * which then decides and names the problem. A property test holds the two paths to the same answers.
 */
export function fastCanonical(item: unknown, context: DecodeContext): CanonicalFix | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const wire = item as Record<string, unknown>;
  for (const key in wire) if (!WIRE_KEYS.has(key)) return undefined;
  if (wire.deviceId !== undefined && wire.deviceId !== context.deviceId) return undefined;
  if (!DEVICE_ID.test(context.deviceId)) return undefined;
  const { fixTime, lon, lat, accuracyM } = wire;
  let fixTimeMs: number;
  if (typeof fixTime === 'number') {
    if (!Number.isInteger(fixTime) || fixTime < 0) return undefined;
    fixTimeMs = fixTime;
  } else if (typeof fixTime === 'string' && ISO_UTC.test(fixTime)) {
    fixTimeMs = Date.parse(fixTime);
    if (!(fixTimeMs >= 0) || new Date(fixTimeMs).toISOString() !== fixTime) return undefined;
  } else return undefined;
  if (fixTimeMs - context.receivedAtMs > MAX_FUTURE_SKEW_MS) return undefined;
  if (!inRange(lon, -180, 180) || !inRange(lat, -90, 90) || !inRange(accuracyM, 0, 10_000)) return undefined;
  const { altitudeM, speedMps, headingDeg, batteryPct, satellites, fixType, sequence } = wire;
  if (
    !optionalIn(altitudeM, -Number.MAX_VALUE, Number.MAX_VALUE) ||
    !optionalIn(speedMps, 0, Number.MAX_VALUE) ||
    !optionalIn(headingDeg, 0, 360) ||
    !optionalIn(batteryPct, 0, 100) ||
    !optionalInteger(satellites, 0, 255) ||
    !optionalInteger(sequence, 0, Number.MAX_SAFE_INTEGER) ||
    (fixType !== undefined && !FIX_TYPE_SET.has(fixType))
  ) {
    return undefined;
  }
  const fix: CanonicalFix = {
    deviceId: context.deviceId,
    fixTimeMs,
    receivedAtMs: context.receivedAtMs,
    lon,
    lat,
    accuracyM,
  };
  if (altitudeM !== undefined) fix.altitudeM = altitudeM as number;
  if (speedMps !== undefined) fix.speedMps = speedMps as number;
  if (headingDeg !== undefined) fix.headingDeg = headingDeg as number;
  if (batteryPct !== undefined) fix.batteryPct = batteryPct as number;
  if (satellites !== undefined) fix.satellites = satellites as number;
  if (fixType !== undefined) fix.fixType = fixType as CanonicalFix['fixType'];
  if (sequence !== undefined) fix.sequence = sequence as number;
  return fix;
}

function toCanonical(item: unknown, context: DecodeContext): { fix?: CanonicalFix; reason?: string } {
  const fast = fastCanonical(item, context);
  return fast ? { fix: fast } : checkedCanonical(item, context);
}

/** The full check with zod: decides every item the fast path leaves, and names what is wrong. */
export function checkedCanonical(
  item: unknown,
  context: DecodeContext,
): { fix?: CanonicalFix; reason?: string } {
  const wire = wireFixSchema.safeParse(item);
  if (!wire.success) return { reason: describeIssues(wire.error) };
  const { deviceId, fixTime, ...rest } = wire.data;
  if (deviceId !== undefined && deviceId !== context.deviceId) {
    return { reason: `deviceId "${deviceId}" does not match the topic's device "${context.deviceId}"` };
  }
  const fixTimeMs = typeof fixTime === 'number' ? fixTime : Date.parse(fixTime);
  const result = parseCanonicalFix({
    ...rest,
    deviceId: context.deviceId,
    fixTimeMs,
    receivedAtMs: context.receivedAtMs,
  });
  return result.ok ? { fix: result.fix } : { reason: result.reason };
}

export const canonicalJsonCodec: FixCodec = {
  name: 'canonical-json',

  decode(payload: Uint8Array, context: DecodeContext): DecodeResult {
    let body: unknown;
    try {
      body = JSON.parse(UTF8.decode(payload));
    } catch (error) {
      return {
        fixes: [],
        rejected: [{ index: -1, reason: `payload is not UTF-8 JSON: ${(error as Error).message}` }],
      };
    }
    const items = Array.isArray(body) ? body : [body];
    if (Array.isArray(body) && body.length === 0) {
      return { fixes: [], rejected: [{ index: -1, reason: 'batch is empty: expected at least one fix' }] };
    }
    if (items.length > MAX_BATCH_FIXES) {
      return {
        fixes: [],
        rejected: [
          { index: -1, reason: `batch has ${items.length} fixes; at most ${MAX_BATCH_FIXES} are accepted` },
        ],
      };
    }
    const result: DecodeResult = { fixes: [], rejected: [] };
    items.forEach((item, index) => {
      const { fix, reason } = toCanonical(item, context);
      if (fix) result.fixes.push(fix);
      else result.rejected.push({ index: Array.isArray(body) ? index : -1, reason: reason ?? 'invalid fix' });
    });
    return result;
  },

  encode(fixes) {
    const wire: CanonicalJsonFix[] = fixes.map(({ fixTimeMs, ...rest }) => ({
      fixTime: new Date(fixTimeMs).toISOString(),
      ...rest,
    }));
    return new TextEncoder().encode(JSON.stringify(wire.length === 1 ? wire[0] : wire));
  },
};
