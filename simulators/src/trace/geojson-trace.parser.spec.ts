import { parseGeoJsonTrace } from './geojson-trace.parser.js';
import { TraceFormatError, type LoadTraceOptions } from './trace.model.js';

const T0 = Date.parse('2026-05-01T10:00:00Z');
const iso = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();
const coordinates = [
  [-1.5, 52.9],
  [-1.50001, 52.90001, 87.5],
  [-1.50002, 52.90002],
];

const lineFeature = (properties: Record<string, unknown>, coords: unknown = coordinates) => ({
  type: 'Feature',
  properties,
  geometry: { type: 'LineString', coordinates: coords },
});
const pointFeature = (coords: unknown, properties: Record<string, unknown> | null) => ({
  type: 'Feature',
  properties,
  geometry: { type: 'Point', coordinates: coords },
});
const collection = (...features: unknown[]) => ({ type: 'FeatureCollection', features });

const parse = (value: unknown, options?: LoadTraceOptions) =>
  parseGeoJsonTrace(typeof value === 'string' ? value : JSON.stringify(value), 'walk.geojson', options);

function parseError(value: unknown, options?: LoadTraceOptions): TraceFormatError {
  try {
    parse(value, options);
  } catch (error) {
    if (error instanceof TraceFormatError) return error;
    throw error;
  }
  throw new Error('expected a TraceFormatError');
}

describe('GeoJSON trace parser', () => {
  it('reads a LineString Feature with togeojson coordTimes and a single accuracy', () => {
    const trace = parse(lineFeature({ coordTimes: [iso(0), iso(1000), iso(2000)], accuracyM: 2 }));
    expect(trace.format).toBe('geojson');
    expect(trace.tracks).toEqual([
      {
        points: [
          { fixTimeMs: T0, lon: -1.5, lat: 52.9, accuracyM: 2 },
          { fixTimeMs: T0 + 1000, lon: -1.50001, lat: 52.90001, accuracyM: 2 },
          { fixTimeMs: T0 + 2000, lon: -1.50002, lat: 52.90002, accuracyM: 2 },
        ],
      },
    ]);
  });

  it('reads properties.times as epoch ms and per-point accuracies (null means the default)', () => {
    const trace = parse(lineFeature({ times: [T0, T0 + 500, T0 + 500], accuracyM: [1, null, 4] }), {
      defaultAccuracyM: 9,
    });
    expect(trace.tracks[0]?.points.map((point) => [point.fixTimeMs - T0, point.accuracyM])).toEqual([
      [0, 1],
      [500, 9],
      [500, 4],
    ]);
  });

  it('uses the first LineString of a FeatureCollection and warns about the others', () => {
    const other = lineFeature({ coordTimes: [iso(0)] }, [[0, 0]]);
    const trace = parse(
      collection(pointFeature([-1, 52], {}), lineFeature({ coordTimes: [iso(0), iso(1), iso(2)] }), other),
    );
    expect(trace.tracks[0]?.points).toHaveLength(3);
    expect(trace.warnings).toEqual([
      'walk.geojson: features: using the LineString at features[1]; ignoring 1 more',
    ]);
  });

  it('reads a bare LineString geometry spaced by the interval option', () => {
    const trace = parse({ type: 'LineString', coordinates }, { intervalMs: 250 });
    expect(trace.tracks[0]?.points.map((point) => point.fixTimeMs)).toEqual([0, 250, 500]);
    expect(trace.tracks[0]?.points[0]?.accuracyM).toBe(3);
  });

  it('prefers the trace times over the interval option, with a warning', () => {
    const trace = parse(lineFeature({ coordTimes: [iso(0), iso(1000), iso(2000)] }), { intervalMs: 5 });
    expect(trace.tracks[0]?.points[1]?.fixTimeMs).toBe(T0 + 1000);
    expect(trace.warnings).toEqual([
      'walk.geojson: properties.coordTimes: the trace has times; ignoring the interval option',
    ]);
  });

  it('reads a FeatureCollection of timed Point features, with accuracy and sequence, ignoring other features', () => {
    const trace = parse(
      collection(
        pointFeature([-1.5, 52.9], { time: iso(0), accuracyM: 1.5, sequence: 10 }),
        { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [] } },
        pointFeature([-1.6, 52.8], { time: T0 + 1000, sequence: 11 }),
      ),
    );
    expect(trace.tracks[0]?.points).toEqual([
      { fixTimeMs: T0, lon: -1.5, lat: 52.9, accuracyM: 1.5, sequence: 10 },
      { fixTimeMs: T0 + 1000, lon: -1.6, lat: 52.8, accuracyM: 3, sequence: 11 },
    ]);
    expect(trace.warnings).toEqual(['walk.geojson: features: ignoring 1 feature(s) that are not Points']);
  });

  it('spaces untimed Point features by the interval option', () => {
    const trace = parse(collection(pointFeature([1, 2], null), pointFeature([1, 3], {})), {
      intervalMs: 1000,
    });
    expect(trace.tracks[0]?.points.map((point) => point.fixTimeMs)).toEqual([0, 1000]);
  });

  const times3 = { coordTimes: [iso(0), iso(1000), iso(2000)] };
  it.each([
    ['text that is not JSON', '{"type": "Feature",', '', /^walk\.geojson: not valid JSON: /],
    ['a JSON array', '[]', '', /expected a GeoJSON object, found an array/],
    [
      'an unsupported type',
      { type: 'Polygon', coordinates: [] },
      'type',
      /expected a LineString Feature, a FeatureCollection or a LineString geometry \(or MultiLineString\), found "Polygon"/,
    ],
    [
      'a Point Feature',
      pointFeature([1, 2], {}),
      'geometry.type',
      /expected a LineString \(or MultiLineString\), found "Point"/,
    ],
    [
      'a Feature without geometry',
      { type: 'Feature', properties: {}, geometry: null },
      'geometry.type',
      /found null/,
    ],
    [
      'properties that are not an object',
      { ...lineFeature({}), properties: [1] },
      'properties',
      /expected an object, found an array/,
    ],
    [
      'empty coordinates',
      lineFeature(times3, []),
      'geometry.coordinates',
      /expected a non-empty array of \[lon, lat\] positions/,
    ],
    [
      'a position that is not a pair',
      lineFeature(times3, [[1, 2], [1, 2], [3]]),
      'geometry.coordinates[2]',
      /expected \[lon, lat\] numbers, found \[3\]/,
    ],
    [
      'a position with a string',
      lineFeature(times3, [
        [1, 2],
        ['1', 2],
        [1, 2],
      ]),
      'geometry.coordinates[1]',
      /expected \[lon, lat\] numbers, found \["1",2\]/,
    ],
    [
      'a longitude out of range',
      lineFeature(times3, [
        [1, 2],
        [1, 2],
        [200, 2],
      ]),
      'geometry.coordinates[2]',
      /expected a longitude in \[-180, 180\], found 200/,
    ],
    [
      'a latitude out of range',
      lineFeature(times3, [
        [1, 95],
        [1, 2],
        [1, 2],
      ]),
      'geometry.coordinates[0]',
      /expected a latitude in \[-90, 90\], found 95/,
    ],
    [
      'no times and no interval',
      lineFeature({}),
      'properties',
      /no times: add properties\.coordTimes \(or properties\.times\), one per coordinate, or pass an interval/,
    ],
    ['a bare LineString without interval', { type: 'LineString', coordinates }, 'properties', /no times/],
    [
      'coordTimes that is not an array',
      lineFeature({ coordTimes: 'soon' }),
      'properties.coordTimes',
      /expected an array of times, found "soon"/,
    ],
    [
      'fewer coordTimes than coordinates',
      lineFeature({ coordTimes: [iso(0), iso(1)] }),
      'properties.coordTimes',
      /has 2 times for 3 coordinates; expected one time per coordinate/,
    ],
    [
      'more times than coordinates',
      lineFeature({ times: [1, 2, 3, 4] }),
      'properties.times',
      /has 4 times for 3 coordinates/,
    ],
    [
      'a time without a zone',
      lineFeature({ coordTimes: [iso(0), '2026-05-01T10:00:01', iso(2000)] }),
      'properties.coordTimes[1]',
      /expected an ISO 8601 time with a zone .* found "2026-05-01T10:00:01"/,
    ],
    [
      'a negative epoch time',
      lineFeature({ times: [1, -2, 3] }),
      'properties.times[1]',
      /epoch milliseconds, found -2/,
    ],
    [
      'a time going back',
      lineFeature({ coordTimes: [iso(0), iso(2000), iso(1000)] }),
      'properties.coordTimes[2]',
      /time 2026-05-01T10:00:01\.000Z is earlier than the previous fix \(properties\.coordTimes\[1\], 2026-05-01T10:00:02\.000Z\)/,
    ],
    [
      'an accuracy array of the wrong length',
      lineFeature({ ...times3, accuracyM: [1, 2] }),
      'properties.accuracyM',
      /has 2 accuracies for 3 coordinates/,
    ],
    [
      'a negative accuracy',
      lineFeature({ ...times3, accuracyM: [1, -2, 3] }),
      'properties.accuracyM[1]',
      /expected an accuracy in metres in \[0, 10000\], found -2/,
    ],
    [
      'a quoted accuracy',
      lineFeature({ ...times3, accuracyM: '3' }),
      'properties.accuracyM',
      /expected a number, found "3"/,
    ],
    [
      'a collection without features array',
      { type: 'FeatureCollection' },
      'features',
      /expected an array of features, found nothing/,
    ],
    [
      'a collection with nothing to replay',
      collection({ type: 'Feature', properties: {}, geometry: null }),
      'features',
      /no LineString feature and no Point features/,
    ],
    [
      'a LineString in a collection with a bad position',
      collection(
        lineFeature(times3, [
          [1, 2],
          [1, 'x'],
          [1, 2],
        ]),
      ),
      'features[0].geometry.coordinates[1]',
      /expected \[lon, lat\] numbers/,
    ],
    [
      'a Point without time',
      collection(pointFeature([1, 2], { time: iso(0) }), pointFeature([1, 2], {})),
      'features[1].properties.time',
      /missing: give every Point a time, or pass an interval/,
    ],
    [
      'a Point with a bad position',
      collection(pointFeature([1], { time: iso(0) })),
      'features[0].geometry.coordinates',
      /expected \[lon, lat\] numbers, found \[1\]/,
    ],
    [
      'Points going back in time',
      collection(pointFeature([1, 2], { time: iso(1000) }), pointFeature([1, 2], { time: iso(0) })),
      'features[1].properties.time',
      /earlier than the previous fix \(features\[0\]\.properties\.time,/,
    ],
    [
      'a Point with a bad sequence',
      collection(pointFeature([1, 2], { time: iso(0), sequence: -1 })),
      'features[0].properties.sequence',
      /non-negative integer sequence number, found -1/,
    ],
    [
      'Points with some sequences',
      collection(pointFeature([1, 2], { time: iso(0) }), pointFeature([1, 2], { time: iso(1), sequence: 1 })),
      'features[0].properties.time',
      /no sequence number, but features\[1\]\.properties\.time has one/,
    ],
  ])('rejects %s with its position', (_case, value, position, message) => {
    const error = parseError(value);
    expect(error.position).toBe(position);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(position ? `walk.geojson: ${position}: ` : 'walk.geojson: ')).toBe(true);
  });
});
