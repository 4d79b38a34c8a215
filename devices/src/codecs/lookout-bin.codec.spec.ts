import fc from 'fast-check';
import { contextFor, encodableBatch, expectFixClose } from '../testing/fix.arbitrary.js';
import { fixtureBytes } from '../testing/fixtures.js';
import { crc32 } from './crc32.js';
import { lookoutBinCodec } from './lookout-bin.codec.js';

const context = { deviceId: 'bin-1', receivedAtMs: Date.parse('2026-11-21T10:00:05Z') };
const exampleFixes = [
  {
    fixTimeMs: Date.parse('2026-11-21T10:00:00.000Z'),
    lat: 52.9123456,
    lon: -1.2345678,
    accuracyM: 3.25,
    sequence: 17,
  },
  {
    fixTimeMs: Date.parse('2026-11-21T10:00:01.000Z'),
    lat: 52.9123789,
    lon: -1.2345123,
    accuracyM: 2.5,
    altitudeM: 54.3,
    speedMps: 1.42,
    headingDeg: 87.5,
    batteryPct: 76,
    satellites: 11,
    fixType: 'rtk-float' as const,
    sequence: 18,
  },
];

/** Rewrites the trailer so a deliberately edited message passes the CRC and reaches the field checks. */
function withFreshCrc(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(copy.length - 4, crc32(copy, 0, copy.length - 4));
  return copy;
}

describe('lookout-bin codec', () => {
  it('decodes the README example byte for byte, and encodes the same bytes', () => {
    const bytes = fixtureBytes('lookout-bin', 'readme-example.hex');
    expect(lookoutBinCodec.encode!(exampleFixes)).toEqual(bytes);
    const result = lookoutBinCodec.decode(bytes, context);
    expect(result.rejected).toEqual([]);
    expect(result.fixes).toEqual(
      exampleFixes.map((fix) => ({ ...fix, deviceId: 'bin-1', receivedAtMs: context.receivedAtMs })),
    );
  });

  it('rejects truncated input with the byte offset', () => {
    const bytes = fixtureBytes('lookout-bin', 'readme-example.hex');
    expect(lookoutBinCodec.decode(bytes.slice(0, 9), context).rejected).toEqual([
      { index: -1, reason: 'truncated at byte offset 9: a message is at least 14 bytes (header and CRC)' },
    ]);
    expect(lookoutBinCodec.decode(bytes.slice(0, 40), context).rejected).toEqual([
      { index: -1, reason: 'truncated at byte offset 30: fix 1 needs 31 bytes, 6 remain before the CRC' },
    ]);
  });

  it('rejects oversized input with the byte offset of the extra bytes', () => {
    const bytes = fixtureBytes('lookout-bin', 'readme-example.hex');
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes.subarray(0, bytes.length - 4));
    const result = lookoutBinCodec.decode(withFreshCrc(longer), context);
    expect(result.rejected).toEqual([
      { index: -1, reason: 'oversized: 3 unexpected bytes at byte offset 61, after fix 1' },
    ]);
  });

  it('rejects a corrupted byte by CRC, and bad magic, version, count and flags', () => {
    const bytes = fixtureBytes('lookout-bin', 'readme-example.hex');
    const corrupted = bytes.slice();
    corrupted[20] = corrupted[20]! ^ 0x01;
    expect(lookoutBinCodec.decode(corrupted, context).rejected[0]?.reason).toMatch(
      /^CRC-32 mismatch at byte offset 61: computed 0x[0-9A-F]{8}, message has 0x[0-9A-F]{8}$/,
    );
    const edit = (offset: number, value: number) => {
      const copy = bytes.slice();
      copy[offset] = value;
      return lookoutBinCodec.decode(withFreshCrc(copy), context).rejected[0]?.reason;
    };
    expect(edit(0, 0x4d)).toBe('byte offset 0: magic 0x4d is not 0x4c ("L")');
    expect(edit(1, 2)).toBe('byte offset 1: version 2 is not supported; expected 1');
    expect(edit(3, 0)).toBe('byte offset 2: fix count is 0; expected at least one fix');
    expect(edit(10, 0x80)).toBe('byte offset 10: fix 0 sets reserved flag bit 7 (flags 0x80)');
  });

  it('keeps the good fix beside one with an out-of-range field, naming index and offset', () => {
    const bytes = fixtureBytes('lookout-bin', 'readme-example.hex');
    const copy = bytes.slice();
    new DataView(copy.buffer).setInt32(15, 95e7); // fix 0 latitude: 95 degrees
    const result = lookoutBinCodec.decode(withFreshCrc(copy), context);
    expect(result.fixes.map((fix) => fix.sequence)).toEqual([18]);
    expect(result.rejected).toEqual([
      { index: 0, reason: 'fix 0 (byte offset 10): lat: lat must be within [-90, 90]' },
    ]);
  });

  it('refuses to encode what it cannot carry', () => {
    expect(() => lookoutBinCodec.encode!([{ ...exampleFixes[0]!, speedMps: 700 }])).toThrow(RangeError);
    expect(() => lookoutBinCodec.encode!([{ ...exampleFixes[0]!, sequence: 2 ** 32 }])).toThrow(/sequence/);
  });

  it('round-trips within its precision (1e-7°, 1 cm, 0.01°, whole percent)', () => {
    fc.assert(
      fc.property(encodableBatch({ maxSequence: 2 ** 32 - 1, maxSpeedMps: 655 }), (fixes) => {
        const decoded = lookoutBinCodec.decode(lookoutBinCodec.encode!(fixes), contextFor(fixes));
        expect(decoded.rejected).toEqual([]);
        expect(decoded.fixes).toHaveLength(fixes.length);
        fixes.forEach((fix, index) =>
          expectFixClose(decoded.fixes[index], fix, {
            lat: 5e-8 + 1e-12,
            lon: 5e-8 + 1e-12,
            accuracyM: 0.005 + 1e-9,
            altitudeM: 0.005 + 1e-9,
            speedMps: 0.005 + 1e-9,
            headingDeg: 0.005 + 1e-9,
            batteryPct: 0.5,
          }),
        );
      }),
    );
  });
});
