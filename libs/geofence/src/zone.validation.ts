/**
 * Zone input validation and compilation. Validation happens before anything is changed in the
 * engine (validate at the edge); every error names the offending path, e.g.
 * `geometry.coordinates[0][5]`, with what was expected and what was found.
 */
import { ZoneValidationError, ZoneValidationErrorCode as Code } from './geofence.errors.js';
import type { ValidityWindow, ZoneInput, ZoneKind } from './geofence.types.js';
import type { EarthModel } from './projection.js';
import { SHAPE_CORRIDOR, SHAPE_POLYGON, ZoneGeometry, type FlatGeometry } from './zone.geometry.js';
import {
  F64_FLAT,
  F64_RING,
  I32_FIRST_SLAB,
  I32_KEPT,
  I32_SOURCE,
  I32_VERTEX_RING,
  scratchF64,
  scratchI32,
} from './scratch.js';
import { CompiledValidity } from './zone.validity.js';

export interface ZoneLimits {
  /** Most positions one zone may have (all rings, or the centreline). */
  maxVerticesPerZone: number;
  /** Largest extent of a zone in degrees of latitude or longitude. */
  maxExtentDeg: number;
  /** Largest |latitude|: the local planes degenerate towards the poles. */
  maxAbsLatitudeDeg: number;
}

export const DEFAULT_ZONE_LIMITS: Readonly<ZoneLimits> = Object.freeze({
  maxVerticesPerZone: 100_000,
  maxExtentDeg: 2,
  maxAbsLatitudeDeg: 85,
});

export type ZoneGeometryType = 'Polygon' | 'MultiPolygon' | 'Corridor';

export interface CompiledZone {
  id: string;
  version: number;
  kind: ZoneKind;
  geometryType: ZoneGeometryType;
  validity: CompiledValidity;
  /** Null: applies to every device. */
  appliesToDevices: ReadonlySet<string> | null;
  appliesToGroups: ReadonlySet<string> | null;
  geometry: ZoneGeometry;
}

interface RingInfo {
  path: string;
  /**
   * Input index of each stored vertex of the zone (after de-duplication and re-winding), for
   * error paths; a scratch buffer, valid until the next zone is compiled.
   */
  source: Int32Array;
}

/** Validate a zone input and compile its geometry. Throws ZoneValidationError. */
export function compileZone(
  input: ZoneInput,
  limits: Readonly<ZoneLimits> = DEFAULT_ZONE_LIMITS,
  model: EarthModel = 'wgs84',
): CompiledZone {
  const raw = input as unknown as Record<string, unknown>;
  if (raw === null || typeof raw !== 'object') {
    throw new ZoneValidationError(Code.InvalidStructure, 'zone must be an object', {
      path: '',
      expected: 'object',
      actual: describe(raw),
    });
  }
  const id = raw.id;
  if (typeof id !== 'string' || id.length === 0 || id.length > 256) {
    throw new ZoneValidationError(
      Code.InvalidId,
      'zone id must be a non-empty string of at most 256 characters',
      {
        path: 'id',
        expected: 'non-empty string',
        actual: describe(id),
      },
    );
  }
  const version = raw.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    throw new ZoneValidationError(Code.InvalidVersion, 'version must be an integer >= 0', {
      path: 'version',
      zoneId: id,
      expected: 'integer >= 0',
      actual: describe(version),
    });
  }
  const kind = raw.kind;
  if (kind !== 'safe' && kind !== 'danger') {
    throw new ZoneValidationError(Code.InvalidKind, 'kind must be safe or danger', {
      path: 'kind',
      zoneId: id,
      expected: "'safe' | 'danger'",
      actual: describe(kind),
    });
  }
  const validity = compileValidity(raw.validity, id);
  const { devices, groups } = compileAppliesTo(raw.appliesTo, id);
  const { flat, rings, geometryType } = flattenGeometry(raw.geometry, id, limits);

  checkExtent(flat, id, limits);
  const geometry = new ZoneGeometry(flat, model);
  if (flat.shape === SHAPE_POLYGON) checkTopology(geometry, rings, id);
  return {
    id,
    version,
    kind,
    geometryType,
    validity,
    appliesToDevices: devices,
    appliesToGroups: groups,
    geometry,
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value;
}

function compileValidity(value: unknown, zoneId: string): CompiledValidity {
  if (value === undefined || value === null) return CompiledValidity.fromWindows([]);
  if (!Array.isArray(value)) {
    throw new ZoneValidationError(Code.InvalidValidity, 'validity must be an array of windows', {
      path: 'validity',
      zoneId,
      expected: 'array',
      actual: describe(value),
    });
  }
  const windows: ValidityWindow[] = [];
  value.forEach((w: unknown, i: number) => {
    const path = `validity[${i}]`;
    const fail = (field: string, expected: string, actual: unknown): never => {
      throw new ZoneValidationError(Code.InvalidValidity, 'invalid validity window', {
        path: `${path}.${field}`,
        zoneId,
        expected,
        actual: describe(actual),
      });
    };
    if (w === null || typeof w !== 'object') fail('', 'object', w);
    const win = w as Record<string, unknown>;
    if ('daily' in win) {
      const daily = win.daily as Record<string, unknown> | null;
      if (daily === null || typeof daily !== 'object') return fail('daily', 'object', daily);
      for (const field of ['startMinute', 'endMinute'] as const) {
        const m = daily[field];
        if (typeof m !== 'number' || !Number.isInteger(m) || m < 0 || m >= 1440) {
          fail(`daily.${field}`, 'integer minute in [0, 1440)', m);
        }
      }
      if (daily.startMinute === daily.endMinute)
        fail('daily.endMinute', 'different from startMinute', daily.endMinute);
      const offset = win.utcOffsetMinutes ?? 0;
      if (typeof offset !== 'number' || !Number.isFinite(offset) || Math.abs(offset) > 1440) {
        fail('utcOffsetMinutes', 'minutes in [-1440, 1440]', offset);
      }
      const from = win.fromMs ?? -Infinity;
      const until = win.untilMs ?? Infinity;
      if (typeof from !== 'number' || Number.isNaN(from)) fail('fromMs', 'epoch ms', from);
      if (typeof until !== 'number' || Number.isNaN(until) || !((until as number) > (from as number))) {
        fail('untilMs', 'epoch ms after fromMs', until);
      }
      windows.push({
        daily: { startMinute: daily.startMinute as number, endMinute: daily.endMinute as number },
        utcOffsetMinutes: offset as number,
        fromMs: from as number,
        untilMs: until as number,
      });
    } else {
      const start = win.startMs;
      const end = win.endMs;
      if (typeof start !== 'number' || !Number.isFinite(start)) fail('startMs', 'finite epoch ms', start);
      if (typeof end !== 'number' || Number.isNaN(end) || !((end as number) > (start as number))) {
        fail('endMs', 'epoch ms after startMs', end);
      }
      windows.push({ startMs: start as number, endMs: end as number });
    }
  });
  return CompiledValidity.fromWindows(windows);
}

function compileAppliesTo(
  value: unknown,
  zoneId: string,
): { devices: ReadonlySet<string> | null; groups: ReadonlySet<string> | null } {
  if (value === undefined || value === null) return { devices: null, groups: null };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ZoneValidationError(Code.InvalidAppliesTo, 'appliesTo must be an object', {
      path: 'appliesTo',
      zoneId,
      expected: '{ deviceIds?, groups? }',
      actual: describe(value),
    });
  }
  const lists: (ReadonlySet<string> | null)[] = [];
  for (const field of ['deviceIds', 'groups'] as const) {
    const list = (value as Record<string, unknown>)[field];
    if (list === undefined || list === null) {
      lists.push(null);
      continue;
    }
    if (!Array.isArray(list)) {
      throw new ZoneValidationError(Code.InvalidAppliesTo, `${field} must be an array of strings`, {
        path: `appliesTo.${field}`,
        zoneId,
        expected: 'string[]',
        actual: describe(list),
      });
    }
    list.forEach((item: unknown, i: number) => {
      if (typeof item !== 'string' || item.length === 0) {
        throw new ZoneValidationError(Code.InvalidAppliesTo, 'entries must be non-empty strings', {
          path: `appliesTo.${field}[${i}]`,
          zoneId,
          expected: 'non-empty string',
          actual: describe(item),
        });
      }
    });
    lists.push(list.length === 0 ? null : new Set(list as string[]));
  }
  const [devices, groups] = lists;
  return { devices, groups };
}

/** Checks position `index` of the array at `parentPath` and writes it to out[2 at], out[2 at + 1]. */
function readPositionInto(
  value: unknown,
  parentPath: string,
  index: number,
  zoneId: string,
  limits: Readonly<ZoneLimits>,
  out: Float64Array,
  at: number,
): void {
  if (Array.isArray(value) && value.length >= 2) {
    const lon = value[0] as unknown;
    const lat = value[1] as unknown;
    if (
      typeof lon === 'number' &&
      typeof lat === 'number' &&
      lon >= -180 &&
      lon <= 180 &&
      lat >= -limits.maxAbsLatitudeDeg &&
      lat <= limits.maxAbsLatitudeDeg
    ) {
      out[2 * at] = lon;
      out[2 * at + 1] = lat;
      return;
    }
  }
  readPosition(value, `${parentPath}[${index}]`, zoneId, limits); // throws the precise error
  throw new Error('unreachable: readPosition accepted a position readPositionInto rejected');
}

/** Checks one position and returns it as [lon, lat]. */
function readPosition(
  value: unknown,
  path: string,
  zoneId: string,
  limits: Readonly<ZoneLimits>,
): [number, number] {
  if (!Array.isArray(value) || value.length < 2) {
    throw new ZoneValidationError(Code.InvalidStructure, 'a position is [longitude, latitude]', {
      path,
      zoneId,
      expected: 'array of 2 or 3 numbers',
      actual: describe(value),
    });
  }
  const lon = value[0] as unknown;
  const lat = value[1] as unknown;
  if (typeof lon !== 'number' || typeof lat !== 'number' || !Number.isFinite(lon) || !Number.isFinite(lat)) {
    throw new ZoneValidationError(Code.NonFiniteCoordinate, 'coordinates must be finite numbers', {
      path,
      zoneId,
      position: value as number[],
      expected: 'finite numbers',
      actual: `[${describe(lon)}, ${describe(lat)}]`,
    });
  }
  if (lon < -180 || lon > 180 || Math.abs(lat) > limits.maxAbsLatitudeDeg) {
    throw new ZoneValidationError(Code.CoordinateOutOfRange, 'coordinate out of range', {
      path,
      zoneId,
      position: [lon, lat],
      expected: `longitude in [-180, 180], |latitude| <= ${limits.maxAbsLatitudeDeg}`,
      actual: `[${lon}, ${lat}]`,
    });
  }
  return [lon, lat];
}

function flattenGeometry(
  value: unknown,
  zoneId: string,
  limits: Readonly<ZoneLimits>,
): { flat: FlatGeometry; rings: RingInfo[]; geometryType: ZoneGeometryType } {
  const geometry = value as Record<string, unknown> | null;
  if (geometry === null || typeof geometry !== 'object') {
    throw new ZoneValidationError(Code.InvalidStructure, 'geometry must be an object', {
      path: 'geometry',
      zoneId,
      expected: 'Polygon | MultiPolygon | Corridor',
      actual: describe(geometry),
    });
  }
  const type = geometry.type;
  if (type === 'Corridor') return flattenCorridor(geometry, zoneId, limits);
  if (type !== 'Polygon' && type !== 'MultiPolygon') {
    throw new ZoneValidationError(Code.InvalidGeometryType, 'unsupported geometry type', {
      path: 'geometry.type',
      zoneId,
      expected: "'Polygon' | 'MultiPolygon' | 'Corridor'",
      actual: describe(type),
    });
  }
  const coordinates = geometry.coordinates;
  const polygons: { rings: unknown; path: string }[] = [];
  if (!Array.isArray(coordinates) || coordinates.length === 0) {
    throw new ZoneValidationError(Code.InvalidStructure, `${type} needs coordinates`, {
      path: 'geometry.coordinates',
      zoneId,
      expected: 'non-empty array',
      actual: describe(coordinates),
    });
  }
  if (type === 'Polygon') polygons.push({ rings: coordinates, path: 'geometry.coordinates' });
  else coordinates.forEach((rings, p) => polygons.push({ rings, path: `geometry.coordinates[${p}]` }));

  // Count positions before allocating anything (the vertex limit protects the engine).
  let total = 0;
  for (const { rings, path } of polygons) {
    if (!Array.isArray(rings) || rings.length === 0) {
      throw new ZoneValidationError(Code.InvalidStructure, 'a polygon is a non-empty array of rings', {
        path,
        zoneId,
        expected: 'array of rings',
        actual: describe(rings),
      });
    }
    rings.forEach((ring: unknown, r: number) => {
      if (!Array.isArray(ring)) {
        throw new ZoneValidationError(Code.InvalidStructure, 'a ring is an array of positions', {
          path: `${path}[${r}]`,
          zoneId,
          expected: 'array of positions',
          actual: describe(ring),
        });
      }
      total += ring.length;
    });
  }
  if (total > limits.maxVerticesPerZone) {
    throw new ZoneValidationError(Code.TooManyVertices, 'too many vertices', {
      path: 'geometry.coordinates',
      zoneId,
      expected: `at most ${limits.maxVerticesPerZone}`,
      actual: String(total),
    });
  }

  const lonLat = scratchF64(F64_FLAT, total * 2);
  const source = scratchI32(I32_SOURCE, total);
  const ringStart: number[] = [0];
  const ringPolygon: number[] = [];
  const infos: RingInfo[] = [];
  let n = 0;
  polygons.forEach(({ rings, path }, p) => {
    (rings as unknown[][]).forEach((ring, r) => {
      const ringPath = `${path}[${r}]`;
      if (ring.length < 4) {
        throw new ZoneValidationError(
          Code.RingTooShort,
          'a ring needs at least 4 positions (3 distinct + closing)',
          {
            path: ringPath,
            zoneId,
            expected: '>= 4 positions',
            actual: String(ring.length),
          },
        );
      }
      // Read and check every position into `raw` (no allocation per position: the path string is
      // only built for an error).
      const raw = scratchF64(F64_RING, ring.length * 2);
      for (let i = 0; i < ring.length; i++) readPositionInto(ring[i], ringPath, i, zoneId, limits, raw, i);
      const last = ring.length - 1;
      if (raw[0] !== raw[2 * last] || raw[1] !== raw[2 * last + 1]) {
        throw new ZoneValidationError(
          Code.RingNotClosed,
          'the last position of a ring must equal the first',
          {
            path: `${ringPath}[${last}]`,
            zoneId,
            position: [raw[2 * last], raw[2 * last + 1]],
            expected: `[${raw[0]}, ${raw[1]}]`,
            actual: `[${raw[2 * last]}, ${raw[2 * last + 1]}]`,
          },
        );
      }
      // Drop repeated consecutive positions (common in exported data; they carry no edge).
      const kept = scratchI32(I32_KEPT, ring.length);
      let k = 1;
      for (let i = 1; i < last; i++) {
        const prev = kept[k - 1];
        if (raw[2 * i] !== raw[2 * prev] || raw[2 * i + 1] !== raw[2 * prev + 1]) kept[k++] = i;
      }
      while (k > 1 && raw[2 * kept[k - 1]] === raw[0] && raw[2 * kept[k - 1] + 1] === raw[1]) k--;
      if (k < 3) {
        throw new ZoneValidationError(Code.RingTooShort, 'a ring needs at least 3 distinct positions', {
          path: ringPath,
          zoneId,
          expected: '>= 3 distinct positions',
          actual: String(k),
        });
      }
      // Shoelace area relative to the first vertex (precision), in degrees².
      let area2 = 0;
      for (let i = 1; i + 1 < k; i++) {
        const a = 2 * kept[i];
        const b = 2 * kept[i + 1];
        area2 += (raw[a] - raw[0]) * (raw[b + 1] - raw[1]) - (raw[b] - raw[0]) * (raw[a + 1] - raw[1]);
      }
      if (area2 === 0) {
        throw new ZoneValidationError(Code.DegenerateRing, 'ring has zero area (all positions collinear)', {
          path: ringPath,
          zoneId,
          expected: 'non-zero area',
          actual: '0',
        });
      }
      // RFC 7946 §3.1.6: shells counterclockwise, holes clockwise. Reverse, keeping the first first.
      if (area2 > 0 !== (r === 0)) kept.subarray(1, k).reverse();
      for (let i = 0; i < k; i++) {
        lonLat[2 * n] = raw[2 * kept[i]];
        lonLat[2 * n + 1] = raw[2 * kept[i] + 1];
        source[n] = kept[i];
        n++;
      }
      lonLat[2 * n] = raw[0];
      lonLat[2 * n + 1] = raw[1];
      source[n] = 0;
      n++;
      ringStart.push(n);
      ringPolygon.push(p);
      infos.push({ path: ringPath, source });
    });
  });
  return {
    flat: {
      shape: SHAPE_POLYGON,
      lonLat: lonLat.subarray(0, 2 * n),
      ringStart: Int32Array.from(ringStart),
      ringPolygon: Int32Array.from(ringPolygon),
      halfWidthM: 0,
    },
    rings: infos,
    geometryType: type,
  };
}

function flattenCorridor(
  geometry: Record<string, unknown>,
  zoneId: string,
  limits: Readonly<ZoneLimits>,
): { flat: FlatGeometry; rings: RingInfo[]; geometryType: ZoneGeometryType } {
  const halfWidthM = geometry.halfWidthM;
  if (typeof halfWidthM !== 'number' || !Number.isFinite(halfWidthM) || halfWidthM <= 0) {
    throw new ZoneValidationError(Code.CorridorZeroWidth, 'a corridor needs a positive half-width', {
      path: 'geometry.halfWidthM',
      zoneId,
      expected: 'finite number > 0 (metres)',
      actual: describe(halfWidthM),
    });
  }
  const line = geometry.centreline;
  if (!Array.isArray(line)) {
    throw new ZoneValidationError(Code.InvalidStructure, 'centreline must be LineString coordinates', {
      path: 'geometry.centreline',
      zoneId,
      expected: 'array of positions',
      actual: describe(line),
    });
  }
  if (line.length > limits.maxVerticesPerZone) {
    throw new ZoneValidationError(Code.TooManyVertices, 'too many vertices', {
      path: 'geometry.centreline',
      zoneId,
      expected: `at most ${limits.maxVerticesPerZone}`,
      actual: String(line.length),
    });
  }
  const lonLat = scratchF64(F64_FLAT, line.length * 2);
  const source = scratchI32(I32_SOURCE, line.length);
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    readPositionInto(line[i], 'geometry.centreline', i, zoneId, limits, lonLat, n);
    if (n > 0 && lonLat[2 * n - 2] === lonLat[2 * n] && lonLat[2 * n - 1] === lonLat[2 * n + 1]) continue;
    source[n] = i;
    n++;
  }
  if (n < 2) {
    throw new ZoneValidationError(Code.CorridorTooShort, 'a centreline needs at least 2 distinct positions', {
      path: 'geometry.centreline',
      zoneId,
      expected: '>= 2 distinct positions',
      actual: String(n),
    });
  }
  return {
    flat: {
      shape: SHAPE_CORRIDOR,
      lonLat: lonLat.subarray(0, 2 * n),
      ringStart: Int32Array.from([0, n]),
      ringPolygon: Int32Array.from([0]),
      halfWidthM,
    },
    rings: [{ path: 'geometry.centreline', source }],
    geometryType: 'Corridor',
  };
}

function checkExtent(flat: FlatGeometry, zoneId: string, limits: Readonly<ZoneLimits>): void {
  let minLon = Infinity;
  let maxLon = -Infinity;
  let minLat = Infinity;
  let maxLat = -Infinity;
  const ll = flat.lonLat;
  for (let i = 0; i < ll.length; i += 2) {
    minLon = Math.min(minLon, ll[i]);
    maxLon = Math.max(maxLon, ll[i]);
    minLat = Math.min(minLat, ll[i + 1]);
    maxLat = Math.max(maxLat, ll[i + 1]);
  }
  const extent = Math.max(maxLon - minLon, maxLat - minLat);
  if (extent > limits.maxExtentDeg) {
    throw new ZoneValidationError(Code.ZoneTooLarge, 'zone is too large for one local plane', {
      path: 'geometry',
      zoneId,
      expected: `extent <= ${limits.maxExtentDeg}°`,
      actual: `${extent}°`,
    });
  }
}

/** Sign of the cross product (b - a) × (c - a). */
function orient(au: number, av: number, bu: number, bv: number, cu: number, cv: number): number {
  const d = (bu - au) * (cv - av) - (bv - av) * (cu - au);
  return d > 0 ? 1 : d < 0 ? -1 : 0;
}

function onSegment(au: number, av: number, bu: number, bv: number, cu: number, cv: number): boolean {
  return Math.min(au, bu) <= cu && cu <= Math.max(au, bu) && Math.min(av, bv) <= cv && cv <= Math.max(av, bv);
}

function segmentsTouch(c: Float64Array, e1: number, e2: number): boolean {
  const i = e1 << 1;
  const j = e2 << 1;
  const au = c[i];
  const av = c[i + 1];
  const bu = c[i + 2];
  const bv = c[i + 3];
  const cu = c[j];
  const cv = c[j + 1];
  const du = c[j + 2];
  const dv = c[j + 3];
  const o1 = orient(au, av, bu, bv, cu, cv);
  const o2 = orient(au, av, bu, bv, du, dv);
  const o3 = orient(cu, cv, du, dv, au, av);
  const o4 = orient(cu, cv, du, dv, bu, bv);
  if (o1 * o2 < 0 && o3 * o4 < 0) return true;
  return (
    (o1 === 0 && onSegment(au, av, bu, bv, cu, cv)) ||
    (o2 === 0 && onSegment(au, av, bu, bv, du, dv)) ||
    (o3 === 0 && onSegment(cu, cv, du, dv, au, av)) ||
    (o4 === 0 && onSegment(cu, cv, du, dv, bu, bv))
  );
}

/** Crossing-number test of a point against one ring. */
function ringContains(g: ZoneGeometry, ring: number, pu: number, pv: number): boolean {
  const c = g.coords;
  let inside = false;
  for (let i = g.ringStart[ring]; i < g.ringStart[ring + 1] - 1; i++) {
    const au = c[2 * i];
    const av = c[2 * i + 1];
    const bu = c[2 * i + 2];
    const bv = c[2 * i + 3];
    if (au > pu !== bu > pu && pv < av + ((pu - au) * (bv - av)) / (bu - au)) inside = !inside;
  }
  return inside;
}

/**
 * Self-intersections (any two non-adjacent edges touching, spikes folding back), holes outside
 * their shell or inside another hole, and overlapping MultiPolygon components. Two edges that
 * intersect share a slab (the one holding the intersection's u), so pairs are only tested within
 * slabs, each pair once (in the first slab both edges occupy).
 */
function checkTopology(g: ZoneGeometry, rings: RingInfo[], zoneId: string): void {
  const c = g.coords;
  const rs = g.ringStart;
  const vertexRing = scratchI32(I32_VERTEX_RING, c.length >> 1);
  for (let r = 0; r + 1 < rs.length; r++) vertexRing.fill(r, rs[r], rs[r + 1]);
  // First slab of each edge: a pair is tested only in the first slab both edges occupy.
  const vertices = c.length >> 1;
  const firstSlab = scratchI32(I32_FIRST_SLAB, vertices);
  for (let e = 0; e < vertices - 1; e++) {
    const k = Math.floor((Math.min(c[2 * e], c[2 * e + 2]) - g.slabU0) * g.invSlabW);
    firstSlab[e] = Math.min(g.slabCount - 1, Math.max(0, k));
  }
  const pathOf = (e: number): string => {
    const r = vertexRing[e];
    return `${rings[r].path}[${rings[r].source[e]}]`;
  };
  const fail = (code: Code, message: string, e1: number, e2: number): never => {
    throw new ZoneValidationError(code, message, {
      path: pathOf(e1),
      zoneId,
      position: [g.lonOf(c[2 * e1], c[2 * e1 + 1]), g.latOf(c[2 * e1], c[2 * e1 + 1])],
      expected: 'no intersection',
      actual: `edge ${pathOf(e1)} meets edge ${pathOf(e2)}`,
    });
  };

  const ti = g.ti;
  for (let k = 0; k < g.slabCount; k++) {
    const s0 = ti[3 * k];
    const s1 = ti[3 * k + 3];
    for (let a = s0; a < s1; a++) {
      const e1 = ti[a];
      const first1 = firstSlab[e1];
      // e1's box: two edges whose boxes are disjoint cannot touch (most pairs in a slab are on
      // opposite sides of a corridor), so the exact tests below run only for overlapping boxes.
      const p1 = e1 << 1;
      const minU1 = c[p1] < c[p1 + 2] ? c[p1] : c[p1 + 2];
      const maxU1 = c[p1] < c[p1 + 2] ? c[p1 + 2] : c[p1];
      const minV1 = c[p1 + 1] < c[p1 + 3] ? c[p1 + 1] : c[p1 + 3];
      const maxV1 = c[p1 + 1] < c[p1 + 3] ? c[p1 + 3] : c[p1 + 1];
      for (let b = a + 1; b < s1; b++) {
        const e2 = ti[b];
        if ((first1 > firstSlab[e2] ? first1 : firstSlab[e2]) !== k) continue;
        const p2 = e2 << 1;
        const u2a = c[p2];
        const u2b = c[p2 + 2];
        const v2a = c[p2 + 1];
        const v2b = c[p2 + 3];
        if (
          (u2a < u2b ? u2b : u2a) < minU1 ||
          (u2a < u2b ? u2a : u2b) > maxU1 ||
          (v2a < v2b ? v2b : v2a) < minV1 ||
          (v2a < v2b ? v2a : v2b) > maxV1
        ) {
          continue;
        }
        const lo = Math.min(e1, e2);
        const hi = Math.max(e1, e2);
        const r1 = vertexRing[lo];
        const r2 = vertexRing[hi];
        if (r1 === r2) {
          const closing = lo === rs[r1] && hi === rs[r1 + 1] - 2;
          if (hi === lo + 1 || closing) {
            // Adjacent edges share one vertex; they may only fold back onto each other (a spike).
            const prev = closing ? hi : lo;
            const shared = closing ? lo : hi;
            const next = shared + 1;
            const ux = c[2 * shared] - c[2 * prev];
            const uy = c[2 * shared + 1] - c[2 * prev + 1];
            const vx = c[2 * next] - c[2 * shared];
            const vy = c[2 * next + 1] - c[2 * shared + 1];
            if (ux * vy - uy * vx === 0 && ux * vx + uy * vy < 0) {
              fail(Code.SelfIntersection, 'ring folds back on itself (spike)', shared, prev);
            }
            continue;
          }
          if (segmentsTouch(c, lo, hi)) fail(Code.SelfIntersection, 'ring intersects itself', lo, hi);
        } else if (segmentsTouch(c, lo, hi)) {
          const samePolygon = g.ringPolygon[r1] === g.ringPolygon[r2];
          fail(
            samePolygon ? Code.SelfIntersection : Code.OverlappingPolygons,
            samePolygon
              ? 'rings of one polygon intersect or touch'
              : 'polygons of the MultiPolygon intersect or touch',
            lo,
            hi,
          );
        }
      }
    }
  }

  // No edges cross, so one vertex per ring decides containment.
  const ringCount = rs.length - 1;
  const shellOf: number[] = [];
  for (let r = 0; r < ringCount; r++) {
    const p = g.ringPolygon[r];
    if (r === 0 || g.ringPolygon[r - 1] !== p) shellOf[p] = r;
  }
  for (let r = 0; r < ringCount; r++) {
    const p = g.ringPolygon[r];
    const u = c[2 * rs[r]];
    const v = c[2 * rs[r] + 1];
    if (shellOf[p] !== r) {
      if (!ringContains(g, shellOf[p], u, v)) {
        throw new ZoneValidationError(Code.HoleOutsideShell, 'hole lies outside its shell', {
          path: rings[r].path,
          zoneId,
          expected: 'hole inside the shell',
          actual: 'outside',
        });
      }
      for (let h = shellOf[p] + 1; h < ringCount && g.ringPolygon[h] === p; h++) {
        if (h !== r && ringContains(g, h, u, v)) {
          throw new ZoneValidationError(Code.HoleInsideHole, 'hole lies inside another hole', {
            path: rings[r].path,
            zoneId,
            expected: 'disjoint holes',
            actual: `inside ${rings[h].path}`,
          });
        }
      }
    } else if (shellOf.length > 1) {
      // A shell inside another polygon (not inside one of its holes) overlaps it.
      for (let q = 0; q < shellOf.length; q++) {
        if (q === p) continue;
        let inside = false;
        for (let h = shellOf[q]; h < ringCount && g.ringPolygon[h] === q; h++) {
          if (ringContains(g, h, u, v)) inside = !inside;
        }
        if (inside) {
          throw new ZoneValidationError(Code.OverlappingPolygons, 'polygons of the MultiPolygon overlap', {
            path: rings[r].path,
            zoneId,
            expected: 'disjoint polygons',
            actual: `inside ${rings[shellOf[q]].path}`,
          });
        }
      }
    }
  }
}
