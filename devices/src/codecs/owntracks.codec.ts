import { z } from 'zod';
import {
  describeIssues,
  parseCanonicalDeviceEvent,
  parseCanonicalFix,
  type CanonicalDeviceEvent,
  type CanonicalFix,
  type DecodeContext,
  type DecodeResult,
  type FixCodec,
} from '../../../libs/telemetry/src/index.js';
import {
  isRecord,
  jsonItems,
  MPS_PER_KMH,
  readUtf8Json,
  rejectWhole,
  SIGMA_TO_R95,
} from './codec-support.js';

/**
 * OwnTracks JSON (https://owntracks.org/booklet/tech/json/).
 *
 * - `_type: "location"` becomes a fix; `_type: "transition"` becomes a `zone-enter`/`zone-exit` device event.
 * - Every other `_type` (lwt, waypoint(s), cmd, card, configuration, beacon, steps, status, request,
 *   encrypted) is REJECTED with a reason naming the type: it carries no fix, and a dead letter keeps it
 *   visible rather than silently dropped.
 *
 * Accuracy: the booklet gives `acc` only as "accuracy of the reported location in meters" with no
 * confidence level. The apps copy the platform value: Android's `Location.getAccuracy()` is documented as
 * the radius of 68% confidence; iOS's `horizontalAccuracy` gives no level and is treated the same. Lookout
 * wants 95%, so for a circular normal error: R68 = σ·sqrt(-2·ln 0.32) = 1.5096σ, R95 = 2.4477σ, and
 * accuracyM = acc × OWNTRACKS_ACC_TO_R95 (≈ 1.6215).
 */
export const OWNTRACKS_R68_PER_SIGMA = Math.sqrt(-2 * Math.log(0.32));
export const OWNTRACKS_ACC_TO_R95 = SIGMA_TO_R95 / OWNTRACKS_R68_PER_SIGMA;

const epochSeconds = z.number().int('must be integer epoch seconds').nonnegative();

const locationSchema = z.object({
  _type: z.literal('location'),
  lat: z.number(),
  lon: z.number(),
  tst: epochSeconds,
  acc: z.number({
    message: 'acc is required: Lookout needs a horizontal accuracy (OwnTracks omits acc when 0)',
  }),
  alt: z.number().optional(),
  vel: z.number().optional(),
  cog: z.number().optional(),
  batt: z.number().optional(),
});

const transitionSchema = z.object({
  _type: z.literal('transition'),
  event: z.enum(['enter', 'leave'], { message: 'event must be "enter" or "leave"' }),
  tst: epochSeconds,
  wtst: epochSeconds.optional(),
  acc: z.number().optional(),
  lat: z.number().optional(),
  lon: z.number().optional(),
  desc: z.string().optional(),
  rid: z.string().optional(),
  t: z.string().optional(),
});

type Outcome = { fix: CanonicalFix } | { event: CanonicalDeviceEvent } | { reason: string };

function toR95(acc: number): number {
  return acc * OWNTRACKS_ACC_TO_R95;
}

function decodeLocation(item: unknown, context: DecodeContext): Outcome {
  const wire = locationSchema.safeParse(item);
  if (!wire.success) return { reason: describeIssues(wire.error) };
  const { lat, lon, tst, acc, alt, vel, cog, batt } = wire.data;
  const result = parseCanonicalFix({
    deviceId: context.deviceId,
    receivedAtMs: context.receivedAtMs,
    fixTimeMs: tst * 1000,
    lon,
    lat,
    accuracyM: toR95(acc),
    altitudeM: alt,
    speedMps: vel === undefined ? undefined : vel * MPS_PER_KMH,
    headingDeg: cog,
    batteryPct: batt,
  });
  return result.ok ? { fix: result.fix } : { reason: result.reason };
}

function decodeTransition(item: unknown, context: DecodeContext): Outcome {
  const wire = transitionSchema.safeParse(item);
  if (!wire.success) return { reason: describeIssues(wire.error) };
  const { event, tst, wtst, acc, lat, lon, desc, rid, t } = wire.data;
  const detail = [
    `OwnTracks transition ${event}`,
    t === undefined ? undefined : `trigger ${t}`,
    wtst === undefined ? undefined : `waypoint created ${new Date(wtst * 1000).toISOString()}`,
  ]
    .filter((part) => part !== undefined)
    .join('; ');
  const result = parseCanonicalDeviceEvent({
    deviceId: context.deviceId,
    receivedAtMs: context.receivedAtMs,
    eventTimeMs: tst * 1000,
    kind: event === 'enter' ? 'zone-enter' : 'zone-exit',
    zoneRef: desc ?? rid,
    lat,
    lon,
    accuracyM: acc === undefined || lat === undefined ? undefined : toR95(acc),
    detail,
  });
  return result.ok ? { event: result.event } : { reason: result.reason };
}

function decodeItem(item: unknown, context: DecodeContext): Outcome {
  if (!isRecord(item)) return { reason: 'expected an OwnTracks JSON object' };
  const type = item['_type'];
  if (type === 'location') return decodeLocation(item, context);
  if (type === 'transition') return decodeTransition(item, context);
  if (typeof type !== 'string') return { reason: '_type: required, a string' };
  return { reason: `_type "${type}" carries no fix; only "location" and "transition" are decoded` };
}

/** A fix as OwnTracks writes it: integer `acc`/`alt`/`vel`/`cog`/`batt` (booklet), epoch seconds. */
export interface OwnTracksLocation {
  _type: 'location';
  tst: number;
  lat: number;
  lon: number;
  acc: number;
  alt?: number;
  vel?: number;
  cog?: number;
  batt?: number;
}

export const owntracksCodec: FixCodec = {
  name: 'owntracks',

  decode(payload: Uint8Array, context: DecodeContext): DecodeResult {
    const read = readUtf8Json(payload);
    if (!read.ok) return { fixes: [], rejected: [read.rejected] };
    const batch = jsonItems(read.body, 'OwnTracks message');
    if (!batch.ok) return rejectWhole(batch.reason);
    const result: DecodeResult & { events: CanonicalDeviceEvent[] } = { fixes: [], rejected: [], events: [] };
    batch.items.forEach((item, index) => {
      const outcome = decodeItem(item, context);
      if ('fix' in outcome) result.fixes.push(outcome.fix);
      else if ('event' in outcome) result.events.push(outcome.event);
      else result.rejected.push({ index: batch.isBatch ? index : -1, reason: outcome.reason });
    });
    return result;
  },

  /**
   * Writes booklet-conformant integers: time to the second, acc/alt/vel/cog/batt rounded to whole units.
   * Fields OwnTracks has no element for (satellites, fixType, sequence) are dropped.
   */
  encode(fixes) {
    const wire: OwnTracksLocation[] = fixes.map((fix) => ({
      _type: 'location',
      tst: Math.round(fix.fixTimeMs / 1000),
      lat: fix.lat,
      lon: fix.lon,
      acc: Math.round(fix.accuracyM / OWNTRACKS_ACC_TO_R95),
      ...(fix.altitudeM === undefined ? {} : { alt: Math.round(fix.altitudeM) }),
      ...(fix.speedMps === undefined ? {} : { vel: Math.round(fix.speedMps / MPS_PER_KMH) }),
      ...(fix.headingDeg === undefined ? {} : { cog: Math.round(fix.headingDeg) }),
      ...(fix.batteryPct === undefined ? {} : { batt: Math.round(fix.batteryPct) }),
    }));
    return new TextEncoder().encode(JSON.stringify(wire.length === 1 ? wire[0] : wire));
  },
};
