import fc from 'fast-check';
import { DEVICE_EVENT_KINDS } from '../../../libs/telemetry/src/index.js';
import { jsonBytes } from '../testing/fixtures.js';
import { decodeDeviceEvents, encodeDeviceEvents } from './canonical-event-json.codec.js';

const context = { deviceId: 'dev-1', receivedAtMs: Date.parse('2026-11-21T10:00:05Z') };
const sos = { eventTime: '2026-11-21T10:00:00.000Z', kind: 'sos', lon: -1.5, lat: 52.9, accuracyM: 4 };

describe('canonical device event JSON (lookout/v1/devices/{d}/event)', () => {
  it('decodes one event, taking the device from the topic', () => {
    expect(decodeDeviceEvents(jsonBytes(sos), context)).toEqual({
      events: [
        {
          deviceId: 'dev-1',
          receivedAtMs: context.receivedAtMs,
          eventTimeMs: Date.parse('2026-11-21T10:00:00Z'),
          kind: 'sos',
          lon: -1.5,
          lat: 52.9,
          accuracyM: 4,
        },
      ],
      rejected: [],
    });
  });

  it('keeps the good events of a batch and names the bad item and field', () => {
    const batch = [
      { eventTime: 1_700_000_000_000, kind: 'battery', batteryPct: 12 },
      { eventTime: 1_700_000_000_000, kind: 'battery' },
      { ...sos, lat: undefined },
      { ...sos, kind: 'explode' },
      { ...sos, colour: 'red' },
      { ...sos, deviceId: 'other' },
      { eventTime: '2026-11-21T10:06:00Z', kind: 'tamper' },
      {
        eventTime: '2026-11-21T10:00:00Z',
        kind: 'zone-exit',
        zoneRef: 'cess-north',
        detail: 'left safe zone',
      },
    ];
    const result = decodeDeviceEvents(jsonBytes(batch), context);
    expect(result.events.map((event) => event.kind)).toEqual(['battery', 'zone-exit']);
    expect(result.rejected).toEqual([
      { index: 1, reason: 'batteryPct: a battery event needs batteryPct' },
      { index: 2, reason: 'lat: lon and lat must be given together' },
      { index: 3, reason: expect.stringMatching(/^kind: /) },
      { index: 4, reason: expect.stringMatching(/colour/) },
      { index: 5, reason: 'deviceId "other" does not match the topic\'s device "dev-1"' },
      { index: 6, reason: 'eventTime is 355 s after the receive time; at most 300 s is accepted' },
    ]);
  });

  it('refuses non-JSON and empty batches whole, never throwing', () => {
    expect(decodeDeviceEvents(new Uint8Array([0xff]), context).rejected[0]?.reason).toMatch(/not UTF-8 JSON/);
    expect(decodeDeviceEvents(jsonBytes([]), context).rejected).toEqual([
      { index: -1, reason: 'batch is empty: expected at least one event' },
    ]);
  });

  it('round-trips what it encodes', () => {
    const event = fc.record(
      {
        eventTimeMs: fc.integer({ min: 0, max: context.receivedAtMs }),
        kind: fc.constantFrom(...DEVICE_EVENT_KINDS.filter((kind) => kind !== 'battery')),
        zoneRef: fc.string({ minLength: 1, maxLength: 50 }),
        detail: fc.string({ maxLength: 200 }),
      },
      { requiredKeys: ['eventTimeMs', 'kind'] },
    );
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 10 }), (events) => {
        const decoded = decodeDeviceEvents(encodeDeviceEvents(events), context);
        expect(decoded.rejected).toEqual([]);
        expect(decoded.events).toEqual(
          events.map((e) => ({ ...e, deviceId: 'dev-1', receivedAtMs: context.receivedAtMs })),
        );
      }),
    );
  });
});
