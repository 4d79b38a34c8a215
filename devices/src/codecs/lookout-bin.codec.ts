import {
  FIX_TYPES,
  parseCanonicalFix,
  type CanonicalFix,
  type DecodeContext,
  type DecodeResult,
  type FixCodec,
} from '../../../libs/telemetry/src/index.js';
import { MAX_ITEMS_PER_MESSAGE, rejectWhole } from './codec-support.js';
import { crc32 } from './crc32.js';

/**
 * `lookout-bin` version 1: Lookout's compact binary fix batch, big-endian throughout. The byte-by-byte
 * layout is in devices/README.md ("lookout-bin"); the constants below are that table.
 */
export const LOOKOUT_BIN_MAGIC = 0x4c; // 'L'
export const LOOKOUT_BIN_VERSION = 1;
export const LOOKOUT_BIN_HEADER_BYTES = 10; // magic, version, count (u16), base time (u48)
export const LOOKOUT_BIN_CRC_BYTES = 4;
export const LOOKOUT_BIN_FIX_BYTES = 16; // flags, time offset (u32), lat (i32), lon (i32), accuracy (u24)

/** Presence flags of one fix, in the order their fields follow the fixed part. Bit 7 is reserved (0). */
export const LOOKOUT_BIN_FLAGS = {
  altitude: 1 << 0,
  speed: 1 << 1,
  heading: 1 << 2,
  battery: 1 << 3,
  satellites: 1 << 4,
  fixType: 1 << 5,
  sequence: 1 << 6,
} as const;
const RESERVED_FLAGS = 0x80;

/** Optional fields: flag, size in bytes. */
const OPTIONAL_FIELDS = [
  [LOOKOUT_BIN_FLAGS.altitude, 4],
  [LOOKOUT_BIN_FLAGS.speed, 2],
  [LOOKOUT_BIN_FLAGS.heading, 2],
  [LOOKOUT_BIN_FLAGS.battery, 1],
  [LOOKOUT_BIN_FLAGS.satellites, 1],
  [LOOKOUT_BIN_FLAGS.fixType, 1],
  [LOOKOUT_BIN_FLAGS.sequence, 4],
] as const;

function fixSize(flags: number): number {
  return OPTIONAL_FIELDS.reduce(
    (size, [flag, bytes]) => (flags & flag ? size + bytes : size),
    LOOKOUT_BIN_FIX_BYTES,
  );
}

function readUint24(view: DataView, offset: number): number {
  return (view.getUint8(offset) << 16) | view.getUint16(offset + 1);
}

function readUint48(view: DataView, offset: number): number {
  return view.getUint16(offset) * 2 ** 32 + view.getUint32(offset + 2);
}

function hex32(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(8, '0')}`;
}

function decodeFix(
  view: DataView,
  offset: number,
  baseMs: number,
  context: DecodeContext,
): { fix: CanonicalFix } | { reason: string } {
  const flags = view.getUint8(offset);
  const candidate: Record<string, unknown> = {
    deviceId: context.deviceId,
    receivedAtMs: context.receivedAtMs,
    fixTimeMs: baseMs + view.getUint32(offset + 1),
    lat: view.getInt32(offset + 5) / 1e7,
    lon: view.getInt32(offset + 9) / 1e7,
    accuracyM: readUint24(view, offset + 13) / 100,
  };
  let at = offset + LOOKOUT_BIN_FIX_BYTES;
  if (flags & LOOKOUT_BIN_FLAGS.altitude) {
    candidate['altitudeM'] = view.getInt32(at) / 100;
    at += 4;
  }
  if (flags & LOOKOUT_BIN_FLAGS.speed) {
    candidate['speedMps'] = view.getUint16(at) / 100;
    at += 2;
  }
  if (flags & LOOKOUT_BIN_FLAGS.heading) {
    candidate['headingDeg'] = view.getUint16(at) / 100;
    at += 2;
  }
  if (flags & LOOKOUT_BIN_FLAGS.battery) candidate['batteryPct'] = view.getUint8(at++);
  if (flags & LOOKOUT_BIN_FLAGS.satellites) candidate['satellites'] = view.getUint8(at++);
  if (flags & LOOKOUT_BIN_FLAGS.fixType) {
    const code = view.getUint8(at++);
    if (code >= FIX_TYPES.length)
      return { reason: `fixType code ${code} at byte offset ${at - 1} is not 0-${FIX_TYPES.length - 1}` };
    candidate['fixType'] = FIX_TYPES[code];
  }
  if (flags & LOOKOUT_BIN_FLAGS.sequence) candidate['sequence'] = view.getUint32(at);
  const parsed = parseCanonicalFix(candidate);
  return parsed.ok ? { fix: parsed.fix } : { reason: parsed.reason };
}

export const lookoutBinCodec: FixCodec = {
  name: 'lookout-bin',

  decode(payload: Uint8Array, context: DecodeContext): DecodeResult {
    const minimum = LOOKOUT_BIN_HEADER_BYTES + LOOKOUT_BIN_CRC_BYTES;
    if (payload.length < minimum) {
      return rejectWhole(
        `truncated at byte offset ${payload.length}: a message is at least ${minimum} bytes (header and CRC)`,
      );
    }
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    if (view.getUint8(0) !== LOOKOUT_BIN_MAGIC) {
      return rejectWhole(`byte offset 0: magic 0x${view.getUint8(0).toString(16)} is not 0x4c ("L")`);
    }
    if (view.getUint8(1) !== LOOKOUT_BIN_VERSION) {
      return rejectWhole(
        `byte offset 1: version ${view.getUint8(1)} is not supported; expected ${LOOKOUT_BIN_VERSION}`,
      );
    }
    const count = view.getUint16(2);
    if (count === 0) return rejectWhole('byte offset 2: fix count is 0; expected at least one fix');
    if (count > MAX_ITEMS_PER_MESSAGE) {
      return rejectWhole(`byte offset 2: fix count ${count}; at most ${MAX_ITEMS_PER_MESSAGE} are accepted`);
    }
    const baseMs = readUint48(view, 4);
    const bodyEnd = payload.length - LOOKOUT_BIN_CRC_BYTES;

    // Walk the structure first, so a short or long message is reported as such, with the offset.
    const offsets: number[] = [];
    let offset = LOOKOUT_BIN_HEADER_BYTES;
    for (let index = 0; index < count; index += 1) {
      if (offset + 1 > bodyEnd) {
        return rejectWhole(`truncated at byte offset ${offset}: fix ${index} of ${count} is missing`);
      }
      const flags = view.getUint8(offset);
      if (flags & RESERVED_FLAGS) {
        return rejectWhole(
          `byte offset ${offset}: fix ${index} sets reserved flag bit 7 (flags 0x${flags.toString(16)})`,
        );
      }
      const size = fixSize(flags);
      if (offset + size > bodyEnd) {
        return rejectWhole(
          `truncated at byte offset ${offset}: fix ${index} needs ${size} bytes, ${bodyEnd - offset} remain before the CRC`,
        );
      }
      offsets.push(offset);
      offset += size;
    }
    if (offset !== bodyEnd) {
      return rejectWhole(
        `oversized: ${bodyEnd - offset} unexpected bytes at byte offset ${offset}, after fix ${count - 1}`,
      );
    }
    const stored = view.getUint32(bodyEnd);
    const computed = crc32(payload, 0, bodyEnd);
    if (stored !== computed) {
      return rejectWhole(
        `CRC-32 mismatch at byte offset ${bodyEnd}: computed ${hex32(computed)}, message has ${hex32(stored)}`,
      );
    }

    const result: DecodeResult = { fixes: [], rejected: [] };
    offsets.forEach((fixOffset, index) => {
      const decoded = decodeFix(view, fixOffset, baseMs, context);
      if ('fix' in decoded) result.fixes.push(decoded.fix);
      else
        result.rejected.push({ index, reason: `fix ${index} (byte offset ${fixOffset}): ${decoded.reason}` });
    });
    return result;
  },

  /**
   * Throws RangeError when a fix cannot be represented (e.g. speed above 655.35 m/s, a sequence above
   * 2^32-1, fixes more than 49.7 days apart); rounds to the precision in the README table.
   */
  encode(fixes) {
    if (fixes.length === 0 || fixes.length > MAX_ITEMS_PER_MESSAGE) {
      throw new RangeError(`lookout-bin carries 1-${MAX_ITEMS_PER_MESSAGE} fixes; got ${fixes.length}`);
    }
    const baseMs = Math.min(...fixes.map((fix) => fix.fixTimeMs));
    const flagsOf = fixes.map(
      (fix) =>
        (fix.altitudeM === undefined ? 0 : LOOKOUT_BIN_FLAGS.altitude) |
        (fix.speedMps === undefined ? 0 : LOOKOUT_BIN_FLAGS.speed) |
        (fix.headingDeg === undefined ? 0 : LOOKOUT_BIN_FLAGS.heading) |
        (fix.batteryPct === undefined ? 0 : LOOKOUT_BIN_FLAGS.battery) |
        (fix.satellites === undefined ? 0 : LOOKOUT_BIN_FLAGS.satellites) |
        (fix.fixType === undefined ? 0 : LOOKOUT_BIN_FLAGS.fixType) |
        (fix.sequence === undefined ? 0 : LOOKOUT_BIN_FLAGS.sequence),
    );
    const length =
      LOOKOUT_BIN_HEADER_BYTES +
      flagsOf.reduce((sum, flags) => sum + fixSize(flags), 0) +
      LOOKOUT_BIN_CRC_BYTES;
    const bytes = new Uint8Array(length);
    const view = new DataView(bytes.buffer);
    view.setUint8(0, LOOKOUT_BIN_MAGIC);
    view.setUint8(1, LOOKOUT_BIN_VERSION);
    view.setUint16(2, fixes.length);
    const base = checked('fixTimeMs', baseMs, 0, 2 ** 48 - 1);
    view.setUint16(4, Math.floor(base / 2 ** 32));
    view.setUint32(6, base % 2 ** 32);
    let at = LOOKOUT_BIN_HEADER_BYTES;
    fixes.forEach((fix, index) => {
      const flags = flagsOf[index]!;
      view.setUint8(at, flags);
      view.setUint32(at + 1, checked('fixTimeMs - base', fix.fixTimeMs - baseMs, 0, 2 ** 32 - 1));
      view.setInt32(at + 5, checked('lat', Math.round(fix.lat * 1e7), -9e8, 9e8));
      view.setInt32(at + 9, checked('lon', Math.round(fix.lon * 1e7), -18e8, 18e8));
      const accuracyCm = checked('accuracyM', Math.round(fix.accuracyM * 100), 0, 2 ** 24 - 1);
      view.setUint8(at + 13, accuracyCm >>> 16);
      view.setUint16(at + 14, accuracyCm & 0xffff);
      at += LOOKOUT_BIN_FIX_BYTES;
      if (fix.altitudeM !== undefined) {
        view.setInt32(at, checked('altitudeM', Math.round(fix.altitudeM * 100), -(2 ** 31), 2 ** 31 - 1));
        at += 4;
      }
      if (fix.speedMps !== undefined) {
        view.setUint16(at, checked('speedMps', Math.round(fix.speedMps * 100), 0, 0xffff));
        at += 2;
      }
      if (fix.headingDeg !== undefined) {
        view.setUint16(at, checked('headingDeg', Math.round(fix.headingDeg * 100), 0, 36000));
        at += 2;
      }
      if (fix.batteryPct !== undefined)
        view.setUint8(at++, checked('batteryPct', Math.round(fix.batteryPct), 0, 100));
      if (fix.satellites !== undefined) view.setUint8(at++, checked('satellites', fix.satellites, 0, 255));
      if (fix.fixType !== undefined) view.setUint8(at++, FIX_TYPES.indexOf(fix.fixType));
      if (fix.sequence !== undefined) {
        view.setUint32(at, checked('sequence', fix.sequence, 0, 2 ** 32 - 1));
        at += 4;
      }
    });
    view.setUint32(at, crc32(bytes, 0, at));
    return bytes;
  },
};

function checked(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `lookout-bin cannot carry ${field} = ${value}: must be an integer in [${min}, ${max}] after scaling`,
    );
  }
  return value;
}
