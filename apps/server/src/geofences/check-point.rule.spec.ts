import { booleanPointInPolygon, buffer, lineString, point, pointToLineDistance, polygon } from '@turf/turf';
import type { LineString, Polygon } from 'geojson';
import { contradictions, judgeCheckPoint, signedDistanceToZoneM } from './check-point.rule.js';

/** About 68 m x 56 m around (-1.5, 52.9); 0.0001° of longitude is ~6.7 m there, of latitude ~11.1 m. */
const BOX: Polygon = {
  type: 'Polygon',
  coordinates: [
    [
      [-1.5005, 52.89975],
      [-1.4995, 52.89975],
      [-1.4995, 52.90025],
      [-1.5005, 52.90025],
      [-1.5005, 52.89975],
    ],
  ],
};
const CENTRELINE: LineString = {
  type: 'LineString',
  coordinates: [
    [-1.501, 52.9],
    [-1.499, 52.9],
  ],
};
const box = { version: 3, geometry: BOX, halfWidthM: null };

describe('signedDistanceToZoneM', () => {
  it('agrees with turf (the oracle) inside and outside a polygon and a corridor', () => {
    const ring = polygon(BOX.coordinates);
    const edge = lineString(BOX.coordinates[0]!);
    for (const [lon, lat] of [
      [-1.5, 52.9],
      [-1.4996, 52.9001],
      [-1.4985, 52.9],
      [-1.5, 52.9004],
    ] as const) {
      const expected = pointToLineDistance(point([lon, lat]), edge, { units: 'meters' });
      const inside = booleanPointInPolygon(point([lon, lat]), ring);
      const signed = signedDistanceToZoneM({ geometry: BOX, halfWidthM: null }, lon, lat);
      expect(Math.sign(signed)).toBe(inside ? -1 : 1);
      expect(Math.abs(Math.abs(signed) - expected)).toBeLessThan(0.05);
    }
    const corridor = { geometry: CENTRELINE, halfWidthM: 5 };
    const line = lineString(CENTRELINE.coordinates);
    for (const lat of [52.9, 52.90003, 52.90008]) {
      const expected = pointToLineDistance(point([-1.5, lat]), line, { units: 'meters' }) - 5;
      expect(signedDistanceToZoneM(corridor, -1.5, lat)).toBeCloseTo(expected, 1);
    }
    // The corridor's polygon (turf buffer) contains what the signed distance calls inside.
    const area = buffer(line, 5, { units: 'meters' })!;
    expect(booleanPointInPolygon(point([-1.5, 52.90003]), area)).toBe(true);
    expect(booleanPointInPolygon(point([-1.5, 52.90008]), area)).toBe(false);
  });
});

describe('judgeCheckPoint: the whole accuracy circle must be on the expected side', () => {
  const at = (name: string, lon: number, lat: number, expected: 'inside' | 'outside', accuracyM = 0.5) => ({
    name,
    lon,
    lat,
    expected,
    accuracyM,
  });

  it('agrees with a point well on its expected side', () => {
    expect(judgeCheckPoint(at('CP1 centre', -1.5, 52.9, 'inside'), box)).toMatchObject({ agrees: true });
    expect(judgeCheckPoint(at('CP2 far', -1.4985, 52.9, 'outside'), box)).toMatchObject({ agrees: true });
  });

  it('contradicts a point on the wrong side, saying by how much', () => {
    // ~6.7 m east of the east edge.
    const verdict = judgeCheckPoint(at('CP3 cess gate', -1.4994, 52.9, 'inside'), box);
    expect(verdict.agrees).toBe(false);
    expect(verdict.contradiction).toMatch(
      /^check point "CP3 cess gate" \(-1\.4994, 52\.9\) should be inside but is 6\.7\d? m outside version 3$/,
    );
    expect(judgeCheckPoint(at('CP4', -1.5, 52.9, 'outside'), box).contradiction).toMatch(
      /should be outside but is 27\.\d+ m inside version 3$/,
    );
  });

  it('contradicts a point on the right side but within its accuracy of the boundary', () => {
    // ~0.67 m inside the east edge, with 1 m accuracy.
    const verdict = judgeCheckPoint(at('CP5 fence post', -1.49951, 52.9, 'inside', 1), box);
    expect(verdict.agrees).toBe(false);
    expect(verdict.contradiction).toMatch(
      /should be inside by at least its accuracy 1 m but is only 0\.6\d m inside version 3$/,
    );
    expect(judgeCheckPoint(at('CP5 fence post', -1.49951, 52.9, 'inside', 0.5), box).agrees).toBe(true);
  });

  it('lists every contradicted point of a version', () => {
    const points = [
      at('A', -1.5, 52.9, 'inside'),
      at('B', -1.5, 52.9, 'outside'),
      at('C', -1.4994, 52.9, 'inside'),
    ];
    expect(contradictions(points, box).map((message) => message.split('"')[1])).toEqual(['B', 'C']);
  });
});
