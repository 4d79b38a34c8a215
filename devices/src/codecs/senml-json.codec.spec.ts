import fc from 'fast-check';
import { contextFor, encodableBatch, expectFixClose } from '../testing/fix.arbitrary.js';
import { fixtureBytes, jsonBytes } from '../testing/fixtures.js';
import { senmlJsonCodec } from './senml-json.codec.js';

const context = { deviceId: 'senml-1', receivedAtMs: Date.parse('2026-11-21T10:00:00Z') };
const t0 = 1.320067464e9 * 1000;

describe('SenML JSON codec', () => {
  it('reads the RFC 8428 §5.1.3 example: positions lack acc (rejected), %EL becomes a battery event', () => {
    const result = senmlJsonCodec.decode(
      fixtureBytes('senml-json', 'rfc8428-5.1.3-multiple-data-points.json'),
      context,
    );
    expect(result.fixes).toEqual([]);
    expect(result.rejected).toEqual([
      {
        index: 1,
        reason:
          'records 1, 2 at 2011-10-31T13:24:24.000Z: missing acc (Lookout needs lat, lon and acc in metres at one time)',
      },
      { index: 4, reason: expect.stringMatching(/^records 4, 5 at 2011-10-31T13:25:24.000Z: missing acc/) },
      { index: 7, reason: expect.stringMatching(/^records 7, 8 at .*: missing acc/) },
      { index: 11, reason: expect.stringMatching(/^records 11, 12 at .*: missing acc/) },
    ]);
    expect(result.events).toEqual([
      {
        deviceId: 'senml-1',
        receivedAtMs: context.receivedAtMs,
        eventTimeMs: t0 + 150_000,
        kind: 'battery',
        batteryPct: 98,
      },
    ]);
  });

  it('groups the example with acc records added into four fixes', () => {
    const result = senmlJsonCodec.decode(fixtureBytes('senml-json', 'rfc8428-5.1.3-with-acc.json'), context);
    expect(result.rejected).toEqual([]);
    expect(result.fixes.map((fix) => [fix.fixTimeMs, fix.lon, fix.lat, fix.accuracyM])).toEqual([
      [t0, 24.30621, 60.07965, 4.5],
      [t0 + 60_000, 24.30622, 60.07965, 3.8],
      [t0 + 120_000, 24.30623, 60.07966, 3.1],
      [t0 + 180_000, 24.30628, 60.07967, 2.9],
    ]);
    expect(result.fixes[3]?.speedMps).toBe(1.4);
    expect(result.events).toHaveLength(1);
  });

  it('rejects a pack with no location or battery record whole (RFC 8428 §5.1.2 voltage example)', () => {
    const result = senmlJsonCodec.decode(
      fixtureBytes('senml-json', 'rfc8428-5.1.2-voltage-current.json'),
      context,
    );
    expect(result.fixes).toEqual([]);
    expect(result.rejected).toEqual([
      { index: -1, reason: expect.stringMatching(/^SenML pack has no location or battery records/) },
    ]);
  });

  it('resolves relative times (< 2^28 s) against the receive time, RFC 8428 §4.5.3', () => {
    const pack = [
      { bn: 'dev:', n: 'lat', v: 52.1, t: -10 },
      { n: 'lon', v: -1.1, t: -10 },
      { n: 'acc', u: 'm', v: 3, t: -10 },
      { n: 'lat', v: 52.2 },
      { n: 'lon', v: -1.2 },
      { n: 'acc', u: 'm', v: 2 },
    ];
    const result = senmlJsonCodec.decode(jsonBytes(pack), context);
    expect(result.rejected).toEqual([]);
    expect(result.fixes.map((fix) => fix.fixTimeMs)).toEqual([
      context.receivedAtMs - 10_000,
      context.receivedAtMs,
    ]);
  });

  it('applies base value, converts heading in rad, reads fix type from vs', () => {
    const pack = [
      { bt: 1.7e9, bv: 50, n: 'lat', v: 2.5 },
      { n: 'lon', v: -51 },
      { n: 'acc', u: 'm', v: -47 },
      { n: 'hdg', u: 'rad', v: Math.PI / 2 - 50 },
      { n: 'fix', vs: 'rtk-fixed' },
    ];
    const fix = senmlJsonCodec.decode(jsonBytes(pack), context).fixes[0];
    expect(fix).toMatchObject({ lat: 52.5, lon: -1, accuracyM: 3, fixType: 'rtk-fixed' });
    expect(fix?.headingDeg).toBeCloseTo(90, 10);
  });

  it('names the record and reason for bad records, and keeps the good fix', () => {
    const pack = [
      { bt: 1.7e9, n: 'lat', v: 52.5 },
      { n: 'lon', v: -1 },
      { n: 'acc', u: 'm', v: 3 },
      { n: 'acc', u: 'km', v: 3, t: 1 },
      { n: 'lat', vs: 'north', t: 2 },
      { n: 5, v: 1 },
      'not a record',
      { n: 'lat', v: 52.5 },
    ];
    const result = senmlJsonCodec.decode(jsonBytes(pack), context);
    expect(result.fixes).toHaveLength(1);
    expect(result.rejected).toEqual([
      { index: 3, reason: 'record 3: acc: unit "km" is not "m"' },
      { index: 4, reason: 'record 4: lat: needs a numeric value (v)' },
      { index: 5, reason: 'record 5: n: expected a string' },
      { index: 6, reason: 'record 6: expected a SenML record (a map of labels)' },
      { index: 7, reason: 'record 7: second lat at 2023-11-14T22:13:20.000Z' },
    ]);
  });

  it('refuses a pack with a must-understand label or a newer version (RFC 8428 §4.4)', () => {
    expect(senmlJsonCodec.decode(jsonBytes([{ n: 'lat', v: 1, rcp_: 1 }]), context).rejected).toEqual([
      { index: -1, reason: 'record 0: label "rcp_" must be understood (ends in "_") and is not' },
    ]);
    expect(
      senmlJsonCodec.decode(jsonBytes([{ bver: 11, n: 'lat', v: 1 }]), context).rejected[0]?.reason,
    ).toMatch(/bver 11 is newer than SenML version 10/);
    expect(senmlJsonCodec.decode(jsonBytes({ n: 'lat' }), context).rejected[0]?.reason).toMatch(
      /must be an array/,
    );
  });

  it('round-trips exactly (SenML JSON numbers are doubles)', () => {
    fc.assert(
      fc.property(encodableBatch(), (fixes) => {
        const decoded = senmlJsonCodec.decode(senmlJsonCodec.encode!(fixes), contextFor(fixes));
        expect(decoded.rejected).toEqual([]);
        expect(decoded.fixes).toHaveLength(fixes.length);
        fixes.forEach((fix, index) => expectFixClose(decoded.fixes[index], fix, {}));
      }),
    );
  });
});
