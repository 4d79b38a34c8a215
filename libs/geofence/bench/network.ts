/**
 * Seeded synthetic rail geometry for the benchmark and the property tests: gently curved track
 * centrelines and corridor polygons built by offsetting them. Same seed, same coordinates.
 */
import type { FixInput, ZoneInput } from '../src/index.js';

export type LonLat = [number, number];

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const M_PER_DEG_LAT = 111_320;

/** A local metric frame for generating geometry (plain equirectangular; exactness is irrelevant here). */
export class GenFrame {
  private readonly kx: number;
  constructor(
    readonly lon0: number,
    readonly lat0: number,
  ) {
    this.kx = M_PER_DEG_LAT * Math.cos((lat0 * Math.PI) / 180);
  }
  toLonLat(x: number, y: number): LonLat {
    return [this.lon0 + x / this.kx, this.lat0 + y / M_PER_DEG_LAT];
  }
  toXY(lon: number, lat: number): [number, number] {
    return [(lon - this.lon0) * this.kx, (lat - this.lat0) * M_PER_DEG_LAT];
  }
}

/**
 * A rail-like centreline in metres: `vertices` points over `lengthM`, heading changing smoothly
 * with curvature radius >= minRadiusM (rail alignments rarely curve tighter than ~300 m).
 */
export function railCentreline(
  rand: () => number,
  x0: number,
  y0: number,
  heading0: number,
  lengthM: number,
  vertices: number,
  minRadiusM = 300,
): [number, number][] {
  const step = lengthM / (vertices - 1);
  const maxTurn = step / minRadiusM;
  const out: [number, number][] = [[x0, y0]];
  let x = x0;
  let y = y0;
  let heading = heading0;
  let curvature = 0;
  for (let i = 1; i < vertices; i++) {
    curvature += (rand() - 0.5) * 0.2 * maxTurn;
    curvature = Math.max(-maxTurn, Math.min(maxTurn, curvature));
    // Keep the alignment within ±60° of its initial heading (no loops back onto itself).
    if (Math.abs(heading + curvature - heading0) > Math.PI / 3) curvature = -curvature;
    heading += curvature;
    x += step * Math.cos(heading);
    y += step * Math.sin(heading);
    out.push([x, y]);
  }
  return out;
}

/** The polyline offset by `offsetM` to the left (negative: right), mitred at vertices. */
export function offsetLine(line: [number, number][], offsetM: number): [number, number][] {
  const n = line.length;
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const a = line[Math.max(0, i - 1)];
    const b = line[Math.min(n - 1, i + 1)];
    // Average direction of the adjacent segments; the mitre keeps the offset distance exact.
    let dx = b[0] - a[0];
    let dy = b[1] - a[1];
    let len = Math.hypot(dx, dy);
    dx /= len;
    dy /= len;
    let scale = 1;
    if (i > 0 && i < n - 1) {
      const ex = line[i + 1][0] - line[i][0];
      const ey = line[i + 1][1] - line[i][1];
      len = Math.hypot(ex, ey);
      const cos = (dx * ex + dy * ey) / len;
      scale = 1 / Math.max(cos, 0.5);
    }
    out.push([line[i][0] - dy * offsetM * scale, line[i][1] + dx * offsetM * scale]);
  }
  return out;
}

/** Closed ring between two offsets of the centreline (left > right), counterclockwise. */
export function bandRing(line: [number, number][], rightM: number, leftM: number): [number, number][] {
  const right = offsetLine(line, rightM);
  const left = offsetLine(line, leftM).reverse();
  const ring = [...right, ...left];
  ring.push(ring[0]);
  return ring;
}

export function toLonLatRing(frame: GenFrame, ring: [number, number][]): LonLat[] {
  return ring.map(([x, y]) => frame.toLonLat(x, y));
}

export interface NetworkOptions {
  zones: number;
  seed: number;
  /** Vertices per zone (polygon rings together, or the centreline). */
  verticesPerZone: number;
  minLengthM: number;
  maxLengthM: number;
  /** Region centre. */
  lon0: number;
  lat0: number;
}

/** The network: ~1,000 vertices per zone, tracks of 200 m to 5 km, around St. Pölten. */
export function benchNetworkOptions(zones: number, seed = 1): NetworkOptions {
  return { zones, seed, verticesPerZone: 1000, minLengthM: 200, maxLengthM: 5000, lon0: 15.6, lat0: 48.2 };
}

export interface Network {
  zones: ZoneInput[];
  frame: GenFrame;
  /** Side of the square region, metres. */
  regionM: number;
  /** Centrelines (metres) of each track, with its zone ids, for placing fixes near boundaries. */
  tracks: { line: [number, number][]; halfWidthM: number; walkwayM: number; zoneIds: string[] }[];
  vertexCount: number;
}

/**
 * The benchmark network: tracks laid along parallel lines across a square region sized for a
 * constant density (about 4 km of track per km²). Each track yields a danger corridor polygon
 * (3–6 m wide) and a safe walkway polygon sharing its left edge exactly; every 5th walkway has a
 * hole (a mast base), every 4th track is a native Corridor zone instead of a polygon. Zones
 * alternate danger/safe until `zones` is reached. With a `sink`, each zone is handed to it and
 * nothing is retained (zones and tracks stay empty): a build without the input in the heap.
 */
export function syntheticNetwork(options: NetworkOptions, sink?: (zone: ZoneInput) => void): Network {
  const rand = seededRandom(options.seed);
  const meanLength = (options.minLengthM + options.maxLengthM) / 2;
  const trackKm = (options.zones / 2) * (meanLength / 1000);
  const regionM = Math.max(2000, Math.sqrt(trackKm / 4) * 1000);
  const frame = new GenFrame(options.lon0, options.lat0);
  const zones: ZoneInput[] = [];
  const tracks: Network['tracks'] = [];
  let vertexCount = 0;
  let t = 0;
  let emitted = 0;
  const emit = (zone: ZoneInput): void => {
    emitted++;
    if (sink === undefined) zones.push(zone);
    else sink(zone);
  };
  while (emitted < options.zones) {
    const lengthM = options.minLengthM + rand() * (options.maxLengthM - options.minLengthM);
    const halfWidthM = 1.5 + rand() * 1.5;
    const walkwayM = 1.5 + rand() * 1.5;
    const x0 = (rand() - 0.5) * regionM;
    const y0 = (rand() - 0.5) * regionM;
    const heading = rand() * 2 * Math.PI;
    const id = `t${t}`;
    const native = t % 4 === 3;
    // A polygon of n vertices per side has 2n + 1 positions; a corridor n.
    const perSide = native
      ? options.verticesPerZone
      : Math.max(3, Math.floor((options.verticesPerZone - 1) / 2));
    const line = railCentreline(rand, x0, y0, heading, lengthM, perSide);
    const zoneIds: string[] = [];
    if (native) {
      emit({
        id: `${id}-danger`,
        version: 1,
        kind: 'danger',
        geometry: { type: 'Corridor', centreline: line.map(([x, y]) => frame.toLonLat(x, y)), halfWidthM },
      });
      vertexCount += line.length;
    } else {
      const ring = toLonLatRing(frame, bandRing(line, -halfWidthM, halfWidthM));
      emit({
        id: `${id}-danger`,
        version: 1,
        kind: 'danger',
        geometry: { type: 'Polygon', coordinates: [ring] },
      });
      vertexCount += ring.length;
    }
    zoneIds.push(`${id}-danger`);
    if (emitted < options.zones) {
      const walkway = toLonLatRing(frame, bandRing(line, halfWidthM, halfWidthM + walkwayM));
      const rings = [walkway];
      if (t % 5 === 0 && line.length > 12) {
        const mid = Math.floor(line.length / 2);
        const mast = line.slice(mid, mid + 3);
        const centre = halfWidthM + walkwayM / 2;
        const hole = toLonLatRing(frame, bandRing(mast, centre - 0.3, centre + 0.3)).reverse();
        rings.push(hole);
      }
      emit({
        id: `${id}-walkway`,
        version: 1,
        kind: 'safe',
        geometry: { type: 'Polygon', coordinates: rings },
      });
      vertexCount += rings.reduce((s, r) => s + r.length, 0);
      zoneIds.push(`${id}-walkway`);
    }
    if (sink === undefined) tracks.push({ line, halfWidthM, walkwayM, zoneIds });
    t++;
  }
  return { zones, frame, regionM, tracks, vertexCount };
}

export interface FixSample {
  lon: number;
  lat: number;
  accuracyM: number;
}

/**
 * Fix positions: `nearFraction` of them within 5 m of a boundary (across the track, between
 * its offsets -hw-5 .. hw+walkway+5), the rest 5–50 m beyond the outer boundaries, spread
 * along randomly chosen tracks. Written into flat arrays [lon, lat, accuracy].
 */
export function fixSamples(network: Network, count: number, seed: number, nearFraction = 0.5): Float64Array {
  const rand = seededRandom(seed);
  const out = new Float64Array(count * 3);
  for (let i = 0; i < count; i++) {
    const track = network.tracks[Math.floor(rand() * network.tracks.length)];
    const line = track.line;
    const j = Math.floor(rand() * (line.length - 1));
    const f = rand();
    const ax = line[j][0];
    const ay = line[j][1];
    const dx = line[j + 1][0] - ax;
    const dy = line[j + 1][1] - ay;
    const len = Math.hypot(dx, dy);
    let offset: number;
    if (rand() < nearFraction) {
      // Within 5 m of one of the three boundary lines (-hw, +hw shared, +hw+walkway).
      const boundaries = [-track.halfWidthM, track.halfWidthM, track.halfWidthM + track.walkwayM];
      offset = boundaries[Math.floor(rand() * 3)] + (rand() * 2 - 1) * 5;
    } else {
      const side = rand() < 0.5 ? -track.halfWidthM : track.halfWidthM + track.walkwayM;
      offset = side + Math.sign(side) * (5 + rand() * 45);
    }
    const x = ax + dx * f - (dy / len) * offset;
    const y = ay + dy * f + (dx / len) * offset;
    const [lon, lat] = network.frame.toLonLat(x, y);
    out[3 * i] = lon;
    out[3 * i + 1] = lat;
    out[3 * i + 2] = 1 + rand() * 9;
  }
  return out;
}

/**
 * Device streams for the full-semantics run: each device walks along one track at 1 m/s (one fix
 * per second of fix time), its lateral offset drawn like fixSamples (half of the draws within
 * 5 m of a boundary) with 0.3 m of jitter per fix and a fresh draw on 2 % of fixes (a step that
 * may cross a boundary between fixes). Devices are interleaved round robin.
 * Returns flat [lon, lat, accuracy, timeMs, device] per fix.
 */
export function deviceWalks(network: Network, count: number, devices: number, seed: number): Float64Array {
  const rand = seededRandom(seed);
  const out = new Float64Array(count * 5);
  const drawOffset = (track: Network['tracks'][number]): number => {
    if (rand() < 0.5) {
      const boundaries = [-track.halfWidthM, track.halfWidthM, track.halfWidthM + track.walkwayM];
      return boundaries[Math.floor(rand() * 3)] + (rand() * 2 - 1) * 5;
    }
    const side = rand() < 0.5 ? -track.halfWidthM : track.halfWidthM + track.walkwayM;
    return side + Math.sign(side) * (5 + rand() * 45);
  };
  const state = Array.from({ length: devices }, () => {
    const track = network.tracks[Math.floor(rand() * network.tracks.length)];
    return { track, j: Math.floor(rand() * (track.line.length - 1)), f: rand(), offset: drawOffset(track) };
  });
  for (let i = 0; i < count; i++) {
    const d = i % devices;
    const s = state[d];
    const line = s.track.line;
    const [ax, ay] = line[s.j];
    const dx = line[s.j + 1][0] - ax;
    const dy = line[s.j + 1][1] - ay;
    const len = Math.hypot(dx, dy);
    s.f += 1 / len;
    while (s.f >= 1 && s.j < line.length - 2) {
      s.f -= 1;
      s.j++;
    }
    if (s.f >= 1) s.f = 0.999; // end of the track: stand still
    s.offset = rand() < 0.02 ? drawOffset(s.track) : s.offset + (rand() * 2 - 1) * 0.3;
    const x = ax + dx * s.f - (dy / len) * s.offset;
    const y = ay + dy * s.f + (dx / len) * s.offset;
    const [lon, lat] = network.frame.toLonLat(x, y);
    out[5 * i] = lon;
    out[5 * i + 1] = lat;
    out[5 * i + 2] = 1 + rand() * 9;
    out[5 * i + 3] = 1_700_000_000_000 + Math.floor(i / devices) * 1000;
    out[5 * i + 4] = d;
  }
  return out;
}

/** Fix `i` of `walks` (deviceWalks' layout) as processFix takes it, built on demand as the server builds one. */
export function walkFix(walks: Float64Array, ids: readonly string[], i: number): FixInput {
  return {
    deviceId: ids[walks[5 * i + 4]!]!,
    fixTimeMs: walks[5 * i + 3]!,
    lon: walks[5 * i]!,
    lat: walks[5 * i + 1]!,
    accuracyM: walks[5 * i + 2]!,
    sequence: i,
  };
}
