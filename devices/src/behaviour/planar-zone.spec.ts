import { booleanPointInPolygon, pointToLineDistance, lineString, polygon } from '@turf/turf';
import fc from 'fast-check';
import { LocalFrame } from './local-frame.js';
import { classifyPosition, signedDistanceM, type PlanarGeometry, type PlanarZone } from './planar-zone.js';
import { SeededRandom } from './seeded-random.js';

const frame = new LocalFrame({ lon: -1.5, lat: 52.9 });
const shell = [
  { x: -50, y: -20 },
  { x: 60, y: -25 },
  { x: 40, y: 30 },
  { x: -30, y: 25 },
];
const hole = [
  { x: -5, y: -5 },
  { x: 5, y: -5 },
  { x: 5, y: 5 },
  { x: -5, y: 5 },
];
const withHole: PlanarGeometry = { type: 'polygons', polygons: [[shell, hole]] };
const corridor: PlanarGeometry = {
  type: 'corridor',
  centreline: [
    { x: -60, y: 0 },
    { x: 0, y: 10 },
    { x: 60, y: 0 },
  ],
  halfWidthM: 2,
};
const geo = (points: { x: number; y: number }[]) => {
  const ring = points.map(({ x, y }) => {
    const { lon, lat } = frame.toLonLat(x, y);
    return [lon, lat];
  });
  return [...ring, ring[0]!];
};

describe('planar zones (turf as the oracle)', () => {
  it('signed distance agrees with turf for polygons with holes and corridors', () => {
    const turfPolygon = polygon([geo(shell), geo(hole).reverse()]);
    const turfLine = lineString(
      corridor.type === 'corridor'
        ? corridor.centreline.map(({ x, y }) => {
            const { lon, lat } = frame.toLonLat(x, y);
            return [lon, lat];
          })
        : [],
    );
    fc.assert(
      fc.property(
        fc.double({ min: -80, max: 80, noNaN: true }),
        fc.double({ min: -40, max: 40, noNaN: true }),
        (x, y) => {
          const { lon, lat } = frame.toLonLat(x, y);
          const d = signedDistanceM(withHole, { x, y });
          if (Math.abs(d) > 0.01 && d < 0 !== booleanPointInPolygon([lon, lat], turfPolygon)) return false;
          const c = signedDistanceM(corridor, { x, y });
          const turfC = pointToLineDistance([lon, lat], turfLine, { units: 'meters' }) - 2;
          return Math.abs(c - turfC) < 0.05;
        },
      ),
      { numRuns: 2000, seed: 11 },
    );
  });

  it('applies the rule: inside a danger zone, or outside every active safe zone, is a breach', () => {
    const safe: PlanarZone = { id: 's', kind: 'safe', geometry: withHole, windows: [], appliesTo: [] };
    const danger: PlanarZone = {
      id: 'd',
      kind: 'danger',
      geometry: corridor,
      windows: [{ fromMs: 100, toMs: 200 }],
      appliesTo: ['w'],
    };
    expect(classifyPosition([safe, danger], 'w', { x: 20, y: 0 }, 0)).toMatchObject({
      breach: false,
      zoneId: 's',
    });
    expect(classifyPosition([safe, danger], 'w', { x: 0, y: 0 }, 0)).toMatchObject({
      breach: true,
      zoneId: 's',
    }); // the hole
    expect(classifyPosition([safe, danger], 'w', { x: 0, y: 10 }, 150)).toMatchObject({
      breach: true,
      zoneId: 'd',
      beyondM: 2,
    });
    expect(classifyPosition([safe, danger], 'w', { x: 0, y: 10 }, 200).breach).toBe(false); // window ended
    expect(classifyPosition([safe, danger], 'other', { x: 0, y: 10 }, 150).breach).toBe(false); // not its zone
    expect(classifyPosition([], 'w', { x: 0, y: 0 }, 0)).toEqual({
      breach: false,
      zoneId: null,
      beyondM: -Infinity,
    });
  });

  it('local frame round-trips and seeded streams are reproducible and independent', () => {
    const { lon, lat } = frame.toLonLat(1234.5, -678.9);
    const back = frame.toXY(lon, lat);
    expect(back.x).toBeCloseTo(1234.5, 6);
    expect(back.y).toBeCloseTo(-678.9, 6);
    const a = new SeededRandom(5);
    const b = new SeededRandom(5);
    expect([a.next(), a.gaussian(), a.integer(1, 6)]).toEqual([b.next(), b.gaussian(), b.integer(1, 6)]);
    expect(new SeededRandom(5).fork('x').next()).not.toBe(new SeededRandom(5).fork('y').next());
    const uniform = Array.from({ length: 10_000 }, () => a.next());
    expect(uniform.reduce((s, v) => s + v, 0) / 10_000).toBeCloseTo(0.5, 1);
  });
});
