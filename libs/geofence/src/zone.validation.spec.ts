import { ZoneValidationError, ZoneValidationErrorCode as Code } from './geofence.errors.js';
import type { ZoneInput } from './geofence.types.js';
import { compileZone } from './zone.validation.js';

const square: number[][] = [
  [15.6, 48.2],
  [15.601, 48.2],
  [15.601, 48.201],
  [15.6, 48.201],
  [15.6, 48.2],
];

function zone(geometry: unknown, extra: Partial<ZoneInput> = {}): ZoneInput {
  return { id: 'z1', version: 1, kind: 'danger', geometry, ...extra } as ZoneInput;
}

function expectError(
  input: ZoneInput,
  code: Code,
  path: string,
  limits?: { maxVerticesPerZone: number },
): void {
  let caught: unknown;
  try {
    compileZone(
      input,
      limits === undefined
        ? undefined
        : { maxVerticesPerZone: limits.maxVerticesPerZone, maxExtentDeg: 2, maxAbsLatitudeDeg: 85 },
    );
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ZoneValidationError);
  const error = caught as ZoneValidationError;
  expect(error.code).toBe(code);
  expect(error.path).toBe(path);
  expect(error.message).toContain(code);
}

describe('zone validation', () => {
  it('accepts a valid polygon and normalises winding (RFC 7946: shell counterclockwise, holes clockwise)', () => {
    const clockwise = [...square].reverse();
    const hole = [
      [15.6004, 48.2004],
      [15.6006, 48.2004],
      [15.6006, 48.2006],
      [15.6004, 48.2006],
      [15.6004, 48.2004],
    ]; // counterclockwise: wrong for a hole
    const compiled = compileZone(zone({ type: 'Polygon', coordinates: [clockwise, hole] }));
    const g = compiled.geometry;
    const signedArea = (ring: number): number => {
      let a = 0;
      for (let i = g.ringStart[ring]; i < g.ringStart[ring + 1] - 1; i++) {
        const lonA = g.lonOf(g.coords[2 * i], g.coords[2 * i + 1]);
        const latA = g.latOf(g.coords[2 * i], g.coords[2 * i + 1]);
        const lonB = g.lonOf(g.coords[2 * i + 2], g.coords[2 * i + 3]);
        const latB = g.latOf(g.coords[2 * i + 2], g.coords[2 * i + 3]);
        a += lonA * latB - lonB * latA;
      }
      return a;
    };
    expect(signedArea(0)).toBeGreaterThan(0);
    expect(signedArea(1)).toBeLessThan(0);
    expect(compiled.geometryType).toBe('Polygon');
  });

  it('drops repeated consecutive positions', () => {
    const ring = [square[0], square[0], square[1], square[2], square[2], square[3], square[4]];
    expect(compileZone(zone({ type: 'Polygon', coordinates: [ring] })).geometry.vertexCount).toBe(4);
  });

  it('rejects an unclosed ring at its last position', () => {
    const ring = square.slice(0, 4).concat([[15.6, 48.2001]]);
    expectError(
      zone({ type: 'Polygon', coordinates: [ring] }),
      Code.RingNotClosed,
      'geometry.coordinates[0][4]',
    );
  });

  it('rejects short rings', () => {
    expectError(
      zone({ type: 'Polygon', coordinates: [square.slice(0, 3)] }),
      Code.RingTooShort,
      'geometry.coordinates[0]',
    );
    const twoDistinct = [square[0], square[1], square[1], square[0]];
    expectError(
      zone({ type: 'Polygon', coordinates: [twoDistinct] }),
      Code.RingTooShort,
      'geometry.coordinates[0]',
    );
  });

  it('rejects a ring with zero area', () => {
    const line = [
      [15.6, 48.2],
      [15.601, 48.2],
      [15.602, 48.2],
      [15.6, 48.2],
    ];
    expectError(
      zone({ type: 'Polygon', coordinates: [line] }),
      Code.DegenerateRing,
      'geometry.coordinates[0]',
    );
  });

  it('rejects non-finite coordinates with their position', () => {
    const ring = square.map((p, i) => (i === 2 ? [Number.NaN, 48.201] : p));
    expectError(
      zone({ type: 'Polygon', coordinates: [ring] }),
      Code.NonFiniteCoordinate,
      'geometry.coordinates[0][2]',
    );
    const inf = square.map((p, i) => (i === 1 ? [15.601, Infinity] : p));
    expectError(
      zone({ type: 'Polygon', coordinates: [inf] }),
      Code.NonFiniteCoordinate,
      'geometry.coordinates[0][1]',
    );
  });

  it('rejects out-of-range coordinates', () => {
    const ring = square.map((p, i) => (i === 3 ? [181, 48.201] : p));
    expectError(
      zone({ type: 'Polygon', coordinates: [ring] }),
      Code.CoordinateOutOfRange,
      'geometry.coordinates[0][3]',
    );
    const polar = square.map((p) => [p[0], p[1] + 40]);
    expectError(
      zone({ type: 'Polygon', coordinates: [polar] }),
      Code.CoordinateOutOfRange,
      'geometry.coordinates[0][0]',
    );
  });

  it('rejects a self-intersecting ring (bow tie) naming an offending edge', () => {
    // Asymmetric, so its signed area is not zero (a symmetric one is reported as DEGENERATE_RING).
    const bowTie = [
      [15.6, 48.2],
      [15.603, 48.201],
      [15.603, 48.2],
      [15.6, 48.202],
      [15.6, 48.2],
    ];
    expectError(
      zone({ type: 'Polygon', coordinates: [bowTie] }),
      Code.SelfIntersection,
      'geometry.coordinates[0][0]',
    );
  });

  it('rejects a spike folding back on itself', () => {
    const spike = [
      [15.6, 48.2],
      [15.601, 48.2],
      [15.602, 48.2],
      [15.601, 48.2],
      [15.601, 48.201],
      [15.6, 48.2],
    ];
    let caught: unknown;
    try {
      compileZone(zone({ type: 'Polygon', coordinates: [spike] }));
    } catch (error) {
      caught = error;
    }
    expect((caught as ZoneValidationError).code).toBe(Code.SelfIntersection);
  });

  it('rejects a hole crossing, or outside, its shell, and a hole inside another hole', () => {
    const crossing = [
      [15.6005, 48.2005],
      [15.602, 48.2005],
      [15.602, 48.2006],
      [15.6005, 48.2006],
      [15.6005, 48.2005],
    ];
    expectError(
      zone({ type: 'Polygon', coordinates: [square, crossing] }),
      Code.SelfIntersection,
      'geometry.coordinates[0][1]',
    );
    const outside = crossing.map(([lon, lat]) => [lon + 0.01, lat]);
    expectError(
      zone({ type: 'Polygon', coordinates: [square, outside] }),
      Code.HoleOutsideShell,
      'geometry.coordinates[1]',
    );
    const big = [
      [15.6002, 48.2002],
      [15.6008, 48.2002],
      [15.6008, 48.2008],
      [15.6002, 48.2008],
      [15.6002, 48.2002],
    ];
    const small = [
      [15.6004, 48.2004],
      [15.6006, 48.2004],
      [15.6006, 48.2006],
      [15.6004, 48.2006],
      [15.6004, 48.2004],
    ];
    expectError(
      zone({ type: 'Polygon', coordinates: [square, big, small] }),
      Code.HoleInsideHole,
      'geometry.coordinates[2]',
    );
  });

  it('rejects overlapping MultiPolygon components', () => {
    const inner = [
      [15.6004, 48.2004],
      [15.6006, 48.2004],
      [15.6006, 48.2006],
      [15.6004, 48.2006],
      [15.6004, 48.2004],
    ];
    expectError(
      zone({ type: 'MultiPolygon', coordinates: [[square], [inner]] }),
      Code.OverlappingPolygons,
      'geometry.coordinates[1][0]',
    );
    const shifted = square.map(([lon, lat]) => [lon + 0.0005, lat]);
    let caught: unknown;
    try {
      compileZone(zone({ type: 'MultiPolygon', coordinates: [[square], [shifted]] }));
    } catch (error) {
      caught = error;
    }
    expect((caught as ZoneValidationError).code).toBe(Code.OverlappingPolygons);
  });

  it('accepts an island inside a hole of another MultiPolygon component', () => {
    const hole = [
      [15.6002, 48.2002],
      [15.6002, 48.2008],
      [15.6008, 48.2008],
      [15.6008, 48.2002],
      [15.6002, 48.2002],
    ];
    const island = [
      [15.6004, 48.2004],
      [15.6006, 48.2004],
      [15.6006, 48.2006],
      [15.6004, 48.2006],
      [15.6004, 48.2004],
    ];
    expect(() =>
      compileZone(zone({ type: 'MultiPolygon', coordinates: [[square, hole], [island]] })),
    ).not.toThrow();
  });

  it('rejects zero-width and too-short corridors', () => {
    const centreline = [
      [15.6, 48.2],
      [15.601, 48.2],
    ];
    expectError(
      zone({ type: 'Corridor', centreline, halfWidthM: 0 }),
      Code.CorridorZeroWidth,
      'geometry.halfWidthM',
    );
    expectError(
      zone({ type: 'Corridor', centreline, halfWidthM: -1 }),
      Code.CorridorZeroWidth,
      'geometry.halfWidthM',
    );
    expectError(
      zone({ type: 'Corridor', centreline: [centreline[0], centreline[0]], halfWidthM: 3 }),
      Code.CorridorTooShort,
      'geometry.centreline',
    );
    expectError(
      zone({ type: 'Corridor', centreline: [centreline[0], [15.601, Number.NaN]], halfWidthM: 3 }),
      Code.NonFiniteCoordinate,
      'geometry.centreline[1]',
    );
  });

  it('rejects more vertices than the configured limit', () => {
    expectError(
      zone({ type: 'Polygon', coordinates: [square] }),
      Code.TooManyVertices,
      'geometry.coordinates',
      {
        maxVerticesPerZone: 4,
      },
    );
  });

  it('rejects bad metadata, geometry types, windows and applicability', () => {
    expectError(zone({ type: 'Polygon', coordinates: [square] }, { id: '' }), Code.InvalidId, 'id');
    expectError(
      zone({ type: 'Polygon', coordinates: [square] }, { version: 1.5 }),
      Code.InvalidVersion,
      'version',
    );
    expectError(
      zone({ type: 'Polygon', coordinates: [square] }, { kind: 'maybe' as 'safe' }),
      Code.InvalidKind,
      'kind',
    );
    expectError(zone({ type: 'LineString', coordinates: square }), Code.InvalidGeometryType, 'geometry.type');
    expectError(
      zone({ type: 'Polygon', coordinates: [[[15.6]]] }),
      Code.RingTooShort,
      'geometry.coordinates[0]',
    );
    expectError(
      zone({ type: 'Polygon', coordinates: [square] }, { validity: [{ startMs: 10, endMs: 5 }] }),
      Code.InvalidValidity,
      'validity[0].endMs',
    );
    expectError(
      zone(
        { type: 'Polygon', coordinates: [square] },
        { validity: [{ daily: { startMinute: 60, endMinute: 1500 } }] },
      ),
      Code.InvalidValidity,
      'validity[0].daily.endMinute',
    );
    expectError(
      zone({ type: 'Polygon', coordinates: [square] }, { appliesTo: { groups: ['ok', ''] } }),
      Code.InvalidAppliesTo,
      'appliesTo.groups[1]',
    );
  });

  it('rejects zones too large for one plane', () => {
    const huge = [
      [10, 40],
      [14, 40],
      [14, 44],
      [10, 44],
      [10, 40],
    ];
    expectError(zone({ type: 'Polygon', coordinates: [huge] }), Code.ZoneTooLarge, 'geometry');
  });
});
