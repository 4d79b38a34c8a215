import { z } from 'zod';
import {
  describeIssues,
  FIX_TYPES,
  parseCanonicalFix,
  type CanonicalFix,
  type DecodeContext,
  type DecodeResult,
  type FixCodec,
} from '../../../libs/telemetry/src/index.js';

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

function toCanonical(item: unknown, context: DecodeContext): { fix?: CanonicalFix; reason?: string } {
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
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
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
