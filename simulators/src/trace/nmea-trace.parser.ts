import { nmeaCodec } from '../../../devices/src/index.js';
import { TrackBuilder } from './track.builder.js';
import { TraceFormatError, type LoadTraceOptions, type Trace } from './trace.model.js';

/**
 * An NMEA 0183 log (a receiver's or a phone's recording), one sentence per line. Each epoch (the lines
 * sharing a GGA/RMC/GST time) is decoded by the `nmea` device codec, so a log replays exactly as the same
 * sentences sent by a device would be read: checksums verified, accuracy from GST or HDOP, fix quality.
 *
 * - Lines that fail (bad checksum, no fix, malformed) are skipped with a warning naming the line: a long
 *   field recording always has a few, and one bad line must not lose an hour of trace. A log with no
 *   usable fix at all is an error listing the first problems.
 * - Dates come from RMC; an epoch without RMC takes the date of the nearest RMC before it (or after it,
 *   at the start of a log), rolling over midnight. A log without any RMC cannot be dated: an error.
 * - Other sentences (GSA, GSV, VTG...) are ignored, as by the codec.
 */
const POSITION_SENTENCE = /^\$[A-Z]{2}(GGA|RMC|GST),(\d{6}(?:\.\d+)?)?,/;
const RMC_DATE = /^\$[A-Z]{2}RMC,(?:[^,]*,){8}(\d{6}),/;
const DAY_MS = 86_400_000;

interface Epoch {
  firstLine: number;
  lines: { number: number; text: string }[];
  timeField: string | undefined;
  dateMs?: number;
}

function timeOfDayMs(field: string): number | undefined {
  const match = /^(\d{2})(\d{2})(\d{2})(\.\d+)?$/.exec(field);
  if (!match) return undefined;
  return (
    ((Number(match[1]) * 60 + Number(match[2])) * 60 + Number(match[3])) * 1000 +
    Math.round(Number(match[4] ?? '0') * 1000)
  );
}

function rmcDateMs(line: string): number | undefined {
  const match = RMC_DATE.exec(line);
  const field = match?.[1];
  if (!field) return undefined;
  const day = Number(field.slice(0, 2));
  const month = Number(field.slice(2, 4));
  const yy = Number(field.slice(4, 6));
  const ms = Date.UTC(yy >= 80 ? 1900 + yy : 2000 + yy, month - 1, day);
  return Number.isNaN(ms) ? undefined : ms;
}

export function parseNmeaTrace(text: string, source: string, _options: LoadTraceOptions = {}): Trace {
  const warnings: string[] = [];
  const epochs: Epoch[] = [];
  let current: Epoch | undefined;
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const line = raw.trim();
      if (line === '') return;
      const number = index + 1;
      const position = POSITION_SENTENCE.exec(line);
      const timeField = position?.[2];
      if (
        !current ||
        (timeField !== undefined && current.timeField !== undefined && timeField !== current.timeField)
      ) {
        current = { firstLine: number, lines: [], timeField };
        epochs.push(current);
      }
      current.timeField ??= timeField;
      current.lines.push({ number, text: line });
      const dateMs = position?.[1] === 'RMC' ? rmcDateMs(line) : undefined;
      if (dateMs !== undefined) current.dateMs ??= dateMs;
    });

  // Date every epoch: its own RMC, else the last one before, else the first one after.
  let lastDateMs: number | undefined = epochs.find((epoch) => epoch.dateMs !== undefined)?.dateMs;
  let lastTimeMs: number | undefined;
  const builder = new TrackBuilder(source);
  const problems: string[] = [];
  for (const epoch of epochs) {
    const timeMs = epoch.timeField === undefined ? undefined : timeOfDayMs(epoch.timeField);
    if (epoch.dateMs !== undefined) lastDateMs = epoch.dateMs;
    else if (
      lastDateMs !== undefined &&
      timeMs !== undefined &&
      lastTimeMs !== undefined &&
      timeMs < lastTimeMs
    ) {
      lastDateMs += DAY_MS; // past midnight without an RMC to say so
    }
    if (timeMs !== undefined) lastTimeMs = timeMs;
    if (epoch.timeField !== undefined && lastDateMs === undefined) {
      throw new TraceFormatError(
        source,
        `line ${epoch.firstLine}`,
        'cannot date the fixes: the log has no RMC sentence with a date',
      );
    }
    const receivedAtMs = (lastDateMs ?? 0) + (timeMs ?? 0) + 1000;
    const payload = new TextEncoder().encode(epoch.lines.map((line) => line.text).join('\n'));
    const decoded = nmeaCodec.decode(payload, { deviceId: 'replay', receivedAtMs });
    for (const rejected of decoded.rejected) {
      // The codec numbers lines from 1 within the message; -1 is the whole epoch.
      const line = rejected.index >= 1 ? epoch.lines[rejected.index - 1]?.number : epoch.firstLine;
      // Epochs of other sentences only (GSV, GSA...) are not problems of a log.
      if (/has no GGA, RMC or GST/.test(rejected.reason)) continue;
      // The codec's reason names the line within the epoch; this names it within the log.
      const message = `line ${line ?? epoch.firstLine}: ${rejected.reason.replace(/^line \d+: /, '')}`;
      problems.push(message);
      warnings.push(`${source}: ${message}; skipped`);
    }
    for (const fix of decoded.fixes) {
      builder.add(
        { fixTimeMs: fix.fixTimeMs, lon: fix.lon, lat: fix.lat, accuracyM: fix.accuracyM },
        `line ${epoch.firstLine}`,
      );
    }
  }
  if (builder.size === 0) {
    throw new TraceFormatError(
      source,
      '',
      problems.length > 0
        ? `no usable fix in the NMEA log; first problems: ${problems.slice(0, 3).join('; ')}`
        : 'no GGA, RMC or GST sentence in the log',
    );
  }
  return { source, format: 'nmea', tracks: [builder.build()], warnings };
}
