import { z } from 'zod';
import {
  DEVICE_EVENT_KINDS,
  describeIssues,
  parseCanonicalDeviceEvent,
  type CanonicalDeviceEvent,
  type DecodeContext,
  type DeviceEventDecodeResult,
} from '../../../libs/telemetry/src/index.js';
import { jsonItems, readUtf8Json } from './codec-support.js';

/**
 * Canonical JSON for `lookout/v1/devices/{d}/event`: one event object or an array of them.
 *
 * ```json
 * { "eventTime": "2026-11-21T10:00:00.000Z", "kind": "zone-exit", "zoneRef": "cess-north", "lon": -1.2, "lat": 52.9, "accuracyM": 4 }
 * ```
 * `eventTime` is ISO 8601 with a zone, or epoch milliseconds. Same conventions as canonical fixes: the
 * device id comes from the topic (a `deviceId` in the payload must match it), unknown fields are refused,
 * bad items are rejected by index and the good ones kept.
 */
const wireEventSchema = z
  .object({
    deviceId: z.string().optional(),
    eventTime: z.union([
      z.number().int('eventTime in milliseconds must be an integer'),
      z.iso.datetime({ offset: true, message: 'eventTime must be ISO 8601 with a time zone, or epoch ms' }),
    ]),
    kind: z.enum(DEVICE_EVENT_KINDS),
    zoneRef: z.string().optional(),
    batteryPct: z.number().optional(),
    lon: z.number().optional(),
    lat: z.number().optional(),
    accuracyM: z.number().optional(),
    detail: z.string().optional(),
  })
  .strict();

export type CanonicalJsonEvent = z.input<typeof wireEventSchema>;

function toCanonical(
  item: unknown,
  context: DecodeContext,
): { event: CanonicalDeviceEvent } | { reason: string } {
  const wire = wireEventSchema.safeParse(item);
  if (!wire.success) return { reason: describeIssues(wire.error) };
  const { deviceId, eventTime, ...rest } = wire.data;
  if (deviceId !== undefined && deviceId !== context.deviceId) {
    return { reason: `deviceId "${deviceId}" does not match the topic's device "${context.deviceId}"` };
  }
  const parsed = parseCanonicalDeviceEvent({
    ...rest,
    deviceId: context.deviceId,
    receivedAtMs: context.receivedAtMs,
    eventTimeMs: typeof eventTime === 'number' ? eventTime : Date.parse(eventTime),
  });
  return parsed.ok ? { event: parsed.event } : { reason: parsed.reason };
}

/** Decodes a `lookout/v1/devices/{d}/event` payload; never throws. */
export function decodeDeviceEvents(payload: Uint8Array, context: DecodeContext): DeviceEventDecodeResult {
  const read = readUtf8Json(payload);
  if (!read.ok) return { events: [], rejected: [read.rejected] };
  const batch = jsonItems(read.body, 'event');
  if (!batch.ok) return { events: [], rejected: [{ index: -1, reason: batch.reason }] };
  const result: DeviceEventDecodeResult = { events: [], rejected: [] };
  batch.items.forEach((item, index) => {
    const outcome = toCanonical(item, context);
    if ('event' in outcome) result.events.push(outcome.event);
    else result.rejected.push({ index: batch.isBatch ? index : -1, reason: outcome.reason });
  });
  return result;
}

/** Encodes events for the event topic (simulated wearables, tests); one event is written as an object. */
export function encodeDeviceEvents(
  events: readonly Omit<CanonicalDeviceEvent, 'deviceId' | 'receivedAtMs'>[],
): Uint8Array {
  const wire: CanonicalJsonEvent[] = events.map(({ eventTimeMs, ...rest }) => ({
    eventTime: new Date(eventTimeMs).toISOString(),
    ...rest,
  }));
  return new TextEncoder().encode(JSON.stringify(wire.length === 1 ? wire[0] : wire));
}
