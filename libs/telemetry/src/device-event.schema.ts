import { z } from 'zod';
import { deviceIdSchema, describeIssues, MAX_FUTURE_SKEW_MS } from './fix.schema.js';

/**
 * What a device reports on `lookout/v1/devices/{d}/event` (DESIGN.md, "Data flow"): its own alerts,
 * SOS, battery, tamper, and zone transitions it computed itself (e.g. OwnTracks `transition`).
 */
export const DEVICE_EVENT_KINDS = [
  'alert-raised',
  'alert-cleared',
  'sos',
  'battery',
  'tamper',
  'zone-enter',
  'zone-exit',
] as const;
export type DeviceEventKind = (typeof DEVICE_EVENT_KINDS)[number];

/** Free text and references are bounded: a device cannot push unbounded strings into the evidence store. */
export const MAX_EVENT_DETAIL_CHARS = 1000;
export const MAX_ZONE_REF_CHARS = 200;

/**
 * The canonical device event: what every event decoder produces. `eventTimeMs` is the device clock,
 * `receivedAtMs` the server's. A position, when present, is a complete lon/lat pair; `accuracyM` is
 * metres at 95% confidence, as for fixes.
 */
export const canonicalDeviceEventSchema = z
  .object({
    deviceId: deviceIdSchema,
    eventTimeMs: z.number().int('eventTimeMs must be an integer number of milliseconds').nonnegative(),
    receivedAtMs: z.number().int().nonnegative(),
    kind: z.enum(DEVICE_EVENT_KINDS),
    /** The device's own name for the zone (OwnTracks waypoint `desc`/`rid`, a supplier zone id). */
    zoneRef: z.string().min(1).max(MAX_ZONE_REF_CHARS).optional(),
    batteryPct: z.number().finite().min(0).max(100).optional(),
    lon: z
      .number()
      .finite()
      .min(-180, 'lon must be within [-180, 180]')
      .max(180, 'lon must be within [-180, 180]')
      .optional(),
    lat: z
      .number()
      .finite()
      .min(-90, 'lat must be within [-90, 90]')
      .max(90, 'lat must be within [-90, 90]')
      .optional(),
    accuracyM: z
      .number()
      .finite()
      .nonnegative('accuracyM must be >= 0')
      .max(10_000, 'accuracyM must be <= 10000')
      .optional(),
    detail: z.string().max(MAX_EVENT_DETAIL_CHARS).optional(),
  })
  .superRefine((event, ctx) => {
    if ((event.lon === undefined) !== (event.lat === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [event.lon === undefined ? 'lon' : 'lat'],
        message: 'lon and lat must be given together',
      });
    }
    if (event.accuracyM !== undefined && event.lon === undefined) {
      ctx.addIssue({ code: 'custom', path: ['accuracyM'], message: 'accuracyM needs a lon/lat position' });
    }
    if (event.kind === 'battery' && event.batteryPct === undefined) {
      ctx.addIssue({ code: 'custom', path: ['batteryPct'], message: 'a battery event needs batteryPct' });
    }
  });

export type CanonicalDeviceEvent = z.infer<typeof canonicalDeviceEventSchema>;

export type DeviceEventParseResult =
  { ok: true; event: CanonicalDeviceEvent } | { ok: false; reason: string };

/**
 * Validates a decoded event candidate at the edge, with the same clock rule as fixes: an event may not be
 * dated more than MAX_FUTURE_SKEW_MS after it was received.
 */
export function parseCanonicalDeviceEvent(candidate: unknown): DeviceEventParseResult {
  const parsed = canonicalDeviceEventSchema.safeParse(candidate);
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error) };
  const event = parsed.data;
  const aheadMs = event.eventTimeMs - event.receivedAtMs;
  if (aheadMs > MAX_FUTURE_SKEW_MS) {
    return {
      ok: false,
      reason: `eventTime is ${Math.round(aheadMs / 1000)} s after the receive time; at most ${MAX_FUTURE_SKEW_MS / 1000} s is accepted`,
    };
  }
  return { ok: true, event };
}
