import { readFileSync } from 'node:fs';
import { parseZoneImport, type ImportResult } from './zone-import.js';
import { zoneImportSchema } from './zone.dto.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../../test/fixtures/zones/${name}`, import.meta.url), 'utf8');
const KML = fixture('possession-p42.kml');
const GEOJSON = fixture('worksite-b.geojson');

const request = (format: 'kml' | 'geojson', content: string, defaults: Record<string, unknown> = {}) =>
  zoneImportSchema.parse({
    format,
    content,
    fileName: `file.${format}`,
    defaults: { provenance: { author: 'J. Surveyor', method: 'RTK GNSS' }, ...defaults },
  });

function failed(result: ImportResult) {
  if (result.ok) throw new Error('expected the import to fail');
  return result;
}

describe('parseZoneImport', () => {
  it('reads a KML polygon and LineString placemark, with names and ExtendedData', () => {
    const result = parseZoneImport(request('kml', KML, { appliesTo: ['gang-7'] }));
    if (!result.ok) throw new Error(result.message);
    expect(result.zones).toEqual([
      expect.objectContaining({
        name: 'Worksite A cess',
        kind: 'safe',
        halfWidthM: null,
        appliesTo: ['gang-7'],
        geometry: { type: 'Polygon', coordinates: [expect.arrayContaining([[-2.2005, 53.4]])] },
        provenance: {
          source: 'import',
          author: 'J. Surveyor',
          method: 'KML import of "file.kml", feature 0; RTK GNSS',
          notes: '',
        },
      }),
      expect.objectContaining({
        name: 'Up Fast open line',
        kind: 'danger',
        halfWidthM: 2.5,
        geometry: {
          type: 'LineString',
          coordinates: [
            [-2.201, 53.4006],
            [-2.2, 53.40062],
            [-2.199, 53.40065],
          ],
        },
      }),
    ]);
  });

  it('reads a GeoJSON FeatureCollection', () => {
    const result = parseZoneImport(request('geojson', GEOJSON));
    if (!result.ok) throw new Error(result.message);
    expect(result.zones.map((zone) => [zone.name, zone.kind, zone.geometry.type])).toEqual([
      ['Worksite B compound', 'safe', 'Polygon'],
      ['Down Fast and Down Slow open lines', 'danger', 'MultiPolygon'],
    ]);
  });

  it('is all or nothing: lists each bad feature by index and name, with the reason', () => {
    const collection = JSON.parse(GEOJSON) as { features: unknown[] };
    collection.features.push(
      {
        type: 'Feature',
        properties: { name: 'bow tie', kind: 'safe' },
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [2, 0],
              [0, 2],
              [2, 2],
              [0, 0],
            ],
          ],
        },
      },
      {
        type: 'Feature',
        properties: { name: 'signal post' },
        geometry: { type: 'Point', coordinates: [0, 0] },
      },
      {
        type: 'Feature',
        properties: {},
        geometry: {
          type: 'LineString',
          coordinates: [
            [0, 0],
            [0, 1],
          ],
        },
      },
    );
    const result = failed(parseZoneImport(request('geojson', JSON.stringify(collection))));
    expect(result.message).toMatch(/^3 of 5 features are invalid; nothing was imported: /);
    expect(result.issues).toEqual([
      {
        path: 'features.2.geometry.coordinates.0.1',
        message:
          'feature 2 "bow tie": geometry.coordinates.0.1: ring 0 crosses itself: segment 1 (positions 1→2) and segment 3 (positions 3→4) cross at [1, 1]',
      },
      {
        path: 'features.3.geometry',
        message:
          'feature 3 "signal post": geometry Point is not a zone: expected Polygon, MultiPolygon or LineString (a corridor)',
      },
      {
        path: 'features.4.kind',
        message:
          'feature 4 "file.geojson #5": kind: kind is missing: set it in the feature (properties.kind / ExtendedData "kind") or in defaults.kind',
      },
    ]);
  });

  it('refuses malformed content and content over the bounds, with a clear message', () => {
    expect(failed(parseZoneImport(request('geojson', '{"type": "FeatureCollection", '))).message).toMatch(
      /^content is not valid JSON: /,
    );
    expect(failed(parseZoneImport(request('kml', '<kml><Document></kml>'))).message).toMatch(
      /^content is not well-formed XML: /,
    );
    expect(failed(parseZoneImport(request('kml', '<gpx></gpx>'))).message).toBe(
      'content is not KML: its root element is <gpx>, expected <kml>',
    );
    expect(
      failed(parseZoneImport(request('geojson', GEOJSON), { maxContentBytes: 100, maxFeatures: 10 })).issues,
    ).toEqual([
      {
        path: 'content',
        message: `content is ${Buffer.byteLength(GEOJSON)} bytes; at most 100 are accepted: split the file`,
      },
    ]);
    expect(
      failed(parseZoneImport(request('geojson', GEOJSON), { maxContentBytes: 1e6, maxFeatures: 1 })).message,
    ).toBe('content has 2 features; at most 1 are accepted: split the file');
  });
});
