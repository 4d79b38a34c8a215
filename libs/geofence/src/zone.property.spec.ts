/**
 * Property tests against turf, on generated rail-like corridors (curved, 3–6 m wide, holes).
 *
 * What is compared, exactly:
 * - status: Lookout's inside/outside against turf booleanPointInPolygon (polygons), and against
 *   turf pointToLineDistance(centreline) <= half-width (native corridors), everywhere except a
 *   1 mm band around boundaries;
 * - signed distance: Lookout (earth model `sphere`, turf's 6,371,008.8 m sphere) against turf
 *   pointToLineDistance (geodesic method: great-circle segments) within 1 mm, for points up to
 *   50 m from the boundary. Lookout's edges are straight in lon/lat (RFC 7946) and measured in the
 *   local metric of the point; on these ~2–10 m edges the two definitions differ by far less than
 *   a micrometre, and the metric by < d²·tan(lat)/(2R) (< 0.4 mm at 50 m, |lat| <= 60°). Every point
 *   within 5 m of the boundary is compared, and every 10th point between 5 and 50 m (turf's
 *   geodesic point-to-segment costs ~20 µs per edge; this keeps the file near 30 s).
 * The oracle is given only the edges near the point (those whose box lies within Lookout's
 * distance + 1 cm): a Lookout distance too large lets the true nearest edge through, one too
 * small leaves turf a larger distance, so either shows up as a mismatch.
 */
import * as turf from '@turf/turf';
import fc from 'fast-check';
import { bandRing, GenFrame, railCentreline, seededRandom, toLonLatRing } from '../bench/network.js';
import { GeofenceEngine } from './geofence.engine.js';
import type { Position } from './geofence.types.js';

interface Case {
  seed: number;
  lat0: number;
  lon0: number;
  lengthM: number;
  vertices: number;
  halfWidthM: number;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  lat0: fc.double({ min: -60, max: 60, noNaN: true }),
  lon0: fc.double({ min: -179, max: 179, noNaN: true }),
  lengthM: fc.double({ min: 200, max: 2000, noNaN: true }),
  vertices: fc.integer({ min: 40, max: 300 }),
  halfWidthM: fc.double({ min: 1.5, max: 3, noNaN: true }),
});

const POINTS_PER_CASE = 5000;
const RUNS = 20; // 20 × 5000 = 100,000 points per property

/** Points near boundaries (±5 m of an edge) and away from them (up to 50 m), in metres. */
function samplePoints(rand: () => number, line: [number, number][], halfWidthM: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < POINTS_PER_CASE; i++) {
    const j = Math.floor(rand() * (line.length - 1));
    const f = rand();
    const [ax, ay] = line[j];
    const dx = line[j + 1][0] - ax;
    const dy = line[j + 1][1] - ay;
    const len = Math.hypot(dx, dy);
    const side = rand() < 0.5 ? -1 : 1;
    const offset = rand() < 0.6 ? side * halfWidthM + (rand() * 2 - 1) * 5 : side * rand() * 50;
    out.push([ax + dx * f - (dy / len) * offset, ay + dy * f + (dx / len) * offset]);
  }
  // A few beyond the ends.
  const last = line[line.length - 1];
  for (let i = 0; i < 20; i++) out.push([last[0] + (rand() - 0.5) * 40, last[1] + (rand() - 0.5) * 40]);
  return out;
}

/**
 * Turf distance (m) from p to the given rings/lines, handing turf only the edges that a rough
 * equirectangular estimate (good to well under 1 % at these distances) puts within `reachM`.
 */
function turfDistanceM(p: Position, lines: Position[][], reachM: number, lat: number): number {
  const ky = 111_195;
  const kx = ky * Math.cos((lat * Math.PI) / 180);
  const limit = reachM * 1.01 + 0.01;
  let best = Infinity;
  for (const line of lines) {
    for (let i = 0; i + 1 < line.length; i++) {
      const a = line[i];
      const b = line[i + 1];
      const ax = (a[0] - p[0]) * kx;
      const ay = (a[1] - p[1]) * ky;
      const bx = (b[0] - p[0]) * kx;
      const by = (b[1] - p[1]) * ky;
      if ((ax > limit && bx > limit) || (ax < -limit && bx < -limit)) continue;
      if ((ay > limit && by > limit) || (ay < -limit && by < -limit)) continue;
      const ex = (b[0] - a[0]) * kx;
      const ey = (b[1] - a[1]) * ky;
      const len2 = ex * ex + ey * ey;
      const t = len2 > 0 ? Math.max(0, Math.min(1, -(ax * ex + ay * ey) / len2)) : 0;
      if (Math.hypot(ax + t * ex, ay + t * ey) > limit) continue;
      const d = turf.pointToLineDistance(p as number[], turf.lineString([a as number[], b as number[]]), {
        units: 'meters',
      });
      if (d < best) best = d;
    }
  }
  return best;
}

describe('agreement with turf (property-based)', () => {
  it('polygon corridors with holes: status everywhere outside a 1 mm band, signed distance within 1 mm', () => {
    let compared = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const rand = seededRandom(c.seed);
        const frame = new GenFrame(c.lon0, c.lat0);
        const line = railCentreline(rand, 0, 0, rand() * 2 * Math.PI, c.lengthM, c.vertices);
        const shell = toLonLatRing(frame, bandRing(line, -c.halfWidthM, c.halfWidthM));
        const mid = Math.floor(line.length / 2);
        const hole = toLonLatRing(frame, bandRing(line.slice(mid, mid + 3), -0.4, 0.4)).reverse();
        const rings = [shell, hole];
        const engine = new GeofenceEngine({ earthModel: 'sphere' });
        engine.upsertZone({
          id: 'z',
          version: 1,
          kind: 'danger',
          geometry: { type: 'Polygon', coordinates: rings },
        });
        const polygon = turf.polygon(rings);
        let n = 0;
        const mismatches: object[] = [];
        for (const [x, y] of samplePoints(rand, line, c.halfWidthM)) {
          const p = frame.toLonLat(x, y);
          const r = engine.query(p[0], p[1], { atMs: 0 });
          const sd = r.signedDistanceM as number;
          // The oracle within min(|sd|, 5 m) + 1 cm: exact there, and enough to tell the 1 mm band.
          // Farther points get the full oracle on every 10th point (turf is slow: ~20 µs per edge).
          const full = Math.abs(sd) <= 5 || n++ % 10 === 0;
          const truth = turfDistanceM(p, rings, (full ? Math.abs(sd) : 5) + 0.01, p[1]);
          if (truth < 0.001) continue;
          const inside = turf.booleanPointInPolygon(p, polygon);
          const distanceOk = !full || truth > 50 || Math.abs(Math.abs(sd) - truth) < 0.001;
          if (r.breach !== inside || sd < 0 !== inside || !distanceOk)
            mismatches.push({ p, sd, truth, inside });
          compared++;
        }
        // One assertion per case (expect() per point would dominate the run time).
        expect(mismatches.slice(0, 5)).toEqual([]);
      }),
      { numRuns: RUNS, seed: 20240407 },
    );
    expect(compared).toBeGreaterThan(0.9 * RUNS * POINTS_PER_CASE);
  });

  it('native corridors: status and signed distance (distance to centreline - half-width) within 1 mm', () => {
    let compared = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const rand = seededRandom(c.seed);
        const frame = new GenFrame(c.lon0, c.lat0);
        const line = railCentreline(rand, 0, 0, rand() * 2 * Math.PI, c.lengthM, c.vertices);
        const centreline = line.map(([x, y]) => frame.toLonLat(x, y));
        const engine = new GeofenceEngine({ earthModel: 'sphere' });
        engine.upsertZone({
          id: 'track',
          version: 1,
          kind: 'danger',
          geometry: { type: 'Corridor', centreline, halfWidthM: c.halfWidthM },
        });
        let n = 0;
        const mismatches: object[] = [];
        for (const [x, y] of samplePoints(rand, line, c.halfWidthM)) {
          const p = frame.toLonLat(x, y);
          const r = engine.query(p[0], p[1], { atMs: 0 });
          const sd = r.signedDistanceM as number;
          const full = Math.abs(sd) <= 5 || n++ % 10 === 0;
          const reach = (full ? sd + c.halfWidthM : Math.min(sd + c.halfWidthM, c.halfWidthM + 5)) + 0.01;
          const truth = turfDistanceM(p, [centreline], reach, p[1]) - c.halfWidthM;
          if (Math.abs(truth) < 0.001) continue;
          const distanceOk = !full || Math.abs(truth) > 50 || Math.abs(sd - truth) < 0.001;
          if (r.breach !== truth < 0 || !distanceOk) mismatches.push({ p, sd, truth });
          compared++;
        }
        expect(mismatches.slice(0, 5)).toEqual([]);
      }),
      { numRuns: RUNS / 2, seed: 7 },
    );
    expect(compared).toBeGreaterThan(0.9 * (RUNS / 2) * POINTS_PER_CASE);
  });
});
