import fc from 'fast-check';
import { contextFor, encodableBatch, encodableFix, expectFixClose } from '../testing/fix.arbitrary.js';
import {
  canonicalJsonCodec,
  checkedCanonical,
  fastCanonical,
  MAX_BATCH_FIXES,
} from './canonical-json.codec.js';

const context = { deviceId: 'dev-1', receivedAtMs: Date.parse('2026-11-21T10:00:05Z') };
const bytes = (value: unknown) =>
  new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const goodFix = { fixTime: '2026-11-21T10:00:00.000Z', lon: -1.5, lat: 52.9, accuracyM: 3.2, sequence: 7 };

describe('canonical JSON codec', () => {
  it('decodes one fix, taking the device from the topic context', () => {
    const result = canonicalJsonCodec.decode(bytes(goodFix), context);
    expect(result.rejected).toEqual([]);
    expect(result.fixes).toEqual([
      {
        deviceId: 'dev-1',
        fixTimeMs: Date.parse('2026-11-21T10:00:00Z'),
        receivedAtMs: context.receivedAtMs,
        lon: -1.5,
        lat: 52.9,
        accuracyM: 3.2,
        sequence: 7,
      },
    ]);
  });

  it('accepts epoch milliseconds for fixTime', () => {
    const result = canonicalJsonCodec.decode(bytes({ ...goodFix, fixTime: 1_700_000_000_000 }), context);
    expect(result.fixes[0]?.fixTimeMs).toBe(1_700_000_000_000);
  });

  it('keeps the good fixes of a batch and names the bad item and field', () => {
    const batch = [goodFix, { ...goodFix, lat: 123 }, { ...goodFix, sequence: 9 }];
    const result = canonicalJsonCodec.decode(bytes(batch), context);
    expect(result.fixes.map((fix) => fix.sequence)).toEqual([7, 9]);
    expect(result.rejected).toEqual([{ index: 1, reason: 'lat: lat must be within [-90, 90]' }]);
  });

  it('rejects non-JSON with a reason and never throws', () => {
    const result = canonicalJsonCodec.decode(bytes('{"lon": 1,'), context);
    expect(result.fixes).toEqual([]);
    expect(result.rejected[0]?.reason).toMatch(/^payload is not UTF-8 JSON/);
  });

  it('rejects invalid UTF-8', () => {
    const result = canonicalJsonCodec.decode(new Uint8Array([0xff, 0xfe, 0x7b]), context);
    expect(result.rejected[0]?.reason).toMatch(/not UTF-8 JSON/);
  });

  it('rejects a fix dated more than five minutes after receipt, but accepts a late one', () => {
    const future = { ...goodFix, fixTime: '2026-11-21T10:06:00.000Z' };
    const late = { ...goodFix, fixTime: '2026-11-21T08:00:00.000Z' };
    const result = canonicalJsonCodec.decode(bytes([future, late]), context);
    expect(result.fixes).toHaveLength(1);
    expect(result.rejected[0]?.reason).toMatch(/fixTime is 355 s after the receive time; at most 300 s/);
  });

  it('rejects a payload deviceId that disagrees with the topic', () => {
    const result = canonicalJsonCodec.decode(bytes({ ...goodFix, deviceId: 'other' }), context);
    expect(result.rejected[0]?.reason).toBe('deviceId "other" does not match the topic\'s device "dev-1"');
  });

  it('rejects unknown fields, missing fields and a time without a zone', () => {
    const result = canonicalJsonCodec.decode(
      bytes([
        { ...goodFix, colour: 'red' },
        { lon: 1, lat: 2 },
        { ...goodFix, fixTime: '2026-11-21T10:00:00' },
      ]),
      context,
    );
    expect(result.fixes).toEqual([]);
    expect(result.rejected[0]?.reason).toMatch(/colour/);
    expect(result.rejected[1]?.reason).toMatch(/fixTime/);
    expect(result.rejected[1]?.reason).toMatch(/accuracyM/);
    expect(result.rejected[2]?.reason).toMatch(/ISO 8601/);
  });

  it('refuses empty and oversized batches whole', () => {
    expect(canonicalJsonCodec.decode(bytes([]), context).rejected[0]?.reason).toMatch(/empty/);
    const huge = Array.from({ length: MAX_BATCH_FIXES + 1 }, () => goodFix);
    const result = canonicalJsonCodec.decode(bytes(huge), context);
    expect(result.fixes).toEqual([]);
    expect(result.rejected[0]?.reason).toMatch(/at most 1000/);
  });

  it('round-trips what it encodes', () => {
    const fixes = [
      {
        fixTimeMs: 1_700_000_000_000,
        lon: 0.1,
        lat: 51.5,
        accuracyM: 2,
        sequence: 1,
        fixType: '3d' as const,
      },
      { fixTimeMs: 1_700_000_001_000, lon: 0.2, lat: 51.6, accuracyM: 4.5, batteryPct: 80 },
    ];
    const decoded = canonicalJsonCodec.decode(canonicalJsonCodec.encode!(fixes), {
      deviceId: 'dev-1',
      receivedAtMs: 1_700_000_002_000,
    });
    expect(decoded.rejected).toEqual([]);
    expect(decoded.fixes).toEqual(
      fixes.map((fix) => ({ ...fix, deviceId: 'dev-1', receivedAtMs: 1_700_000_002_000 })),
    );
  });
});

describe('canonical JSON codec properties', () => {
  it('round-trips exactly', () => {
    fc.assert(
      fc.property(encodableBatch(), (fixes) => {
        const decoded = canonicalJsonCodec.decode(canonicalJsonCodec.encode!(fixes), contextFor(fixes));
        expect(decoded.rejected).toEqual([]);
        expect(decoded.fixes).toHaveLength(fixes.length);
        fixes.forEach((fix, index) => expectFixClose(decoded.fixes[index], fix, {}));
      }),
    );
  });

  describe('fast path (no zod for well-formed fixes)', () => {
    /** Values near and across every rule's edges, of the right and the wrong types. */
    const anyValue = fc.oneof(
      fc.double({ noNaN: false }),
      fc.integer(),
      fc.constantFrom(
        -180,
        180,
        -180.5,
        180.5,
        -90,
        90,
        90.5,
        0,
        -0,
        10_000,
        10_000.5,
        255,
        256,
        360,
        361,
        100,
        100.5,
        -1,
        1.5,
      ),
      fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 2 ** 53),
      fc.string({ maxLength: 4 }),
      fc.constantFrom('3d', 'rtk-fixed', 'bogus', null, true, [], {}),
    );
    const timeValue = fc.oneof(
      fc.integer({ min: -10, max: context.receivedAtMs + 600_000 }),
      fc.double(),
      fc
        .date({ min: new Date('1960-01-01'), max: new Date('2026-11-21T10:10:00Z'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      fc.constantFrom(
        '2026-11-21T10:00:00Z',
        '2026-11-21T10:00:00.000+01:00',
        '2026-02-30T10:00:00.000Z',
        '2026-11-21T24:00:00.000Z',
        '2026-11-21 10:00:00',
      ),
    );
    /** Mostly a valid value, sometimes one at or just past the field's edges, sometimes anything. */
    const mostly = <T>(valid: fc.Arbitrary<T>, ...edges: unknown[]) =>
      fc.oneof(
        { arbitrary: valid, weight: 8 },
        { arbitrary: fc.constantFrom(...edges, 0), weight: 2 },
        { arbitrary: anyValue, weight: 1 },
      );
    const fields = fc.record(
      {
        deviceId: mostly(fc.constant('dev-1'), 'other', 7),
        fixTime: timeValue,
        lon: mostly(fc.double({ min: -180, max: 180, noNaN: true }), -180, 180, -180.5, 180.5),
        lat: mostly(fc.double({ min: -90, max: 90, noNaN: true }), -90, 90, -90.5, 90.5),
        accuracyM: mostly(fc.double({ min: 0, max: 10_000, noNaN: true }), 10_000, 10_000.5, -0.5),
        altitudeM: mostly(fc.double({ min: -500, max: 9000, noNaN: true }), -1e308, 1e308),
        speedMps: mostly(fc.double({ min: 0, max: 600, noNaN: true }), -0.5, 1e308),
        headingDeg: mostly(fc.double({ min: 0, max: 360, noNaN: true }), 360, 360.5, -0.5),
        batteryPct: mostly(fc.double({ min: 0, max: 100, noNaN: true }), 100, 100.5, -0.5),
        satellites: mostly(fc.integer({ min: 0, max: 255 }), 255, 256, 2.5, -1),
        fixType: mostly(fc.constantFrom('none', '2d', '3d', 'dgps', 'rtk-float', 'rtk-fixed'), 'bogus', 3),
        sequence: mostly(
          fc.integer({ min: 0 }),
          Number.MAX_SAFE_INTEGER,
          Number.MAX_SAFE_INTEGER + 2,
          -1,
          1.5,
        ),
      },
      { requiredKeys: ['fixTime', 'lon', 'lat', 'accuracyM'] },
    );
    // Now and then a key no schema knows.
    const item = fc
      .tuple(fields, fc.integer({ min: 0, max: 19 }), anyValue)
      .map(([record, dice, extra]) => (dice === 0 ? { ...record, extra } : record));

    it('never accepts what zod would refuse, and gives the same fix when it accepts', () => {
      let fast = 0;
      fc.assert(
        fc.property(item, (candidate) => {
          // Through JSON, as the codec sees it (no undefined values, no -0 distinction lost).
          const wire: unknown = JSON.parse(JSON.stringify(candidate));
          const quick = fastCanonical(wire, context);
          const checked = checkedCanonical(wire, context);
          if (quick) {
            fast++;
            expect(checked.fix).toEqual(quick);
          }
        }),
        { numRuns: 20_000 },
      );
      expect(fast).toBeGreaterThan(0);
    });

    it('takes every fix the codec itself encodes', () => {
      fc.assert(
        fc.property(encodableFix(), (fix) => {
          const decodeContext = contextFor([fix]);
          const wire: unknown = JSON.parse(new TextDecoder().decode(canonicalJsonCodec.encode!([fix])));
          const quick = fastCanonical(wire, decodeContext);
          expect(quick).toBeDefined();
          expect(quick).toEqual(checkedCanonical(wire, decodeContext).fix);
        }),
        { numRuns: 2000 },
      );
    });
  });
});
