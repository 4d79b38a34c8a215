import { parseNmeaSentence, type GGAPacket, type GSTPacket, type RMCPacket } from 'nmea-simple';
import { computeNmeaChecksum } from 'nmea-simple/dist/helpers.js';
import {
  parseCanonicalFix,
  type CanonicalFix,
  type DecodeContext,
  type DecodeResult,
  type FixCodec,
  type FixType,
  type RejectedItem,
} from '../../../libs/telemetry/src/index.js';
import {
  MAX_ITEMS_PER_MESSAGE,
  MPS_PER_KNOT,
  readUtf8Text,
  rejectWhole,
  SIGMA_TO_R95,
} from './codec-support.js';

/**
 * NMEA 0183 text: one or more sentences per message, lines separated by CRLF or LF.
 *
 * - Sentences used: GGA (position, quality, satellites, HDOP, altitude), RMC (date, status, speed,
 *   course) and GST (position error statistics). Any talker (GP, GN, GL, GA, GB...). Other sentence types
 *   (GSA, GSV, VTG, ZDA...) are skipped: valid NMEA, but no part of a fix here.
 * - Every line must carry a checksum (`*hh`); a missing or wrong one rejects that line, by line number.
 * - Sentences of one epoch (the same UTC time field) merge into one fix.
 * - `rejected[].index` is the 1-based line number (of the offending line, or of an epoch's first line).
 */

/**
 * User equivalent range error (1σ, metres) assumed when an epoch has no GST: standalone single-frequency
 * GPS. Horizontal 95% ≈ 2·DRMS = 2 × HDOP × UERE, so HDOP 1.0 gives 10 m. Receivers with DGPS/RTK should
 * emit GST, which is always preferred.
 */
export const NMEA_UERE_M = 5;

/** GGA quality indicator -> canonical fix type. 0 (no fix) and 6-8 (estimated, manual, simulation) are rejected. */
const QUALITY_TO_FIX_TYPE: Readonly<Record<number, FixType>> = {
  1: '3d', // GPS SPS; GGA cannot tell 2D from 3D (that is GSA), so '3d' is assumed.
  2: 'dgps',
  3: '3d', // PPS
  4: 'rtk-fixed',
  5: 'rtk-float',
};
const FIX_TYPE_TO_QUALITY: Readonly<Record<FixType, number>> = {
  none: 0,
  '2d': 1,
  '3d': 1,
  dgps: 2,
  'rtk-fixed': 4,
  'rtk-float': 5,
};
const QUALITY_NAMES = [
  'no fix',
  'GPS',
  'DGPS',
  'PPS',
  'RTK fixed',
  'RTK float',
  'estimated',
  'manual',
  'simulation',
];

const DAY_MS = 86_400_000;
const TIME_FIELD = /^(\d{2})(\d{2})(\d{2})(\.\d+)?$/;
const DATE_FIELD = /^(\d{2})(\d{2})(\d{2})$/;

interface Sentence<P> {
  line: number;
  fields: string[];
  packet: P;
}

interface Epoch {
  timeOfDayMs: number;
  timeText: string;
  firstLine: number;
  gga?: Sentence<GGAPacket>;
  rmc?: Sentence<RMCPacket>;
  gst?: Sentence<GSTPacket>;
}

/** `hhmmss[.s...]` -> milliseconds since midnight UTC; undefined when malformed. */
function parseTimeOfDay(field: string): number | undefined {
  const match = TIME_FIELD.exec(field);
  if (!match) return undefined;
  const [, hh, mm, ss, fraction] = match;
  const hours = Number(hh);
  const minutes = Number(mm);
  const seconds = Number(ss);
  // 60 is allowed for a leap second.
  if (hours > 23 || minutes > 59 || seconds > 60) return undefined;
  return ((hours * 60 + minutes) * 60 + seconds) * 1000 + Math.round(Number(fraction ?? '0') * 1000);
}

/** RMC `ddmmyy` -> epoch ms of that midnight UTC. Two-digit years 80-99 are 19xx, 00-79 are 20xx (GPS began 1980). */
function parseDate(field: string): number | undefined {
  const match = DATE_FIELD.exec(field);
  if (!match) return undefined;
  const [, dd, mm, yy] = match;
  const year = Number(yy) >= 80 ? 1900 + Number(yy) : 2000 + Number(yy);
  const month = Number(mm);
  const day = Number(dd);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const ms = Date.UTC(year, month - 1, day);
  return new Date(ms).getUTCDate() === day ? ms : undefined;
}

/**
 * A time of day without a date (GGA with no RMC in its epoch) is dated by the receive time: of the
 * previous, same and next UTC day, the one putting the fix closest to the receive time. This survives a
 * fix taken at 23:59:59 and received at 00:00:01.
 */
function dateByReceiveTime(timeOfDayMs: number, receivedAtMs: number): number {
  const midnight = Math.floor(receivedAtMs / DAY_MS) * DAY_MS;
  const candidates = [midnight - DAY_MS, midnight, midnight + DAY_MS].map((day) => day + timeOfDayMs);
  return candidates.reduce((best, candidate) =>
    Math.abs(candidate - receivedAtMs) < Math.abs(best - receivedAtMs) ? candidate : best,
  );
}

function hex2(value: number): string {
  return value.toString(16).toUpperCase().padStart(2, '0');
}

/** Checks framing and checksum; returns the fields (checksum stripped) or the reason the line is refused. */
function frame(text: string): { fields: string[] } | { reason: string } {
  if (!text.startsWith('$')) return { reason: 'not an NMEA sentence: must start with "$"' };
  const star = text.lastIndexOf('*');
  if (star < 0) return { reason: 'missing checksum: the sentence must end with *hh' };
  const given = text.slice(star + 1);
  if (!/^[0-9A-Fa-f]{2}$/.test(given))
    return { reason: `malformed checksum "*${given}": expected two hex digits` };
  const body = text.slice(0, star);
  const computed = computeNmeaChecksum(body);
  if (computed !== parseInt(given, 16)) {
    return { reason: `checksum mismatch: computed *${hex2(computed)}, sentence has *${given.toUpperCase()}` };
  }
  return { fields: body.split(',') };
}

function epochLabel(epoch: Epoch): string {
  return `epoch ${epoch.timeText}`;
}

function buildFix(epoch: Epoch, context: DecodeContext): { fix: CanonicalFix } | RejectedItem {
  const { gga, rmc, gst } = epoch;
  const reject = (line: number, reason: string): RejectedItem => ({ index: line, reason });
  if (!gga && !rmc) {
    return reject(epoch.firstLine, `${epochLabel(epoch)} has GST but no GGA or RMC: no position`);
  }
  if (gga) {
    const quality = Number(gga.fields[6]);
    if (gga.fields[6] === '' || quality === 0)
      return reject(gga.line, `no fix: GGA quality 0 in ${epochLabel(epoch)}`);
    if (QUALITY_TO_FIX_TYPE[quality] === undefined) {
      const name = QUALITY_NAMES[quality] ?? 'unknown';
      return reject(gga.line, `no GNSS fix: GGA quality ${gga.fields[6]} (${name}) in ${epochLabel(epoch)}`);
    }
  }
  if (rmc && rmc.fields[2] !== 'A') {
    return reject(rmc.line, `no fix: RMC status ${rmc.fields[2] || '(empty)'} in ${epochLabel(epoch)}`);
  }

  const position = gga
    ? {
        line: gga.line,
        latField: gga.fields[2],
        lat: gga.packet.latitude,
        lon: gga.packet.longitude,
        lonField: gga.fields[4],
      }
    : {
        line: rmc!.line,
        latField: rmc!.fields[3],
        lat: rmc!.packet.latitude,
        lon: rmc!.packet.longitude,
        lonField: rmc!.fields[5],
      };
  if (
    !position.latField ||
    !position.lonField ||
    !Number.isFinite(position.lat) ||
    !Number.isFinite(position.lon)
  ) {
    return reject(
      position.line,
      `no position: empty or malformed latitude/longitude in ${epochLabel(epoch)}`,
    );
  }

  let fixTimeMs: number;
  if (rmc) {
    const dateMs = parseDate(rmc.fields[9] ?? '');
    if (dateMs === undefined) return reject(rmc.line, `RMC date "${rmc.fields[9] ?? ''}" is not ddmmyy`);
    fixTimeMs = dateMs + epoch.timeOfDayMs;
  } else {
    fixTimeMs = dateByReceiveTime(epoch.timeOfDayMs, context.receivedAtMs);
  }

  let accuracyM: number | undefined;
  if (gst && gst.fields[6] && gst.fields[7]) {
    // 95% radius of a circular normal with the mean of the two axis variances: 2.4477 × sqrt((σlat²+σlon²)/2).
    const { latitudeError: sigmaLat, longitudeError: sigmaLon } = gst.packet;
    accuracyM = SIGMA_TO_R95 * Math.sqrt((sigmaLat * sigmaLat + sigmaLon * sigmaLon) / 2);
  } else if (gga && gga.fields[8]) {
    accuracyM = 2 * gga.packet.horizontalDilution * NMEA_UERE_M;
  }
  if (accuracyM === undefined) {
    return reject(
      epoch.firstLine,
      `no accuracy: ${epochLabel(epoch)} has neither GST lat/lon errors nor GGA HDOP`,
    );
  }

  const candidate: Record<string, unknown> = {
    deviceId: context.deviceId,
    receivedAtMs: context.receivedAtMs,
    fixTimeMs,
    lon: position.lon,
    lat: position.lat,
    accuracyM,
  };
  if (gga) {
    candidate['fixType'] = QUALITY_TO_FIX_TYPE[Number(gga.fields[6])];
    if (gga.fields[7]) candidate['satellites'] = gga.packet.satellitesInView;
    if (gga.fields[9]) candidate['altitudeM'] = gga.packet.altitudeMeters;
  }
  if (rmc) {
    if (rmc.fields[7]) candidate['speedMps'] = rmc.packet.speedKnots * MPS_PER_KNOT;
    if (rmc.fields[8]) candidate['headingDeg'] = rmc.packet.trackTrue;
  }
  const parsed = parseCanonicalFix(candidate);
  return parsed.ok ? { fix: parsed.fix } : reject(epoch.firstLine, `${epochLabel(epoch)}: ${parsed.reason}`);
}

const USED = new Set(['GGA', 'RMC', 'GST']);

export const nmeaCodec: FixCodec = {
  name: 'nmea',

  decode(payload: Uint8Array, context: DecodeContext): DecodeResult {
    const read = readUtf8Text(payload);
    if (!read.ok) return { fixes: [], rejected: [read.rejected] };
    const lines = read.text.split(/\r?\n/);
    if (lines.length > MAX_ITEMS_PER_MESSAGE * 4) {
      return rejectWhole(
        `message has ${lines.length} lines; at most ${MAX_ITEMS_PER_MESSAGE * 4} are accepted`,
      );
    }
    const result: DecodeResult = { fixes: [], rejected: [] };
    const epochs = new Map<number, Epoch>();

    lines.forEach((raw, lineIndex) => {
      const line = lineIndex + 1;
      const text = raw.trim();
      if (text === '') return;
      const framed = frame(text);
      if ('reason' in framed) {
        result.rejected.push({ index: line, reason: `line ${line}: ${framed.reason}` });
        return;
      }
      const { fields } = framed;
      const sentenceId = fields[0]!.slice(-3);
      if (!USED.has(sentenceId)) return;
      const timeOfDayMs = parseTimeOfDay(fields[1] ?? '');
      if (timeOfDayMs === undefined) {
        result.rejected.push({
          index: line,
          reason: `line ${line}: ${sentenceId} time "${fields[1] ?? ''}" is not hhmmss[.sss]`,
        });
        return;
      }
      let packet;
      try {
        packet = parseNmeaSentence(text);
      } catch (error) {
        result.rejected.push({
          index: line,
          reason: `line ${line}: unparseable ${sentenceId}: ${(error as Error).message}`,
        });
        return;
      }
      const epoch = epochs.get(timeOfDayMs) ?? { timeOfDayMs, timeText: fields[1]!, firstLine: line };
      epochs.set(timeOfDayMs, epoch);
      const key = sentenceId.toLowerCase() as 'gga' | 'rmc' | 'gst';
      if (epoch[key]) {
        result.rejected.push({
          index: line,
          reason: `line ${line}: second ${sentenceId} for ${epochLabel(epoch)}`,
        });
        return;
      }
      // parseNmeaSentence returns the packet type named by the sentence id checked above.
      if (packet.sentenceId === 'GGA') epoch.gga = { line, fields, packet };
      else if (packet.sentenceId === 'RMC') epoch.rmc = { line, fields, packet };
      else if (packet.sentenceId === 'GST') epoch.gst = { line, fields, packet };
    });

    if (epochs.size === 0 && result.rejected.length === 0) {
      return rejectWhole('message has no GGA, RMC or GST sentence');
    }
    if (epochs.size > MAX_ITEMS_PER_MESSAGE) {
      return rejectWhole(`message has ${epochs.size} epochs; at most ${MAX_ITEMS_PER_MESSAGE} are accepted`);
    }
    for (const epoch of epochs.values()) {
      const built = buildFix(epoch, context);
      if ('fix' in built) result.fixes.push(built.fix);
      else result.rejected.push({ index: built.index, reason: `line ${built.index}: ${built.reason}` });
    }
    result.rejected.sort((a, b) => a.index - b.index);
    return result;
  },

  /**
   * One GGA + RMC + GST per fix (talker GN), CRLF-separated. Accuracy is written as GST σlat = σlon =
   * accuracyM / 2.4477 (and a matching HDOP). Battery and sequence have no NMEA field and are dropped;
   * '2d' is written as quality 1 and reads back as '3d'. RMC's two-digit year covers 1980-2079.
   */
  encode(fixes) {
    const lines: string[] = [];
    for (const fix of fixes) {
      const date = new Date(fix.fixTimeMs);
      const time = encodeTime(date);
      const lat = encodeCoordinate(fix.lat, 2, 'N', 'S');
      const lon = encodeCoordinate(fix.lon, 3, 'E', 'W');
      const quality = FIX_TYPE_TO_QUALITY[fix.fixType ?? '3d'];
      const sigma = fix.accuracyM / SIGMA_TO_R95;
      const hdop = fix.accuracyM / (2 * NMEA_UERE_M);
      lines.push(
        withChecksum(
          [
            '$GNGGA',
            time,
            lat,
            lon,
            String(quality),
            fix.satellites === undefined ? '' : String(fix.satellites).padStart(2, '0'),
            hdop.toFixed(2),
            fix.altitudeM === undefined ? '' : fix.altitudeM.toFixed(3),
            'M',
            '',
            'M',
            '',
            '',
          ].join(','),
        ),
        withChecksum(
          [
            '$GNRMC',
            time,
            quality === 0 ? 'V' : 'A',
            lat,
            lon,
            fix.speedMps === undefined ? '' : (fix.speedMps / MPS_PER_KNOT).toFixed(4),
            fix.headingDeg === undefined ? '' : fix.headingDeg.toFixed(3),
            encodeDate(date),
            '',
            '',
            'A',
          ].join(','),
        ),
        withChecksum(['$GNGST', time, '', '', '', '', sigma.toFixed(5), sigma.toFixed(5), ''].join(',')),
      );
    }
    return new TextEncoder().encode(lines.join('\r\n') + '\r\n');
  },
};

function withChecksum(body: string): string {
  return `${body}*${hex2(computeNmeaChecksum(body))}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function encodeTime(date: Date): string {
  return `${pad(date.getUTCHours(), 2)}${pad(date.getUTCMinutes(), 2)}${pad(date.getUTCSeconds(), 2)}.${pad(date.getUTCMilliseconds(), 3)}`;
}

function encodeDate(date: Date): string {
  return `${pad(date.getUTCDate(), 2)}${pad(date.getUTCMonth() + 1, 2)}${pad(date.getUTCFullYear() % 100, 2)}`;
}

/** Degrees -> `ddmm.mmmmmmm,H` (latitude) or `dddmm.mmmmmmm,H`: 1e-7 minute is about 0.2 mm. */
function encodeCoordinate(degrees: number, degreeDigits: number, positive: string, negative: string): string {
  const units = Math.round(Math.abs(degrees) * 60 * 1e7); // 1e-7 minutes, an exact integer
  const whole = Math.floor(units / 60e7);
  const minuteUnits = units - whole * 60e7;
  const minutes = `${pad(Math.floor(minuteUnits / 1e7), 2)}.${pad(minuteUnits % 1e7, 7)}`;
  return `${pad(whole, degreeDigits)}${minutes},${degrees < 0 ? negative : positive}`;
}
