import { booleanPointInPolygon, polygon as turfPolygon } from '@turf/turf';
import fc from 'fast-check';
import { LocalFrame, type PlanarZone } from '../../../devices/src/behaviour/index.js';
import { computeCrossings, withFixesDuring } from './ground-truth.js';
import { CESS } from '../../../devices/src/testing/zones.js';

const line: PlanarZone = {
  id: 'line',
  kind: 'danger',
  geometry: {
    type: 'corridor',
    centreline: [
      { x: -100, y: 0 },
      { x: 100, y: 0 },
    ],
    halfWidthM: 1.5,
  },
  windows: [],
  appliesTo: [],
};

/** Straight walk from (x0, y0) at t = 0 to (x1, y1) at t = durationMs. */
const walk = (x0: number, y0: number, x1: number, y1: number, durationMs: number) => (t: number) => {
  const f = Math.max(0, Math.min(1, t / durationMs));
  return { x: x0 + f * (x1 - x0), y: y0 + f * (y1 - y0) };
};

describe('ground truth', () => {
  it('times a step out of a safe zone to the millisecond, with its depth', () => {
    // y = -8 → -16 over 0..8 s and back by 16 s: the edge y = -12 is passed at 4 s and 12 s.
    const out = walk(0, -8, 0, -16, 8000);
    const positionAt = (t: number) => (t <= 8000 ? out(t) : { x: 0, y: -16 + ((t - 8000) / 8000) * 8 });
    const crossings = computeCrossings({ deviceId: 'w', zones: [CESS], positionAt, fromMs: 0, toMs: 20_000 });
    expect(crossings).toEqual([
      {
        deviceId: 'w',
        zoneId: 'cess',
        timeOutMs: 4001,
        timeBackInMs: 12_000,
        durationMs: 7999,
        maxBeyondM: 4,
      },
    ]);
  });

  it('catches a 2 s crossing of a thin corridor and a crossing still open at the end', () => {
    const crossings = computeCrossings({
      deviceId: 'w',
      zones: [line],
      positionAt: walk(0, -15, 0, 15, 20_000), // 1.5 m/s: inside |y| <= 1.5 from 9 s to 11 s
      fromMs: 0,
      toMs: 20_000,
    });
    expect(crossings.map((c) => [c.zoneId, c.timeOutMs, c.timeBackInMs])).toEqual([['line', 9000, 11_001]]);
    const open = computeCrossings({
      deviceId: 'w',
      zones: [CESS],
      positionAt: walk(0, -8, 0, -20, 8000),
      fromMs: 0,
      toMs: 10_000,
    });
    expect(open).toEqual([
      expect.objectContaining({ timeOutMs: 2667, timeBackInMs: null, durationMs: 7333 }),
    ]);
  });

  it('opens and closes crossings at window edges, without movement', () => {
    const possession: PlanarZone = {
      ...CESS,
      id: 'possession',
      geometry: {
        type: 'polygons',
        polygons: [
          [
            [
              { x: -100, y: -4 },
              { x: 100, y: -4 },
              { x: 100, y: 4 },
              { x: -100, y: 4 },
            ],
          ],
        ],
      },
      windows: [{ fromMs: 5000, toMs: 15_000 }],
    };
    const crossings = computeCrossings({
      deviceId: 'w',
      zones: [CESS, possession],
      positionAt: () => ({ x: 0, y: 0 }),
      fromMs: 0,
      toMs: 20_000,
      breakpointsMs: [5000, 15_000],
    });
    expect(crossings.map((c) => [c.zoneId, c.timeOutMs, c.timeBackInMs])).toEqual([
      ['cess', 0, 5000],
      ['cess', 15_000, null],
    ]);
  });

  it('applies zones only to their devices and counts the fixes inside each crossing', () => {
    const mine = { ...CESS, appliesTo: ['someone-else'] };
    expect(
      computeCrossings({
        deviceId: 'w',
        zones: [mine],
        positionAt: () => ({ x: 0, y: -30 }),
        fromMs: 0,
        toMs: 5000,
      }),
    ).toEqual([]);
    const [crossing] = computeCrossings({
      deviceId: 'w',
      zones: [CESS],
      positionAt: () => ({ x: 0, y: -30 }),
      fromMs: 0,
      toMs: 5000,
    });
    expect(withFixesDuring([crossing!], new Map([['w', [0, 1000, 5000, 6000]]]))[0]?.fixesDuring).toBe(4);
  });

  it('agrees with turf on random straight walks across a polygon (transitions within 1 m of travel)', () => {
    const frame = new LocalFrame({ lon: -1.5, lat: 52.9 });
    const ring = [
      [-100, -12],
      [100, -12],
      [100, -4],
      [-100, -4],
      [-100, -12],
    ].map(([x, y]) => {
      const { lon, lat } = frame.toLonLat(x!, y!);
      return [lon, lat];
    });
    const zone = turfPolygon([ring]);
    fc.assert(
      fc.property(
        fc.double({ min: -30, max: 30, noNaN: true }),
        fc.double({ min: -30, max: 30, noNaN: true }),
        fc.double({ min: -30, max: 30, noNaN: true }),
        fc.double({ min: -30, max: 30, noNaN: true }),
        (x0, y0, x1, y1) => {
          const durationMs = 30_000;
          const positionAt = walk(x0, y0, x1, y1, durationMs);
          const crossings = computeCrossings({
            deviceId: 'w',
            zones: [CESS],
            positionAt,
            fromMs: 0,
            toMs: durationMs,
          });
          // Speed at most 2.8 m/s: one second of travel is under 3 m; test instants 1 s clear of any transition.
          const edges = crossings.flatMap((c) => [c.timeOutMs, c.timeBackInMs ?? Infinity]);
          for (let t = 0; t <= durationMs; t += 500) {
            if (edges.some((edge) => Math.abs(edge - t) < 1000)) continue;
            const { x, y } = positionAt(t);
            const { lon, lat } = frame.toLonLat(x, y);
            const outside = !booleanPointInPolygon([lon, lat], zone);
            const inCrossing = crossings.some((c) => t >= c.timeOutMs && t < (c.timeBackInMs ?? Infinity));
            if (outside !== inCrossing) return false;
          }
          return true;
        },
      ),
      { numRuns: 200, seed: 6 },
    );
  });
});
