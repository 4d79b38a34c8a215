import { kinks } from '@turf/turf';
import type { Polygon, Position } from 'geojson';
import { validateZoneGeometry, type ZoneGeometry } from './zone-geometry.validation.js';

const polygon = (...rings: Position[][]): Polygon => ({ type: 'Polygon', coordinates: rings });
const square: Position[] = [
  [-0.1, 51.5],
  [-0.099, 51.5],
  [-0.099, 51.501],
  [-0.1, 51.501],
  [-0.1, 51.5],
];
const issuesOf = (geometry: ZoneGeometry, halfWidthM: number | null = null, maxVertices?: number) =>
  validateZoneGeometry({ geometry, halfWidthM }, maxVertices === undefined ? {} : { maxVertices }).map(
    ({ path, message }) => ({ path: path.join('.'), message }),
  );

/** A seeded linear congruential generator in [0, 1): reproducible "random" shapes. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 48_271) % 2_147_483_647) / 2_147_483_647;
}

/**
 * A surveyed-looking site boundary of n vertices: a lobed outline about 200 m across with 10 cm of survey
 * jitter. Angles strictly increase about the centre, so the ring is simple.
 */
function siteBoundary(n: number, seed = 1): Position[] {
  const random = seeded(seed);
  const ring: Position[] = [];
  for (let i = 0; i < n; i++) {
    const angle = (2 * Math.PI * i) / n;
    const radius = 0.001 * (1 + 0.3 * Math.sin(7 * angle)) + 1e-6 * random();
    ring.push([-1.5 + radius * Math.cos(angle), 52.9 + radius * Math.sin(angle)]);
  }
  ring.push(ring[0]!);
  return ring;
}

/** A long thin possession boundary along a curving line: ~5 km long and 10 m wide, n vertices. */
function possessionStrip(n: number): Position[] {
  const half = Math.floor(n / 2);
  const centre = (t: number): [number, number] => [
    -1.5 + 0.07 * t,
    52.9 + 0.03 * t + 0.002 * Math.sin(6 * t),
  ];
  const side = (t: number, offset: number): Position => {
    const [x, y] = centre(t);
    const [x2, y2] = centre(t + 1e-6);
    const length = Math.hypot(x2 - x, y2 - y);
    return [x - ((y2 - y) / length) * offset, y + ((x2 - x) / length) * offset];
  };
  const ring: Position[] = [];
  for (let i = 0; i < half; i++) ring.push(side(i / (half - 1), 0.00005));
  for (let i = half - 1; i >= 0; i--) ring.push(side(i / (half - 1), -0.00005));
  ring.push(ring[0]!);
  return ring;
}

describe('validateZoneGeometry', () => {
  it('accepts a simple polygon, a polygon with a hole, a multipolygon and a corridor', () => {
    const hole: Position[] = [
      [-0.0998, 51.5002],
      [-0.0998, 51.5008],
      [-0.0992, 51.5008],
      [-0.0992, 51.5002],
      [-0.0998, 51.5002],
    ];
    expect(issuesOf(polygon(square))).toEqual([]);
    expect(issuesOf(polygon(square, hole))).toEqual([]);
    expect(
      issuesOf({ type: 'MultiPolygon', coordinates: [[square], [square.map(([x, y]) => [x! + 0.01, y!])]] }),
    ).toEqual([]);
    expect(issuesOf({ type: 'LineString', coordinates: [square[0]!, square[1]!] }, 3)).toEqual([]);
  });

  it('names an unclosed ring and a ring with too few positions', () => {
    expect(issuesOf(polygon(square.slice(0, 4)))).toEqual([
      {
        path: 'geometry.coordinates.0',
        message: 'ring 0 is not closed: its last position [-0.1, 51.501] must equal its first [-0.1, 51.5]',
      },
    ]);
    expect(issuesOf(polygon([square[0]!, square[1]!, square[0]!]))).toEqual([
      {
        path: 'geometry.coordinates.0',
        message:
          'ring 0 has 3 positions; a closed ring needs at least 4 (3 corners and the closing position)',
      },
    ]);
  });

  it('names non-finite and out-of-range coordinates by position', () => {
    const ring = square.map((p) => [...p]);
    ring[2] = [181, 51.5];
    ring[3] = [-0.1, Number.NaN];
    expect(issuesOf(polygon(ring))).toEqual([
      { path: 'geometry.coordinates.0.2.0', message: 'longitude must be within [-180, 180], got 181' },
      { path: 'geometry.coordinates.0.3', message: 'coordinates must be finite numbers, got [-0.1,null]' },
    ]);
  });

  it('names a repeated consecutive position', () => {
    const ring = [...square.slice(0, 3), square[2]!, ...square.slice(3)];
    expect(issuesOf(polygon(ring))).toEqual([
      {
        path: 'geometry.coordinates.0.3',
        message: 'ring 0: position 3 repeats position 2 [-0.099, 51.501]; remove it',
      },
    ]);
  });

  it('locates a self-intersection: both segments and the crossing point', () => {
    // A bow tie: segment 1 (positions 1→2) crosses segment 3 (positions 3→4) at the centre.
    const bowTie: Position[] = [
      [0, 0],
      [2, 0],
      [0, 2],
      [2, 2],
      [0, 0],
    ];
    expect(issuesOf(polygon(bowTie))).toEqual([
      {
        path: 'geometry.coordinates.0.1',
        message:
          'ring 0 crosses itself: segment 1 (positions 1→2) and segment 3 (positions 3→4) cross at [1, 1]',
      },
    ]);
  });

  it('finds a hole crossing its shell, and a ring touching itself, and a spike', () => {
    const crossingHole: Position[] = [
      [-0.0995, 51.4995],
      [-0.0995, 51.5005],
      [-0.0985, 51.5005],
      [-0.0985, 51.4995],
      [-0.0995, 51.4995],
    ];
    const issues = issuesOf(polygon(square, crossingHole));
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.message).toMatch(
      /^ring 0 segment \d \(positions \d→\d\) and ring 1 segment \d .* cross at \[/,
    );

    const touching: Position[] = [
      [0, 0],
      [4, 0],
      [4, 4],
      [2, 0],
      [0, 4],
      [0, 0],
    ];
    expect(issuesOf(polygon(touching))).toEqual([
      {
        path: 'geometry.coordinates.0.0',
        message:
          'ring 0 crosses itself: segment 0 (positions 0→1) and segment 2 (positions 2→3) touch at [2, 0]',
      },
    ]);

    const spike: Position[] = [
      [0, 0],
      [4, 0],
      [6, 0],
      [5, 0],
      [4, 4],
      [0, 0],
    ];
    expect(issuesOf(polygon(spike))[0]).toEqual({
      path: 'geometry.coordinates.0.2',
      message: 'ring 0 folds back on itself at position 2 [6, 0]',
    });
  });

  it('agrees with turf kinks on random rings', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seeded(seed);
      const ring: Position[] = Array.from({ length: 4 + (seed % 7) }, () => [random(), random()]);
      ring.push(ring[0]!);
      const expected = kinks(polygon(ring)).features.length > 0;
      const found = issuesOf(polygon(ring)).some((issue) => /cross|touch|overlap|folds/.test(issue.message));
      expect({ seed, found }).toEqual({ seed, found: expected });
    }
  });

  it('refuses too many vertices against a configurable limit', () => {
    expect(issuesOf(polygon(siteBoundary(50)), null, 20)).toEqual([
      {
        path: 'geometry.coordinates',
        message: 'the geometry has 51 positions; at most 20 are accepted (simplify it or split the zone)',
      },
    ]);
  });

  it('checks a corridor half-width: required, and > 0', () => {
    const line: ZoneGeometry = { type: 'LineString', coordinates: [square[0]!, square[1]!] };
    expect(issuesOf(line, 0)).toEqual([
      { path: 'halfWidthM', message: "a corridor's halfWidthM must be > 0 metres, got 0" },
    ]);
    expect(issuesOf(line, -2)[0]!.path).toBe('halfWidthM');
    expect(issuesOf(line, null)[0]!.message).toMatch(/needs halfWidthM/);
    expect(issuesOf(polygon(square), 3)[0]!.message).toBe(
      'halfWidthM applies only to a LineString corridor, not a Polygon',
    );
  });

  it.each([
    ['a site boundary', siteBoundary(99_999)],
    ['a 5 km possession strip', possessionStrip(99_999)],
  ])(
    'accepts %s of 100,000 vertices (a grid, not all pairs: timed by no test, it runs in well under a second)',
    (_name, ring) => {
      expect(issuesOf(polygon(ring))).toEqual([]);
    },
  );

  it('finds the one crossing in 100,000 vertices, with its location', () => {
    const ring = siteBoundary(99_999).map((p) => [...p]);
    // Pull vertex 10 across the site: its two segments now cross the far side of the boundary.
    ring[10] = [-1.5 - 0.002, 52.9];
    const issues = issuesOf(polygon(ring));
    expect(issues).toHaveLength(2);
    expect(issues[0]).toEqual({
      path: 'geometry.coordinates.0.9',
      message: expect.stringMatching(
        /^ring 0 crosses itself: segment 9 \(positions 9→10\) and segment \d+ \(positions \d+→\d+\) cross at \[-1\.50\d+, 52\.9\d*\]$/,
      ),
    });
    expect(issues[1]!.path).toBe('geometry.coordinates.0.10');
  });
});
