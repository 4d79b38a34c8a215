import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { booleanPointInPolygon, distance, pointToPolygonDistance } from '@turf/turf';
import type { Feature, FeatureCollection, Polygon } from 'geojson';
import { loadTrace } from '../trace/trace.loader.js';
import type { TracePoint } from '../trace/trace.model.js';
import {
  buildDemoShortCsv,
  buildDemoSite,
  buildDemoStepOut,
  DEMO_GROUND_TRUTH as TRUTH,
  DEMO_SHORT_RANGE,
} from './demo-traces.js';

/**
 * The shipped demo files: they match their generator, and the walk is inside and outside the
 * safe zone exactly as described. turf is the independent oracle here.
 */
const tracePath = (name: string) => fileURLToPath(new URL(`../../traces/${name}`, import.meta.url));
const readJson = async (name: string): Promise<unknown> =>
  JSON.parse(await readFile(tracePath(name), 'utf8'));

describe('demo traces', () => {
  let site: Feature<Polygon>;
  let walk: readonly TracePoint[];
  /** Signed distance to the zone boundary in metres, negative inside. */
  const signedDistanceM = (point: TracePoint) =>
    pointToPolygonDistance([point.lon, point.lat], site, { units: 'meters' });
  const inside = (point: TracePoint) => booleanPointInPolygon([point.lon, point.lat], site);

  beforeAll(async () => {
    const siteCollection = (await readJson('demo-site.geojson')) as FeatureCollection<Polygon>;
    expect(siteCollection.features).toHaveLength(1);
    site = siteCollection.features[0] as Feature<Polygon>;
    walk = (await loadTrace(tracePath('demo-step-out.geojson'))).tracks[0]?.points ?? [];
  });

  it('are what the generator writes', async () => {
    expect(await readJson('demo-step-out.geojson')).toEqual(buildDemoStepOut());
    expect(await readJson('demo-site.geojson')).toEqual(buildDemoSite());
    expect(await readFile(tracePath('demo-short.csv'), 'utf8')).toBe(buildDemoShortCsv());
  });

  it('has a safe zone of about 200 m × 8 m named "Demo cess"', () => {
    expect(site.properties).toEqual({ name: 'Demo cess', kind: 'safe' });
    const [a, b, c] = site.geometry.coordinates[0] ?? [];
    expect(distance(a as number[], b as number[], { units: 'meters' })).toBeCloseTo(200, 0);
    expect(distance(b as number[], c as number[], { units: 'meters' })).toBeCloseTo(8, 1);
  });

  it('walks for 80 s at one fix per second near lon -1.5, lat 52.9', () => {
    expect(walk).toHaveLength(81);
    walk.forEach((point, index) => {
      expect(point.fixTimeMs - (walk[0]?.fixTimeMs ?? 0)).toBe(index * 1000);
      expect(Math.abs(point.lon + 1.5)).toBeLessThan(0.001);
      expect(Math.abs(point.lat - 52.9)).toBeLessThan(0.001);
    });
  });

  it('stays at least 2 m inside the zone except during the step-out', () => {
    walk.forEach((point, index) => {
      if (index >= TRUTH.stepOutFromIndex && index <= TRUTH.stepOutToIndex) return;
      expect({ index, inside: inside(point) }).toEqual({ index, inside: true });
      expect(signedDistanceM(point)).toBeLessThanOrEqual(-2);
    });
  });

  it('is outside for exactly the ten ground-truth fixes, going 15 m out', () => {
    const outside = walk.flatMap((point, index) => (inside(point) ? [] : [index]));
    const expected = Array.from({ length: 10 }, (_, offset) => TRUTH.outsideFromIndex + offset);
    expect(outside).toEqual(expected);
    expect(TRUTH.outsideToIndex).toBe(expected.at(-1));
    const furthestM = Math.max(...outside.map((index) => signedDistanceM(walk[index] as TracePoint)));
    expect(furthestM).toBeGreaterThanOrEqual(10);
    expect(furthestM).toBeCloseTo(TRUTH.maxOutsideM, 1);
  });

  it('ships the step-out part of the walk as CSV with the same fixes', async () => {
    const short = (await loadTrace(tracePath('demo-short.csv'))).tracks[0]?.points;
    expect(short).toEqual(walk.slice(DEMO_SHORT_RANGE.fromIndex, DEMO_SHORT_RANGE.toIndex + 1));
    expect(short?.some((point) => !inside(point))).toBe(true);
  });
});
