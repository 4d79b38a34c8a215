import fc from 'fast-check';
import { contextFor, encodableBatch, expectFixClose } from '../testing/fix.arbitrary.js';
import { fixtureBytes, jsonBytes } from '../testing/fixtures.js';
import { OWNTRACKS_ACC_TO_R95, owntracksCodec } from './owntracks.codec.js';

const context = { deviceId: 'phone-1', receivedAtMs: Date.parse('2026-11-21T10:00:00Z') };

describe('OwnTracks codec', () => {
  it('maps the booklet location example to a fix, acc (68%) scaled to 95%', () => {
    const result = owntracksCodec.decode(fixtureBytes('owntracks', 'location.booklet.json'), context);
    expect(result.rejected).toEqual([]);
    expect(result.fixes).toEqual([
      {
        deviceId: 'phone-1',
        receivedAtMs: context.receivedAtMs,
        fixTimeMs: 1376715317000,
        lat: 48.858331,
        lon: 2.294458,
        accuracyM: 75 * OWNTRACKS_ACC_TO_R95,
        altitudeM: 13,
        speedMps: 15, // 54 km/h
        headingDeg: 270,
        batteryPct: 85,
      },
    ]);
    expect(OWNTRACKS_ACC_TO_R95).toBeCloseTo(1.6215, 4);
  });

  it('maps a transition to a zone-exit device event', () => {
    const result = owntracksCodec.decode(fixtureBytes('owntracks', 'transition.booklet.json'), context);
    expect(result.fixes).toEqual([]);
    expect(result.rejected).toEqual([]);
    expect(result.events).toEqual([
      {
        deviceId: 'phone-1',
        receivedAtMs: context.receivedAtMs,
        eventTimeMs: 1527966973000,
        kind: 'zone-exit',
        zoneRef: 'Work',
        lat: 42.53,
        lon: 18.22,
        accuracyM: 10 * OWNTRACKS_ACC_TO_R95,
        detail: 'OwnTracks transition leave; trigger c; waypoint created 2018-04-20T17:09:55.000Z',
      },
    ]);
  });

  it('maps enter to zone-enter and falls back to rid for the zone', () => {
    const result = owntracksCodec.decode(
      jsonBytes({ _type: 'transition', event: 'enter', tst: 1700000000, acc: 5, rid: 'r-7' }),
      context,
    );
    expect(result.events?.[0]).toMatchObject({ kind: 'zone-enter', zoneRef: 'r-7' });
    expect(result.events?.[0]?.accuracyM).toBeUndefined();
  });

  it('rejects other _types with a reason naming the type', () => {
    const result = owntracksCodec.decode(fixtureBytes('owntracks', 'lwt.booklet.json'), context);
    expect(result.fixes).toEqual([]);
    expect(result.rejected).toEqual([
      { index: -1, reason: '_type "lwt" carries no fix; only "location" and "transition" are decoded' },
    ]);
  });

  it('keeps good items of a batch beside bad ones, naming index and field', () => {
    const good = { _type: 'location', lat: 52.9, lon: -1.2, tst: 1700000000, acc: 4 };
    const batch = [
      good,
      { ...good, acc: undefined },
      { ...good, lat: 95 },
      { _type: 'waypoint', desc: 'Home', tst: 1 },
      { _type: 'transition', event: 'stay', tst: 1700000000 },
      { ...good, tst: 1700000001 },
    ];
    const result = owntracksCodec.decode(jsonBytes(batch), context);
    expect(result.fixes.map((fix) => fix.fixTimeMs)).toEqual([1700000000000, 1700000001000]);
    expect(result.rejected.map((item) => item.index)).toEqual([1, 2, 3, 4]);
    expect(result.rejected[0]?.reason).toMatch(/^acc: acc is required/);
    expect(result.rejected[1]?.reason).toBe('lat: lat must be within [-90, 90]');
    expect(result.rejected[2]?.reason).toMatch(/_type "waypoint"/);
    expect(result.rejected[3]?.reason).toMatch(/^event: event must be "enter" or "leave"/);
  });

  it('rejects non-JSON, non-objects and a missing _type without throwing', () => {
    expect(owntracksCodec.decode(new Uint8Array([0x7b]), context).rejected[0]?.reason).toMatch(
      /not UTF-8 JSON/,
    );
    expect(owntracksCodec.decode(jsonBytes([42]), context).rejected[0]).toEqual({
      index: 0,
      reason: 'expected an OwnTracks JSON object',
    });
    expect(owntracksCodec.decode(jsonBytes({ lat: 1 }), context).rejected[0]?.reason).toBe(
      '_type: required, a string',
    );
  });

  it('applies the five-minute future rule to fixes and events', () => {
    const tst = context.receivedAtMs / 1000 + 600;
    const result = owntracksCodec.decode(
      jsonBytes([
        { _type: 'location', lat: 1, lon: 1, tst, acc: 3 },
        { _type: 'transition', event: 'enter', tst },
      ]),
      context,
    );
    expect(result.rejected.map((item) => item.reason)).toEqual([
      'fixTime is 600 s after the receive time; at most 300 s is accepted',
      'eventTime is 600 s after the receive time; at most 300 s is accepted',
    ]);
  });

  it('round-trips within OwnTracks precision (seconds, whole units)', () => {
    fc.assert(
      fc.property(encodableBatch({ maxAccuracyM: 9990 }), (fixes) => {
        const decoded = owntracksCodec.decode(owntracksCodec.encode!(fixes), contextFor(fixes));
        expect(decoded.rejected).toEqual([]);
        expect(decoded.fixes).toHaveLength(fixes.length);
        fixes.forEach(({ satellites: _s, fixType: _f, sequence: _q, ...expected }, index) =>
          expectFixClose(decoded.fixes[index], expected, {
            fixTimeMs: 500,
            accuracyM: OWNTRACKS_ACC_TO_R95 / 2 + 1e-9,
            altitudeM: 0.5,
            speedMps: 1 / 3.6 / 2 + 1e-9,
            headingDeg: 0.5,
            batteryPct: 0.5,
          }),
        );
      }),
    );
  });
});
