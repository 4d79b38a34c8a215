import type { LineString, MultiPolygon, Polygon } from 'geojson';

/**
 * Semantic validation of a zone's geometry, after its JSON shape is known: closed rings with enough
 * positions, coordinates in range, no repeated consecutive positions, no self-intersection (located by
 * the two segments and the crossing point), a bounded vertex count, and a positive corridor half-width.
 * Pure: no I/O, no framework. Paths are relative to the zone content, e.g. `geometry.coordinates.0.5`.
 */

export type ZoneGeometry = Polygon | MultiPolygon | LineString;

export interface GeometryIssue {
  path: (string | number)[];
  message: string;
}

export interface ZoneGeometryLimits {
  /** Most positions a zone may have, over all rings or its centreline. */
  maxVertices: number;
}

export const DEFAULT_ZONE_GEOMETRY_LIMITS: Readonly<ZoneGeometryLimits> = Object.freeze({
  maxVertices: 100_000,
});

/** Reported per category; beyond it one summary issue says how many more there were. */
const MAX_ISSUES_PER_KIND = 10;

interface Ring {
  path: (string | number)[];
  label: string;
  positions: readonly (readonly number[])[];
}

const fmt = (value: number) => String(Number(value.toFixed(7)));
const at = (position: readonly number[]) => `[${fmt(position[0]!)}, ${fmt(position[1]!)}]`;
const samePlace = (a: readonly number[], b: readonly number[]) => a[0] === b[0] && a[1] === b[1];

/** Collects issues of one kind, keeping the first few and counting the rest. */
class IssueList {
  readonly issues: GeometryIssue[] = [];
  private dropped = 0;

  constructor(private readonly what: string) {}

  add(path: (string | number)[], message: string): void {
    if (this.issues.length < MAX_ISSUES_PER_KIND) this.issues.push({ path, message });
    else this.dropped++;
  }

  get count(): number {
    return this.issues.length + this.dropped;
  }

  flush(into: GeometryIssue[], path: (string | number)[]): void {
    into.push(...this.issues);
    if (this.dropped > 0) into.push({ path, message: `${this.dropped} more ${this.what} not listed` });
  }
}

function ringsOf(geometry: ZoneGeometry): Ring[] {
  const base = ['geometry', 'coordinates'];
  switch (geometry.type) {
    case 'LineString':
      return [{ path: base, label: 'centreline', positions: geometry.coordinates }];
    case 'Polygon':
      return geometry.coordinates.map((positions, r) => ({
        path: [...base, r],
        label: `ring ${r}`,
        positions,
      }));
    case 'MultiPolygon':
      return geometry.coordinates.flatMap((polygon, p) =>
        polygon.map((positions, r) => ({
          path: [...base, p, r],
          label: `polygon ${p} ring ${r}`,
          positions,
        })),
      );
  }
}

function checkCoordinates(rings: readonly Ring[], issues: IssueList): void {
  for (const ring of rings) {
    ring.positions.forEach((position, i) => {
      const path = [...ring.path, i];
      if (!Array.isArray(position) || position.length < 2 || position.length > 3) {
        return issues.add(
          path,
          `a position is [lon, lat] or [lon, lat, altitude], got ${JSON.stringify(position)}`,
        );
      }
      const [lon, lat] = position as number[];
      if (!position.every((value) => typeof value === 'number' && Number.isFinite(value))) {
        return issues.add(path, `coordinates must be finite numbers, got ${JSON.stringify(position)}`);
      }
      if (lon! < -180 || lon! > 180)
        issues.add([...path, 0], `longitude must be within [-180, 180], got ${lon}`);
      if (lat! < -90 || lat! > 90) issues.add([...path, 1], `latitude must be within [-90, 90], got ${lat}`);
    });
  }
}

function checkRingShape(ring: Ring, closed: boolean, issues: IssueList): void {
  const { positions, label, path } = ring;
  const minimum = closed ? 4 : 2;
  if (positions.length < minimum) {
    issues.add(
      path,
      closed
        ? `${label} has ${positions.length} positions; a closed ring needs at least 4 (3 corners and the closing position)`
        : `a corridor centreline needs at least 2 positions, got ${positions.length}`,
    );
    return;
  }
  if (closed && !samePlace(positions[0]!, positions[positions.length - 1]!)) {
    issues.add(
      path,
      `${label} is not closed: its last position ${at(positions[positions.length - 1]!)} must equal its first ${at(positions[0]!)}`,
    );
  }
  for (let i = 1; i < positions.length; i++) {
    if (samePlace(positions[i]!, positions[i - 1]!)) {
      issues.add(
        [...path, i],
        `${label}: position ${i} repeats position ${i - 1} ${at(positions[i]!)}; remove it`,
      );
    }
  }
}

function checkHalfWidth(
  geometry: ZoneGeometry,
  halfWidthM: number | null | undefined,
  issues: GeometryIssue[],
): void {
  if (geometry.type !== 'LineString') {
    if (halfWidthM !== null && halfWidthM !== undefined) {
      issues.push({
        path: ['halfWidthM'],
        message: `halfWidthM applies only to a LineString corridor, not a ${geometry.type}`,
      });
    }
    return;
  }
  if (halfWidthM === null || halfWidthM === undefined) {
    issues.push({
      path: ['halfWidthM'],
      message: 'a LineString corridor needs halfWidthM (metres either side of the centreline)',
    });
  } else if (!Number.isFinite(halfWidthM) || halfWidthM <= 0) {
    issues.push({
      path: ['halfWidthM'],
      message: `a corridor's halfWidthM must be > 0 metres, got ${halfWidthM}`,
    });
  }
}

/**
 * Validates a zone's geometry (and its corridor half-width). Returns every issue found, or none; stops at
 * the first stage with issues (shape, then coordinates, then topology), since later stages need earlier ones.
 */
export function validateZoneGeometry(
  content: { geometry: ZoneGeometry; halfWidthM?: number | null },
  limits: Partial<ZoneGeometryLimits> = {},
): GeometryIssue[] {
  const { maxVertices } = { ...DEFAULT_ZONE_GEOMETRY_LIMITS, ...limits };
  const { geometry } = content;
  const issues: GeometryIssue[] = [];
  checkHalfWidth(geometry, content.halfWidthM, issues);
  const coordinatesPath = ['geometry', 'coordinates'];
  if (geometry.type === 'Polygon' && geometry.coordinates.length === 0) {
    return [
      ...issues,
      { path: coordinatesPath, message: 'a polygon needs at least one ring (its outer boundary)' },
    ];
  }
  if (geometry.type === 'MultiPolygon') {
    if (geometry.coordinates.length === 0) {
      return [...issues, { path: coordinatesPath, message: 'a multipolygon needs at least one polygon' }];
    }
    const empty = geometry.coordinates.findIndex((polygon) => polygon.length === 0);
    if (empty >= 0) {
      return [
        ...issues,
        {
          path: [...coordinatesPath, empty],
          message: `polygon ${empty} needs at least one ring (its outer boundary)`,
        },
      ];
    }
  }
  const rings = ringsOf(geometry);
  const vertices = rings.reduce((sum, ring) => sum + ring.positions.length, 0);
  if (vertices > maxVertices) {
    return [
      ...issues,
      {
        path: coordinatesPath,
        message: `the geometry has ${vertices} positions; at most ${maxVertices} are accepted (simplify it or split the zone)`,
      },
    ];
  }

  const coordinateIssues = new IssueList('coordinate errors');
  checkCoordinates(rings, coordinateIssues);
  if (coordinateIssues.count > 0) {
    coordinateIssues.flush(issues, coordinatesPath);
    return issues;
  }

  const shapeIssues = new IssueList('ring errors');
  for (const ring of rings) checkRingShape(ring, geometry.type !== 'LineString', shapeIssues);
  if (shapeIssues.count > 0) {
    shapeIssues.flush(issues, coordinatesPath);
    return issues;
  }

  // A centreline may cross itself (a balloon loop): the corridor is still well defined.
  if (geometry.type !== 'LineString') {
    const crossings = new IssueList('self-intersections');
    findSelfIntersections(rings, crossings);
    crossings.flush(issues, coordinatesPath);
  }
  return issues;
}

/**
 * Finds where polygon rings cross or touch themselves or each other. Segments go into a uniform grid by
 * their bounding boxes and only segments sharing a cell are tested, so a realistic ring of 100,000
 * vertices takes a few hundred milliseconds rather than the 5·10⁹ pair tests of the naive method (a
 * pathological ring, e.g. 100,000 long spokes through one small area, still degrades towards those).
 * Rules (OGC simple features):
 * - two non-adjacent segments of the same ring may not meet at all (crossing, touching or overlapping);
 * - adjacent segments may not fold back over each other (a spike);
 * - segments of different rings may not cross or overlap; they may touch at a point (a hole touching its
 *   shell), which the detector handles.
 * Orientation is computed in floating point about a local origin: exact for axis-aligned data, and
 * otherwise decides near-degenerate cases (within ~1e-15 degrees) either way.
 */
function findSelfIntersections(rings: readonly Ring[], issues: IssueList): void {
  // Locals, not globals: global lookups are slow where the global object is intercepted (vm contexts, Jest).
  const { min, max, abs, floor, ceil, sqrt } = Math;
  let segments = 0;
  for (const ring of rings) segments += ring.positions.length - 1;
  const ox = rings[0]!.positions[0]![0]!;
  const oy = rings[0]!.positions[0]![1]!;
  const ax = new Float64Array(segments);
  const ay = new Float64Array(segments);
  const bx = new Float64Array(segments);
  const by = new Float64Array(segments);
  const ringOf = new Int32Array(segments);
  const indexInRing = new Int32Array(segments);
  const ringSegments = new Int32Array(rings.length);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  let s = 0;
  rings.forEach((ring, r) => {
    const positions = ring.positions;
    ringSegments[r] = positions.length - 1;
    for (let i = 0; i < positions.length - 1; i++, s++) {
      ax[s] = positions[i]![0]! - ox;
      ay[s] = positions[i]![1]! - oy;
      bx[s] = positions[i + 1]![0]! - ox;
      by[s] = positions[i + 1]![1]! - oy;
      ringOf[s] = r;
      indexInRing[s] = i;
      minX = min(minX, ax[s]!);
      maxX = max(maxX, ax[s]!);
      minY = min(minY, ay[s]!);
      maxY = max(maxY, ay[s]!);
    }
  });

  const describeSegment = (k: number) => {
    const i = indexInRing[k]!;
    return `segment ${i} (positions ${i}→${i + 1})`;
  };
  // Found crossings are sorted by segment before reporting, so the issues do not depend on grid order.
  const found: { i: number; j: number; message: string; touch?: string }[] = [];
  const MAX_FOUND = 1000;
  const reportAt = (i: number, j: number, message: string, touch?: string) => {
    if (found.length < MAX_FOUND) found.push({ i, j, message, touch });
  };

  // Spikes: adjacent segments that are collinear and point in opposite directions.
  for (let k = 0; k < segments; k++) {
    const r = ringOf[k]!;
    const i = indexInRing[k]!;
    const next = i === ringSegments[r]! - 1 ? k - i : k + 1;
    const ux = bx[k]! - ax[k]!;
    const uy = by[k]! - ay[k]!;
    const vx = bx[next]! - ax[next]!;
    const vy = by[next]! - ay[next]!;
    if (ux * vy - uy * vx === 0 && ux * vx + uy * vy < 0) {
      const vertex = (i + 1) % ringSegments[r]!;
      issues.add(
        [...rings[r]!.path, vertex],
        `${rings[r]!.label} folds back on itself at position ${vertex} ${at(rings[r]!.positions[vertex]!)}`,
      );
    }
  }

  // Uniform grid, stored compactly: counts per cell, prefix sums, then the segment ids per cell. Cells are
  // about twice the mean segment extent, so a segment covers a few cells, and there are at most ~4n of them.
  let extentSum = 0;
  for (let k = 0; k < segments; k++) extentSum += max(abs(bx[k]! - ax[k]!), abs(by[k]! - ay[k]!));
  const width = maxX - minX;
  const height = maxY - minY;
  const cell = max((2 * extentSum) / segments, sqrt((width * height) / (4 * segments))) || 1;
  const columns = max(1, ceil(width / cell));
  const rows = max(1, ceil(height / cell));
  const cellX = (x: number) => min(columns - 1, floor((x - minX) / cell));
  const cellY = (y: number) => min(rows - 1, floor((y - minY) / cell));
  const x0 = new Int32Array(segments);
  const x1 = new Int32Array(segments);
  const y0 = new Int32Array(segments);
  const y1 = new Int32Array(segments);
  const start = new Int32Array(columns * rows + 1);
  for (let k = 0; k < segments; k++) {
    x0[k] = cellX(min(ax[k]!, bx[k]!));
    x1[k] = cellX(max(ax[k]!, bx[k]!));
    y0[k] = cellY(min(ay[k]!, by[k]!));
    y1[k] = cellY(max(ay[k]!, by[k]!));
    for (let cy = y0[k]!; cy <= y1[k]!; cy++)
      for (let cx = x0[k]!; cx <= x1[k]!; cx++) start[cy * columns + cx + 1]!++;
  }
  for (let c = 0; c < columns * rows; c++) start[c + 1]! += start[c]!;
  const fill = start.slice(0, columns * rows);
  const members = new Int32Array(start[columns * rows]!);
  for (let k = 0; k < segments; k++) {
    for (let cy = y0[k]!; cy <= y1[k]!; cy++)
      for (let cx = x0[k]!; cx <= x1[k]!; cx++) members[fill[cy * columns + cx]!++] = k;
  }

  const orient = (px: number, py: number, qx: number, qy: number, rx: number, ry: number) =>
    (qx - px) * (ry - py) - (qy - py) * (rx - px);
  const onSegment = (k: number, px: number, py: number) =>
    min(ax[k]!, bx[k]!) <= px &&
    px <= max(ax[k]!, bx[k]!) &&
    min(ay[k]!, by[k]!) <= py &&
    py <= max(ay[k]!, by[k]!);

  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < columns; cx++) {
      const c = cy * columns + cx;
      for (let m = start[c]!; m < start[c + 1]!; m++) {
        const p = members[m]!;
        for (let n = m + 1; n < start[c + 1]!; n++) {
          const q = members[n]!;
          // Test each pair once: in the first cell (lowest x, then y) that both segments cover.
          if (max(x0[p]!, x0[q]!) !== cx || max(y0[p]!, y0[q]!) !== cy) continue;
          const [i, j] = p < q ? [p, q] : [q, p];
          const sameRing = ringOf[i] === ringOf[j];
          if (sameRing) {
            const last = ringSegments[ringOf[i]!]! - 1;
            const gap = indexInRing[j]! - indexInRing[i]!;
            if (gap === 1 || (indexInRing[i] === 0 && indexInRing[j] === last)) continue;
          }
          const d1 = orient(ax[j]!, ay[j]!, bx[j]!, by[j]!, ax[i]!, ay[i]!);
          const d2 = orient(ax[j]!, ay[j]!, bx[j]!, by[j]!, bx[i]!, by[i]!);
          const d3 = orient(ax[i]!, ay[i]!, bx[i]!, by[i]!, ax[j]!, ay[j]!);
          const d4 = orient(ax[i]!, ay[i]!, bx[i]!, by[i]!, bx[j]!, by[j]!);
          const where = (x: number, y: number) => at([x + ox, y + oy]);
          const pair = () =>
            sameRing
              ? `${rings[ringOf[i]!]!.label} crosses itself: ${describeSegment(i)} and ${describeSegment(j)}`
              : `${rings[ringOf[i]!]!.label} ${describeSegment(i)} and ${rings[ringOf[j]!]!.label} ${describeSegment(j)}`;
          if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
            const t = d1 / (d1 - d2);
            const x = ax[i]! + t * (bx[i]! - ax[i]!);
            const y = ay[i]! + t * (by[i]! - ay[i]!);
            reportAt(i, j, `${pair()} cross at ${where(x, y)}`);
            continue;
          }
          if (d1 === 0 && d2 === 0) {
            // Collinear: an overlap of positive length is never allowed.
            const useX = abs(bx[i]! - ax[i]!) >= abs(by[i]! - ay[i]!);
            const lo = (k: number) => (useX ? min(ax[k]!, bx[k]!) : min(ay[k]!, by[k]!));
            const hi = (k: number) => (useX ? max(ax[k]!, bx[k]!) : max(ay[k]!, by[k]!));
            const from = max(lo(i), lo(j));
            const to = min(hi(i), hi(j));
            if (from < to) {
              const point = onSegment(j, ax[i]!, ay[i]!) ? [ax[i]!, ay[i]!] : [ax[j]!, ay[j]!];
              reportAt(i, j, `${pair()} overlap, from ${where(point[0]!, point[1]!)}`);
              continue;
            }
          }
          if (!sameRing) continue;
          // Within one ring, touching at a point is a self-intersection too.
          const touch =
            (d1 === 0 && onSegment(j, ax[i]!, ay[i]!) && [ax[i]!, ay[i]!]) ||
            (d2 === 0 && onSegment(j, bx[i]!, by[i]!) && [bx[i]!, by[i]!]) ||
            (d3 === 0 && onSegment(i, ax[j]!, ay[j]!) && [ax[j]!, ay[j]!]) ||
            (d4 === 0 && onSegment(i, bx[j]!, by[j]!) && [bx[j]!, by[j]!]);
          if (touch)
            reportAt(i, j, `${pair()} touch at ${where(touch[0]!, touch[1]!)}`, `${touch[0]},${touch[1]}`);
        }
      }
    }
  }
  found.sort((a, b) => a.i - b.i || a.j - b.j);
  // A vertex touching a segment is met by both segments that share it: report each touch point once.
  const touched = new Set<string>();
  for (const { i, message, touch } of found) {
    if (touch !== undefined) {
      if (touched.has(touch)) continue;
      touched.add(touch);
    }
    issues.add([...rings[ringOf[i]!]!.path, indexInRing[i]!], message);
  }
}
