/**
 * What a device says on `lookout/v1/devices/{d}/status` (DESIGN.md, "MQTT contract"): retained, and also its
 * last will, so the broker announces `offline` when the device drops without saying goodbye. The payload is
 * `online` or `offline` as plain text, or JSON `{ "state": "online" | "offline", "time"?: ISO 8601 or epoch ms }`.
 * An empty payload is how MQTT deletes a retained message: the server takes it as no statement at all.
 */
export type DeviceConnectionState = 'online' | 'offline';

/** A status payload is a word or a small JSON object; anything longer is refused. */
export const MAX_STATUS_PAYLOAD_BYTES = 512;

export interface DeviceStatusReport {
  state: DeviceConnectionState;
  /** When the device says the state began; absent: when Lookout received it. */
  atMs?: number;
}

export type DeviceStatusParseResult =
  { ok: true; report: DeviceStatusReport } | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function state(value: unknown): DeviceConnectionState | undefined {
  if (typeof value !== 'string') return undefined;
  const word = value.trim().toLowerCase();
  return word === 'online' || word === 'offline' ? word : undefined;
}

/** Parses a status payload; a bad one gets a reason naming what was wrong. */
export function parseDeviceStatus(payload: Uint8Array): DeviceStatusParseResult {
  if (payload.length === 0)
    return { ok: false, reason: 'status payload is empty: expected "online" or "offline"' };
  if (payload.length > MAX_STATUS_PAYLOAD_BYTES) {
    return {
      ok: false,
      reason: `status payload is ${payload.length} bytes; at most ${MAX_STATUS_PAYLOAD_BYTES}`,
    };
  }
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return { ok: false, reason: 'status payload is not UTF-8' };
  }
  const word = state(text);
  if (word) return { ok: true, report: { state: word } };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {
      ok: false,
      reason: `status payload "${text.slice(0, 40)}" is neither "online", "offline" nor JSON`,
    };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, reason: 'status JSON must be an object: { "state": "online" | "offline", "time"? }' };
  }
  const { state: raw, time, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) return { ok: false, reason: `status JSON has unknown field(s): ${extra.join(', ')}` };
  const parsed = state(raw);
  if (!parsed) return { ok: false, reason: 'state: must be "online" or "offline"' };
  if (time === undefined) return { ok: true, report: { state: parsed } };
  const atMs = typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) : NaN;
  if (
    !Number.isInteger(atMs) ||
    atMs < 0 ||
    (typeof time === 'string' && !/(Z|[+-]\d\d:?\d\d)$/.test(time))
  ) {
    return { ok: false, reason: 'time: must be ISO 8601 with a time zone, or epoch milliseconds' };
  }
  return { ok: true, report: { state: parsed, atMs } };
}
