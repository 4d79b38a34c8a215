import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { booleanPointInPolygon, lineString, pointToLineDistance, polygon } from '@turf/turf';
import { classifyPosition } from '../../../devices/src/behaviour/index.js';
import { compileScenario, type CompiledScenario } from './scenario.compiler.js';
import { loadScenario } from './scenario.loader.js';

/**
 * Every scenario of the library (simulators/scenarios/): it loads, its ground truth agrees with the
 * crossings it declares, and, for its own seed, its fixes make the outcome it promises possible:
 * no published fix beyond a boundary outside the true crossings (so a `none` scenario can demand
 * silence of a detector), and a fix beyond it during every crossing a detector must catch.
 */
const LIBRARY = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const START_MS = Date.parse('2026-06-01T08:00:00Z');

async function compileAll(): Promise<CompiledScenario[]> {
  const files = (await readdir(LIBRARY)).filter((file) => /\.(ya?ml|json)$/.test(file)).sort();
  return Promise.all(
    files.map(async (file) =>
      compileScenario(await loadScenario(`${LIBRARY}${file}`), { startMs: START_MS }),
    ),
  );
}

describe('scenario library', () => {
  let library: CompiledScenario[];

  beforeAll(async () => {
    library = await compileAll();
  });

  it('has the scenarios the trial needs, named after their files', async () => {
    expect(library.map((compiled) => compiled.scenario.name)).toEqual([
      'boundary-jitter',
      'cess-walk',
      'corridor-crossing-sparse',
      'duplicate-storm',
      'multi-supplier',
      'out-of-order-burst',
      'possession-window',
      'stale-device',
      'step-out-and-back',
      'structures-and-skew',
      'tunnel-dropout',
    ]);
  });

  it('computes from the paths exactly the crossings each scenario declares', () => {
    for (const { scenario, groundTruth } of library) {
      const actual = groundTruth.crossings.map((crossing) => ({
        device: crossing.deviceId,
        zone: crossing.zoneId,
        outS: (crossing.timeOutMs - START_MS) / 1000,
        inS: crossing.timeBackInMs === null ? null : (crossing.timeBackInMs - START_MS) / 1000,
      }));
      expect({ scenario: scenario.name, count: actual.length }).toEqual({
        scenario: scenario.name,
        count: scenario.expected.crossings.length,
      });
      scenario.expected.crossings.forEach((expected, index) => {
        const found = actual[index];
        expect(found?.device).toBe(expected.device);
        expect(found?.zone).toBe(expected.zone);
        expect(Math.abs((found?.outS ?? NaN) - expected.outS)).toBeLessThanOrEqual(expected.toleranceS);
        if (expected.inS === null) expect(found?.inS).toBeNull();
        else expect(Math.abs((found?.inS ?? NaN) - expected.inS)).toBeLessThanOrEqual(expected.toleranceS);
      });
    }
  });

  it('publishes no fix beyond a boundary away from the true crossings, for each scenario seed', () => {
    for (const compiled of library) {
      const { groundTruth, zones, scenario } = compiled;
      const intervalOf = new Map(compiled.devices.map((device) => [device.deviceId, device.fixIntervalMs]));
      const offending = groundTruth.positions.filter((position) => {
        const slackMs = (intervalOf.get(position.deviceId) ?? 1000) + 1000;
        const nearCrossing = groundTruth.crossings.some(
          (c) =>
            c.deviceId === position.deviceId &&
            position.trueTimeMs >= c.timeOutMs - slackMs &&
            position.trueTimeMs <= (c.timeBackInMs ?? Infinity) + slackMs,
        );
        const xy = compiled.frame.toXY(position.lon, position.lat);
        return !nearCrossing && classifyPosition(zones, position.deviceId, xy, position.trueTimeMs).breach;
      });
      expect({ scenario: scenario.name, offending }).toEqual({ scenario: scenario.name, offending: [] });
    }
  });

  it('shows every crossing longer than its margin in at least one published fix beyond the boundary', () => {
    for (const compiled of library) {
      const { groundTruth, zones, scenario } = compiled;
      for (const crossing of groundTruth.crossings) {
        const device = compiled.devices.find((d) => d.deviceId === crossing.deviceId)!;
        const marginMs = (scenario.expected.detectionMarginS ?? (2 * device.fixIntervalMs) / 1000) * 1000;
        if (crossing.durationMs <= marginMs || crossing.fixesDuring === 0) continue;
        const beyond = groundTruth.positions.filter(
          (p) =>
            p.deviceId === crossing.deviceId &&
            p.trueTimeMs >= crossing.timeOutMs &&
            p.trueTimeMs < (crossing.timeBackInMs ?? Infinity) &&
            classifyPosition(zones, p.deviceId, compiled.frame.toXY(p.lon, p.lat), p.trueTimeMs).breach,
        );
        expect({ scenario: scenario.name, crossing: crossing.timeOutMs, beyond: beyond.length > 0 }).toEqual({
          scenario: scenario.name,
          crossing: crossing.timeOutMs,
          beyond: true,
        });
      }
    }
  });

  it('places zones so that turf agrees with the planar geometry on every true position', () => {
    for (const compiled of library) {
      const { groundTruth, serverZones, zones } = compiled;
      for (const position of groundTruth.positions.filter((_, index) => index % 7 === 0)) {
        for (const zone of serverZones) {
          const planar = zones.find((z) => z.id === zone.zoneId)!;
          const point = [position.trueLon, position.trueLat];
          const xy = compiled.frame.toXY(position.trueLon, position.trueLat);
          const planarInside = classifyPosition(
            [{ ...planar, kind: 'danger', windows: [], appliesTo: [] }],
            'x',
            xy,
            0,
          );
          let turfInside: boolean;
          let nearEdge: boolean;
          if (zone.geometry.type === 'Polygon') {
            turfInside = booleanPointInPolygon(point, polygon(zone.geometry.coordinates));
            nearEdge = Math.abs(planarInside.beyondM) < 0.05;
          } else {
            const d = pointToLineDistance(point, lineString(zone.geometry.coordinates), { units: 'meters' });
            turfInside = d <= (zone.halfWidthM ?? 0);
            nearEdge = Math.abs(d - (zone.halfWidthM ?? 0)) < 0.05;
          }
          if (!nearEdge) expect(planarInside.breach).toBe(turfInside);
        }
      }
    }
  });

  it('is deterministic for a seed and different for another', async () => {
    const scenario = await loadScenario(`${LIBRARY}multi-supplier.yaml`);
    const a = compileScenario(scenario, { startMs: START_MS });
    const b = compileScenario(scenario, { startMs: START_MS });
    const c = compileScenario(scenario, { startMs: START_MS, seed: 'another' });
    expect(b.publications).toEqual(a.publications);
    expect(b.groundTruth).toEqual(a.groundTruth);
    expect(c.groundTruth.positions).not.toEqual(a.groundTruth.positions);
    expect(c.groundTruth.crossings).toEqual(a.groundTruth.crossings);
  });
});
