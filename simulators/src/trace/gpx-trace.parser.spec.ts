import { parseGpxTrace } from './gpx-trace.parser.js';
import { detectTraceFormat, parseTrace } from './trace.loader.js';
import { TraceFormatError } from './trace.model.js';

const T0 = Date.parse('2026-05-01T10:00:00Z');
const point = (lat: number, lon: number, time?: string, extra = '') =>
  `      <trkpt lat="${lat}" lon="${lon}">${time ? `<time>${time}</time>` : ''}${extra}</trkpt>`;
const gpxDocument = (...segments: string[][]) =>
  [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<gpx version="1.1" creator="lookout test" xmlns="http://www.topografix.com/GPX/1/1">',
    '  <trk><name>walk</name>',
    ...segments.flatMap((points) => ['    <trkseg>', ...points, '    </trkseg>']),
    '  </trk>',
    '</gpx>',
  ].join('\n');

function parseError(text: string, intervalMs?: number): TraceFormatError {
  try {
    parseGpxTrace(text, 'walk.gpx', intervalMs === undefined ? {} : { intervalMs });
  } catch (error) {
    if (error instanceof TraceFormatError) return error;
    throw error;
  }
  throw new Error('expected a TraceFormatError');
}

describe('GPX trace parser', () => {
  it('plays a track with several segments in order, with the gap between them', () => {
    const trace = parseGpxTrace(
      gpxDocument(
        [point(52.9, -1.5, '2026-05-01T10:00:00Z'), point(52.90001, -1.50001, '2026-05-01T10:00:01Z')],
        [
          point(52.9001, -1.5001, '2026-05-01T10:00:30Z', '<hdop>0.8</hdop>'),
          point(52.9002, -1.5002, '2026-05-01T10:00:31Z'),
        ],
        [point(52.9003, -1.5003, '2026-05-01T10:00:40Z')],
      ),
      'walk.gpx',
    );
    expect(trace.format).toBe('gpx');
    expect(trace.warnings).toEqual([
      'walk.gpx: line 12, column 5: ignoring trkseg[2], which has a single point',
    ]);
    expect(trace.tracks).toEqual([
      {
        points: [
          { fixTimeMs: T0, lon: -1.5, lat: 52.9, accuracyM: 3 },
          { fixTimeMs: T0 + 1000, lon: -1.50001, lat: 52.90001, accuracyM: 3 },
          // 2 × HDOP × UERE (5 m), as the NMEA codec does.
          { fixTimeMs: T0 + 30_000, lon: -1.5001, lat: 52.9001, accuracyM: 8 },
          { fixTimeMs: T0 + 31_000, lon: -1.5002, lat: 52.9002, accuracyM: 3 },
        ],
      },
    ]);
  });

  it('refuses a point without a time when others have one, naming its line (togeojson would misalign the times)', () => {
    const error = parseError(
      gpxDocument(
        [point(52.9, -1.5, '2026-05-01T10:00:00Z'), point(52.90001, -1.50001, '2026-05-01T10:00:01Z')],
        [point(52.9001, -1.5001), point(52.9002, -1.5002, '2026-05-01T10:00:31Z')],
      ),
    );
    expect(error.position).toBe('line 9, column 7 (trkseg[1].trkpt[0])');
    expect(error.message).toMatch(/the point has no <time>, but 3 of the track's 4 points have one/);
  });

  it('spaces a track without any time by the interval, or asks for one', () => {
    const text = gpxDocument([point(52.9, -1.5), point(52.90001, -1.50001)]);
    expect(parseError(text).message).toBe(
      'walk.gpx: line 3, column 3: the track has no <time> on its points; pass an interval (--interval-ms)',
    );
    const trace = parseGpxTrace(text, 'walk.gpx', { intervalMs: 500 });
    expect(trace.tracks[0]?.points.map((p) => p.fixTimeMs)).toEqual([0, 500]);
  });

  it('gives the line and column of malformed XML, bad coordinates, times and time order', () => {
    expect(parseError('<gpx>\n  <trk>\n</gpx>').message).toMatch(
      /^walk\.gpx: line 2, column \d+: not well-formed XML: Opening and ending tag mismatch/,
    );
    const twice = (lat: number, lon: number, time: string) => [
      point(lat, lon, time),
      point(52.9, -1.5, '2026-05-01T11:00:00Z'),
    ];
    expect(parseError(gpxDocument(twice(52.9, 200, '2026-05-01T10:00:00Z'))).message).toBe(
      'walk.gpx: line 5, column 7 (trkseg[0].trkpt[0]@lon): expected a longitude in [-180, 180], found "200"',
    );
    expect(parseError(gpxDocument(twice(52.9, -1.5, '2026-05-01 10:00'))).position).toBe(
      'line 5, column 36 (trkseg[0].trkpt[0].time)',
    );
    const backwards = parseError(
      gpxDocument(
        [point(52.9, -1.5, '2026-05-01T10:00:05Z'), point(52.9, -1.5, '2026-05-01T10:00:06Z')],
        [point(52.9, -1.5, '2026-05-01T10:00:00Z'), point(52.9, -1.5, '2026-05-01T10:00:01Z')],
      ),
    );
    expect(backwards.position).toBe('line 9, column 7 (trkseg[1].trkpt[0])');
    expect(backwards.message).toMatch(/is earlier than the previous fix/);
  });

  it('refuses a document that is not GPX or has no track, and warns about extra tracks', () => {
    expect(parseError('<kml/>').message).toBe(
      'walk.gpx: line 1, column 1: expected a <gpx> document, found <kml>',
    );
    expect(parseError('<gpx><rte/></gpx>').message).toMatch(/no <trk> track in the GPX file/);
    const two = gpxDocument([
      point(52.9, -1.5, '2026-05-01T10:00:00Z'),
      point(52.9, -1.5, '2026-05-01T10:00:01Z'),
    ]).replace('</gpx>', '<trk><trkseg><trkpt lat="1" lon="1"/></trkseg></trk></gpx>');
    expect(parseGpxTrace(two, 'walk.gpx').warnings).toEqual([
      'walk.gpx: line 3, column 3: using the first <trk>; ignoring 1 more',
    ]);
  });

  it('is chosen by the .gpx extension or a leading "<"', () => {
    expect(detectTraceFormat('walk.gpx', '')).toBe('gpx');
    expect(detectTraceFormat('walk', '  <?xml version="1.0"?>')).toBe('gpx');
    const text = gpxDocument([
      point(52.9, -1.5, '2026-05-01T10:00:00Z'),
      point(52.9, -1.5, '2026-05-01T10:00:01Z'),
    ]);
    expect(parseTrace({ format: 'gpx', text }).tracks[0]?.points).toHaveLength(2);
  });
});
