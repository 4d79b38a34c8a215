import fc from 'fast-check';
import { contextFor, encodableBatch, expectFixClose } from '../testing/fix.arbitrary.js';
import { canonicalJsonCodec, MAX_BATCH_FIXES } from './canonical-json.codec.js';

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
});
