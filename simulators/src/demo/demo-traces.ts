/**
 * The demo walk and its safe zone, built from a local metric frame so the geometry is exact and
 * reproducible. `simulators/scripts/write-demo-traces.ts` writes them to `simulators/traces/`;
 * a test checks the files still match and that the walk is inside/outside as described.
 *
 * Frame: u metres along the cess (bearing 60°, i.e. 30° north of east), v metres across it
 * (positive to the left of travel), origin at lon -1.5, lat 52.9. Equirectangular projection about
 * the origin's latitude: at 200 m the error is far below a centimetre.
 */
const ORIGIN = { lon: -1.5, lat: 52.9 };
const EARTH_RADIUS_M = 6_371_008.8;
const HEADING_RAD = (30 * Math.PI) / 180;
const DEG = 180 / Math.PI;

/** The safe zone: a rectangle u in [-100, 100], v in [-4, 4] (200 m × 8 m). */
export const DEMO_SITE_HALF_LENGTH_M = 100;
export const DEMO_SITE_HALF_WIDTH_M = 4;

export const DEMO_START_TIME = '2026-03-02T09:30:00.000Z';
export const DEMO_ACCURACY_M = 3;
const WALK_FIXES = 81; // t = 0..80 s, one fix per second
const WALK_START_U_M = -45;
const WALK_SPEED_MPS = 1.2;
/** Fix index where the step-out starts and the worker's offset across the cess from there, one per second. */
const STEP_OUT_FROM = 30;
const STEP_OUT_V_M = [0, -3, -7, -11, -15, -18, -19, -19, -18, -15, -11, -7, -3, 0];

/** Ground truth: the fixes outside the safe zone (inclusive), and the few in transit on either side. */
export const DEMO_GROUND_TRUTH = {
  zone: 'Demo cess',
  outsideFromIndex: 32,
  outsideToIndex: 41,
  /** Fixes outside [stepOutFromIndex, stepOutToIndex] are at least 2 m inside the zone. */
  stepOutFromIndex: 31,
  stepOutToIndex: 42,
  /** Furthest the walk goes outside the zone. */
  maxOutsideM: 15,
} as const;

type Position = [lon: number, lat: number];

const round7 = (value: number) => Math.round(value * 1e7) / 1e7;

export function toLonLat(u: number, v: number): Position {
  const x = u * Math.cos(HEADING_RAD) - v * Math.sin(HEADING_RAD);
  const y = u * Math.sin(HEADING_RAD) + v * Math.cos(HEADING_RAD);
  const lat = ORIGIN.lat + (y / EARTH_RADIUS_M) * DEG;
  const lon = ORIGIN.lon + (x / (EARTH_RADIUS_M * Math.cos(ORIGIN.lat / DEG))) * DEG;
  return [round7(lon), round7(lat)];
}

export function demoWalk(): { timeMs: number; position: Position }[] {
  const startMs = Date.parse(DEMO_START_TIME);
  return Array.from({ length: WALK_FIXES }, (_, index) => {
    const v = STEP_OUT_V_M[index - STEP_OUT_FROM] ?? 0;
    return { timeMs: startMs + index * 1000, position: toLonLat(WALK_START_U_M + WALK_SPEED_MPS * index, v) };
  });
}

/** `demo-step-out.geojson`: a LineString Feature with togeojson-style `coordTimes`. */
export function buildDemoStepOut() {
  const walk = demoWalk();
  return {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        properties: {
          name: 'Demo step-out',
          description:
            'A worker walks the cess at 1.2 m/s, one fix per second, steps 15 m out of the safe zone for 10 s and back.',
          accuracyM: DEMO_ACCURACY_M,
          groundTruth: DEMO_GROUND_TRUTH,
          coordTimes: walk.map((fix) => new Date(fix.timeMs).toISOString()),
        },
        geometry: { type: 'LineString', coordinates: walk.map((fix) => fix.position) },
      },
    ],
  };
}

/** `demo-site.geojson`: the safe zone, one Polygon feature (exterior ring counter-clockwise, RFC 7946). */
export function buildDemoSite() {
  const l = DEMO_SITE_HALF_LENGTH_M;
  const w = DEMO_SITE_HALF_WIDTH_M;
  const ring = [toLonLat(-l, -w), toLonLat(l, -w), toLonLat(l, w), toLonLat(-l, w), toLonLat(-l, -w)];
  return {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        properties: { name: 'Demo cess', kind: 'safe' },
        geometry: { type: 'Polygon', coordinates: [ring] },
      },
    ],
  };
}

/** Fixes of the walk in `demo-short.csv`: the step-out with a few seconds either side. */
export const DEMO_SHORT_RANGE = { fromIndex: 26, toIndex: 47 } as const;

/** `demo-short.csv`: the step-out part of the walk, 22 fixes. */
export function buildDemoShortCsv(): string {
  const rows = demoWalk()
    .slice(DEMO_SHORT_RANGE.fromIndex, DEMO_SHORT_RANGE.toIndex + 1)
    .map(
      ({ timeMs, position: [lon, lat] }) =>
        `${new Date(timeMs).toISOString()},${lon},${lat},${DEMO_ACCURACY_M}`,
    );
  return [
    '# Lookout demo: the step-out part of demo-step-out.geojson (fixes 26..47), against demo-site.geojson.',
    'time,lon,lat,accuracy_m',
    ...rows,
    '',
  ].join('\n');
}
