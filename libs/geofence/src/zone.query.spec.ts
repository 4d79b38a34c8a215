import * as turf from '@turf/turf';
import { GeofenceEngine } from './geofence.engine.js';
import type { ZoneInput } from './geofence.types.js';
import { metresPerDegreeLat, metresPerDegreeLon } from './projection.js';

// Fixtures around 15.6°E 48.2°N; 0.001° is about 74 m east-west and 111 m north-south.
function rect(id: string, kind: 'safe' | 'danger', w: number, s: number, e: number, n: number): ZoneInput {
  return {
    id,
    version: 1,
    kind,
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [w, s],
          [e, s],
          [e, n],
          [w, n],
          [w, s],
        ],
      ],
    },
  };
}

const at = { atMs: 0 };
const mLon = metresPerDegreeLon(48.2, 'wgs84');
const mLat = metresPerDegreeLat(48.2, 'wgs84');

describe('boundary rule (fixtures)', () => {
  it('a point exactly on a danger vertex or edge is in danger', () => {
    const engine = new GeofenceEngine();
    engine.upsertZone(rect('d', 'danger', 15.6, 48.2, 15.601, 48.201));
    for (const [lon, lat] of [
      [15.6, 48.2],
      [15.601, 48.201],
      [15.6005, 48.2],
      [15.601, 48.2004],
    ]) {
      const r = engine.query(lon, lat, at);
      expect(r.breach).toBe(true);
      expect(r.rule).toBe('on-danger-boundary');
      expect(r.decidingZone?.zoneId).toBe('d');
      expect(Math.abs(r.signedDistanceM as number)).toBeLessThan(1e-9);
    }
    const outside = engine.query(15.6005, 48.2 - 0.1 / mLat, at);
    expect(outside.breach).toBe(false);
    expect(outside.rule).toBe('near-danger-zone');
    expect(outside.signedDistanceM).toBeCloseTo(0.1, 6);
    expect(outside.nearestBoundary?.distanceM).toBeCloseTo(0.1, 6);
  });

  it('a point on an edge or vertex shared by a safe and a danger zone is in danger', () => {
    const engine = new GeofenceEngine();
    engine.upsertZone(rect('safe', 'safe', 15.599, 48.2, 15.6, 48.201));
    engine.upsertZone(rect('danger', 'danger', 15.6, 48.2, 15.601, 48.201));
    for (const [lon, lat] of [
      [15.6, 48.2005],
      [15.6, 48.2],
      [15.6, 48.201],
    ]) {
      const r = engine.query(lon, lat, at);
      expect(r.breach).toBe(true);
      expect(r.decidingZone?.zoneId).toBe('danger');
    }
    const justInsideSafe = engine.query(15.6 - 0.01 / mLon, 48.2005, at);
    expect(justInsideSafe.breach).toBe(false);
    // 1 cm inside the safe zone is 1 cm outside the danger zone (either may decide: a tie).
    expect(Math.abs(justInsideSafe.signedDistanceM as number)).toBeCloseTo(0.01, 6);
  });

  it('an edge shared by two safe zones is inside their union, the union outline is not', () => {
    const engine = new GeofenceEngine();
    engine.upsertZone(rect('a', 'safe', 15.599, 48.2, 15.6, 48.201));
    engine.upsertZone(rect('b', 'safe', 15.6, 48.2, 15.601, 48.201));
    const shared = engine.query(15.6, 48.2005, at);
    expect(shared.breach).toBe(false);
    expect(shared.rule).toBe('inside-safe-zone');
    // Ends of the shared edge lie on the union's outline: conservative, not covered.
    expect(engine.query(15.6, 48.201, at).breach).toBe(true);
    expect(engine.query(15.6, 48.2, at).breach).toBe(true);
    const outline = engine.query(15.599, 48.2005, at);
    expect(outline.breach).toBe(true);
    expect(outline.rule).toBe('on-safe-boundary');
    expect(engine.query(15.599, 48.2, at).breach).toBe(true); // outer vertex
  });

  it('two safe zones touching only at a corner do not cover that corner', () => {
    const engine = new GeofenceEngine();
    engine.upsertZone(rect('a', 'safe', 15.599, 48.199, 15.6, 48.2));
    engine.upsertZone(rect('b', 'safe', 15.6, 48.2, 15.601, 48.201));
    expect(engine.query(15.6, 48.2, at).breach).toBe(true);
  });

  it('holes are outside; winding of the input does not matter', () => {
    const engine = new GeofenceEngine();
    const shell = [
      [15.6, 48.2],
      [15.6, 48.201],
      [15.601, 48.201],
      [15.601, 48.2],
      [15.6, 48.2],
    ]; // clockwise on purpose
    const hole = [
      [15.6004, 48.2004],
      [15.6006, 48.2004],
      [15.6006, 48.2006],
      [15.6004, 48.2006],
      [15.6004, 48.2004],
    ];
    engine.upsertZone({
      id: 'd',
      version: 3,
      kind: 'danger',
      geometry: { type: 'Polygon', coordinates: [shell, hole] },
    });
    const inHole = engine.query(15.6005, 48.2005, at);
    expect(inHole.breach).toBe(false);
    expect(inHole.signedDistanceM).toBeCloseTo(0.0001 * mLon, 3);
    const inRing = engine.query(15.6002, 48.2005, at);
    expect(inRing.breach).toBe(true);
    expect(inRing.decidingZone).toEqual({ zoneId: 'd', zoneVersion: 3, zoneKind: 'danger' });
    expect(inRing.signedDistanceM).toBeCloseTo(-0.0002 * mLon, 3);
    expect(engine.query(15.6004, 48.2005, at).rule).toBe('on-danger-boundary'); // on the hole's edge
  });

  it('MultiPolygon: inside any component', () => {
    const engine = new GeofenceEngine();
    const a = rect('x', 'danger', 15.6, 48.2, 15.601, 48.201).geometry as unknown as {
      coordinates: number[][][];
    };
    const b = rect('x', 'danger', 15.603, 48.2, 15.604, 48.201).geometry as unknown as {
      coordinates: number[][][];
    };
    engine.upsertZone({
      id: 'm',
      version: 1,
      kind: 'danger',
      geometry: { type: 'MultiPolygon', coordinates: [a.coordinates, b.coordinates] },
    });
    expect(engine.query(15.6005, 48.2005, at).breach).toBe(true);
    expect(engine.query(15.6035, 48.2005, at).breach).toBe(true);
    const between = engine.query(15.602, 48.2005, at);
    expect(between.breach).toBe(false);
    expect(between.signedDistanceM).toBeCloseTo(0.001 * mLon, 2);
  });

  it('outside every safe zone: breach, with the distance to the nearest safe zone, even beyond the search radius', () => {
    const engine = new GeofenceEngine();
    engine.upsertZone(rect('site', 'safe', 15.6, 48.2, 15.601, 48.201));
    const near = engine.query(15.6005, 48.201 + 20 / mLat, at);
    expect(near.breach).toBe(true);
    expect(near.rule).toBe('outside-safe-union');
    expect(near.signedDistanceM).toBeCloseTo(20, 4);
    const far = engine.query(15.6005, 48.201 + 1500 / mLat, at);
    expect(far.breach).toBe(true);
    expect(far.decidingZone?.zoneId).toBe('site');
    expect(far.signedDistanceM).toBeCloseTo(1500, 1);
    const deep = engine.query(15.6005, 48.2005, at);
    expect(deep.breach).toBe(false);
    expect(deep.signedDistanceM).toBeCloseTo(-0.0005 * mLon, 3); // deeper than the warning distance: exact
  });
});

describe('corridors', () => {
  it('report chainage along the centreline and a signed distance of (distance to centreline - half-width)', () => {
    const engine = new GeofenceEngine({ earthModel: 'sphere' });
    // A bent centreline: 100 m north, then 200 m east.
    const north = 100 / metresPerDegreeLat(48.2, 'sphere');
    const east = 200 / metresPerDegreeLon(48.2 + north, 'sphere');
    const centreline = [
      [15.6, 48.2],
      [15.6, 48.2 + north],
      [15.6 + east, 48.2 + north],
    ];
    engine.upsertZone({
      id: 'track',
      version: 1,
      kind: 'danger',
      geometry: { type: 'Corridor', centreline, halfWidthM: 2 },
    });
    const line = turf.lineString(centreline);
    // 1 m east of the first leg, 40 m along it.
    const p1 = [
      15.6 + 1 / metresPerDegreeLon(48.2, 'sphere'),
      48.2 + 40 / metresPerDegreeLat(48.2, 'sphere'),
    ];
    const r1 = engine.query(p1[0], p1[1], at);
    expect(r1.breach).toBe(true);
    expect(r1.signedDistanceM).toBeCloseTo(1 - 2, 3);
    expect(r1.chainageM).toBeCloseTo(40, 2);
    // 3 m south of the second leg, 50 m along it: chainage 150 m, outside by 1 m.
    const p2 = [
      15.6 + 50 / metresPerDegreeLon(48.2 + north, 'sphere'),
      48.2 + north - 3 / metresPerDegreeLat(48.2, 'sphere'),
    ];
    const r2 = engine.query(p2[0], p2[1], at);
    expect(r2.breach).toBe(false);
    expect(r2.signedDistanceM).toBeCloseTo(1, 3);
    expect(r2.decidingZone?.zoneId).toBe('track');
    expect(r2.chainageM).toBeCloseTo(150, 2);
    expect(r2.nearestBoundary?.chainageM).toBeCloseTo(150, 2);
    const turfChainage =
      turf.length(
        turf.lineSlice(turf.point(centreline[0]), turf.nearestPointOnLine(line, turf.point(p2)), line),
      ) * 1000;
    expect(r2.nearestBoundary?.chainageM).toBeCloseTo(turfChainage, 1);
    // Beyond the far end (round cap): chainage is the total length.
    const p3 = [15.6 + east + 1 / metresPerDegreeLon(48.2 + north, 'sphere'), 48.2 + north];
    const r3 = engine.query(p3[0], p3[1], at);
    expect(r3.breach).toBe(true);
    expect(r3.chainageM).toBeCloseTo(300, 1);
    expect(engine.getZone('track')?.lengthM).toBeCloseTo(300, 1);
  });
});
