import { canonicalDeviceEventSchema, parseCanonicalDeviceEvent } from './device-event.schema.js';

const base = { deviceId: 'dev-1', eventTimeMs: 1_000, receivedAtMs: 2_000, kind: 'sos' as const };

describe('canonical device event', () => {
  it('accepts a minimal event and one with a full position', () => {
    expect(parseCanonicalDeviceEvent(base)).toEqual({ ok: true, event: base });
    const located = { ...base, kind: 'zone-enter', zoneRef: 'z1', lon: 1, lat: 2, accuracyM: 3, detail: 'x' };
    expect(parseCanonicalDeviceEvent(located)).toEqual({ ok: true, event: located });
  });

  it('names the field of each rule it breaks', () => {
    const result = parseCanonicalDeviceEvent({ ...base, kind: 'battery', lon: 200 });
    expect(result).toEqual({
      ok: false,
      reason:
        'lon: lon must be within [-180, 180]; lat: lon and lat must be given together; batteryPct: a battery event needs batteryPct',
    });
    expect(
      canonicalDeviceEventSchema
        .safeParse({ ...base, kind: 'battery', lon: 1 })
        .error?.issues.map((i) => i.path[0]),
    ).toEqual(['lat', 'batteryPct']);
  });

  it('refuses an event dated more than five minutes after receipt', () => {
    expect(parseCanonicalDeviceEvent({ ...base, eventTimeMs: 2_000 + 301_000 })).toEqual({
      ok: false,
      reason: 'eventTime is 301 s after the receive time; at most 300 s is accepted',
    });
  });
});
