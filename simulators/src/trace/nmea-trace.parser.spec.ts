import { nmeaCodec } from '../../../devices/src/index.js';
import { parseNmeaTrace } from './nmea-trace.parser.js';
import { detectTraceFormat } from './trace.loader.js';
import { TraceFormatError } from './trace.model.js';

const T0 = Date.parse('2026-05-01T23:59:58Z');
/** Sentences the nmea codec writes for a fix (GGA, RMC, GST), so the log is realistic and checksummed. */
const epoch = (offsetMs: number, lon: number, lat: number, accuracyM = 2.4477) =>
  new TextDecoder()
    .decode(nmeaCodec.encode!([{ fixTimeMs: T0 + offsetMs, lon, lat, accuracyM }]))
    .trim()
    .split(/\r?\n/);
/** NMEA 0183 checksum: XOR of the characters between "$" and "*", two hex digits. */
const withChecksum = (body: string) => {
  let checksum = 0;
  for (const char of body) checksum ^= char.charCodeAt(0);
  return `$${body}*${checksum.toString(16).toUpperCase().padStart(2, '0')}`;
};

function parseError(text: string): TraceFormatError {
  try {
    parseNmeaTrace(text, 'log.nmea');
  } catch (error) {
    if (error instanceof TraceFormatError) return error;
    throw error;
  }
  throw new Error('expected a TraceFormatError');
}

describe('NMEA log trace parser', () => {
  it('makes one fix per epoch, with the accuracy from GST, across midnight', () => {
    const lines = [
      ...epoch(0, -1.5, 52.9),
      ...epoch(1000, -1.50001, 52.90001),
      ...epoch(3000, -1.50002, 52.90002),
    ];
    const trace = parseNmeaTrace(lines.join('\r\n'), 'log.nmea');
    expect(trace.warnings).toEqual([]);
    expect(trace.format).toBe('nmea');
    const points = trace.tracks[0]?.points ?? [];
    expect(points.map((p) => p.fixTimeMs - T0)).toEqual([0, 1000, 3000]);
    expect(points[2]?.lon).toBeCloseTo(-1.50002, 9);
    expect(points[2]?.lat).toBeCloseTo(52.90002, 9);
    expect(points[0]?.accuracyM).toBeCloseTo(2.4477, 3);
  });

  it('skips a line with a bad checksum, naming it, and keeps the rest of its epoch and the log', () => {
    const lines = [...epoch(0, -1.5, 52.9), ...epoch(1000, -1.50001, 52.90001)];
    lines[3] = lines[3]!.replace(/\*[0-9A-F]{2}$/, '*00'); // the second epoch's GGA
    const trace = parseNmeaTrace(lines.join('\n'), 'log.nmea');
    expect(trace.warnings).toEqual([
      expect.stringMatching(
        /^log\.nmea: line 4: checksum mismatch: computed \*[0-9A-F]{2}, sentence has \*00; skipped$/,
      ),
    ]);
    // The RMC of the same epoch still gives the position (with GST's accuracy).
    expect(trace.tracks[0]?.points.map((p) => p.fixTimeMs - T0)).toEqual([0, 1000]);
  });

  it('dates a GGA-only epoch from the last RMC, rolling over midnight', () => {
    const [gga0, rmc0, gst0] = epoch(0, -1.5, 52.9);
    const [gga1, , gst1] = epoch(3000, -1.50001, 52.90001); // 00:00:01 next day, no RMC
    const trace = parseNmeaTrace([gga0, rmc0, gst0, gga1, gst1].join('\n'), 'log.nmea');
    expect(trace.tracks[0]?.points.map((p) => p.fixTimeMs - T0)).toEqual([0, 3000]);
  });

  it('ignores other sentences, and refuses a log with no usable fix or no date', () => {
    const gsv = withChecksum('GPGSV,1,1,01,01,40,083,46');
    const trace = parseNmeaTrace([gsv, ...epoch(0, -1.5, 52.9)].join('\n'), 'log.nmea');
    expect(trace.tracks[0]?.points).toHaveLength(1);
    const bad = epoch(0, -1.5, 52.9).map((line) => line.replace(/\*[0-9A-F]{2}$/, '*00'));
    expect(parseError(bad.join('\n')).message).toMatch(
      /^log\.nmea: no usable fix in the NMEA log; first problems: line 1: checksum mismatch/,
    );
    const [gga, , gst] = epoch(0, -1.5, 52.9);
    expect(parseError([gga, gst].join('\n')).message).toBe(
      'log.nmea: line 1: cannot date the fixes: the log has no RMC sentence with a date',
    );
    expect(parseError(gsv).message).toBe('log.nmea: no GGA, RMC or GST sentence in the log');
  });

  it('is chosen by the .nmea extension or a leading "$"', () => {
    expect(detectTraceFormat('drive.nmea', '')).toBe('nmea');
    expect(detectTraceFormat('drive.txt', '$GPGGA,...')).toBe('nmea');
  });
});
