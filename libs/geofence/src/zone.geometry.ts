/**
 * Compiled zone geometry: flat typed arrays in the zone's local metric plane, with edge buckets
 * ("slabs") across the zone's long axis, so a point test touches a handful of edges.
 *
 * Layout (style model: flatbush index.js):
 * - `coords`: [u0, v0, u1, v1, ...] in metres in the zone plane (see projection.ts), where u is the
 *   slab axis (x or y, whichever the bounding box is longer along). Polygon rings are stored
 *   closed (the first vertex repeated), so edge i joins vertex i and i + 1.
 * - `table` (one buffer, viewed as Int32Array `ti` and Float32Array `tf`, so a query touches one
 *   object and neighbouring cache lines): per slab k the words [3k] = index in `ti` of its first
 *   edge entry, [3k + 1] / [3k + 2] = v-range of its edges (Float32, rounded outwards); word
 *   [3 * slabCount] = end of the entries; then the entries (start-vertex indices of every edge
 *   whose u-range overlaps [slabU0 + k * slabW, slabU0 + (k + 1) * slabW)); then per block of
 *   16 slabs its v-range, from word `blockBase`.
 *
 * Inside test: a ray from the point in the +v direction only meets edges whose u-range contains the
 * point's u, all of which are in the point's slab (crossing number, half-open rule).
 * Distance: scan the point's slab, then neighbouring slabs while their u-gap is below the best
 * distance found (the gap is a lower bound of the distance to any edge in them).
 */
import { metresPerDegreeLat, metresPerDegreeLon, type EarthModel } from './projection.js';
import {
  allocRegion,
  F64_COVER,
  F64_PLANE,
  I32_COUNTS,
  scratchF64,
  scratchI32,
  type ChunkViews,
} from './scratch.js';

export const SHAPE_POLYGON = 0;
/** Slabs per block (a coarser level of v-ranges for skipping far parts of a zone). */
const BLOCK_SHIFT = 4;
const BLOCK_MASK = (1 << BLOCK_SHIFT) - 1;
export const SHAPE_CORRIDOR = 1;

/**
 * Each zone is one region of a shared chunk (scratch.ts): a header of HEADER_F64 doubles (the
 * constants a query needs, on one or two cache lines), then the plane coordinates, the chainage
 * (corridors) and the slab table words. The hot path (distanceIn) reads everything through the
 * chunk's shared views with absolute offsets taken from the header.
 */
export const H_LON0 = 0;
export const H_LAT0 = 1;
export const H_KX0 = 2;
export const H_KY0 = 3;
export const H_INV_KX0 = 4;
export const H_INV_KY0 = 5;
const H_SLAB_U0 = 6;
const H_INV_SLAB_W = 7;
const H_SLAB_W = 8;
const H_SLAB_COUNT = 9;
const H_HALF_WIDTH = 10;
/** Bit 0: swap (u = y); bit 1: corridor. */
export const H_FLAGS = 11;
const H_COORD = 12;
const H_CHAIN = 13;
const H_TABLE = 14;
const H_BLOCK = 15;
export const HEADER_F64 = 16;
export const FLAG_SWAP = 1;
const FLAG_CORRIDOR = 2;

/** Geometry as produced by validation: flat lon/lat, closed rings with normalised winding. */
export interface FlatGeometry {
  shape: typeof SHAPE_POLYGON | typeof SHAPE_CORRIDOR;
  /** [lon0, lat0, lon1, lat1, ...] */
  lonLat: Float64Array;
  /** Vertex offset of each ring (or of the centreline), plus the total at the end. */
  ringStart: Int32Array;
  /** Polygon index of each ring (MultiPolygon component); the first ring of a polygon is its shell. */
  ringPolygon: Int32Array;
  halfWidthM: number;
}

/** Outputs of the last distance call that are not the return value (no allocation per call). */
export interface DistanceScratch {
  /** Chainage of the nearest centreline point (corridors), NaN for polygons. */
  chainageM: number;
  /**
   * An upper bound of the unsigned distance to the boundary, whatever the cutoff: every edge in
   * the point's slab has a point inside the slab's rectangle (its u-range by its v-range), so the
   * rectangle's farthest corner is at least as far as some boundary point; when the slab's edges
   * were scanned, the nearest of them (beyond the cutoff too) if closer. Infinity when the slab is
   * empty (a gap between MultiPolygon components).
   */
  upperM: number;
}

export const distanceScratch: DistanceScratch = { chainageM: NaN, upperM: Infinity };

export class ZoneGeometry {
  readonly shape: number;
  readonly model: EarthModel;
  readonly lon0: number;
  readonly lat0: number;
  readonly kx0: number;
  readonly ky0: number;
  readonly invKx0: number;
  readonly invKy0: number;
  /** True when u = y (the zone is taller than wide). */
  readonly swap: boolean;
  readonly coords: Float64Array;
  readonly ringStart: Int32Array;
  readonly ringPolygon: Int32Array;
  readonly slabU0: number;
  readonly invSlabW: number;
  readonly slabW: number;
  readonly slabCount: number;
  /** Slab table, edge entries and block ranges (see the file comment). */
  readonly ti: Int32Array;
  readonly tf: Float32Array;
  readonly blockBase: number;
  /** Bounding box in the plane (u, v), of the vertices (corridors: of the centreline). */
  readonly minU: number;
  readonly maxU: number;
  readonly minV: number;
  readonly maxV: number;
  /** Bounding box in degrees of the zone's area (corridors: including the half-width). */
  readonly minLon: number;
  readonly minLat: number;
  readonly maxLon: number;
  readonly maxLat: number;
  readonly halfWidthM: number;
  /** Corridors: chainage (metres along the centreline) at each vertex. */
  readonly chainage: Float64Array | null;
  readonly vertexCount: number;
  /** The chunk holding this zone's region, and the region's header offset in doubles. */
  readonly views: ChunkViews;
  readonly base: number;
  private readonly regionBytes: number;

  constructor(flat: FlatGeometry, model: EarthModel) {
    const ll = flat.lonLat;
    const n = ll.length >> 1;
    this.shape = flat.shape;
    this.model = model;
    this.ringStart = flat.ringStart;
    this.ringPolygon = flat.ringPolygon;
    this.halfWidthM = flat.halfWidthM;
    this.vertexCount = n - (flat.shape === SHAPE_POLYGON ? flat.ringStart.length - 1 : 0);

    let minLon = Infinity;
    let minLat = Infinity;
    let maxLon = -Infinity;
    let maxLat = -Infinity;
    for (let i = 0; i < ll.length; i += 2) {
      const lon = ll[i];
      const lat = ll[i + 1];
      if (lon < minLon) minLon = lon;
      if (lon > maxLon) maxLon = lon;
      if (lat < minLat) minLat = lat;
      if (lat > maxLat) maxLat = lat;
    }
    this.lon0 = (minLon + maxLon) / 2;
    this.lat0 = (minLat + maxLat) / 2;
    this.kx0 = metresPerDegreeLon(this.lat0, model);
    this.ky0 = metresPerDegreeLat(this.lat0, model);
    this.invKx0 = 1 / this.kx0;
    this.invKy0 = 1 / this.ky0;
    const widthM = (maxLon - minLon) * this.kx0;
    const heightM = (maxLat - minLat) * this.ky0;
    this.swap = heightM > widthM;

    // Plane coordinates go to a scratch buffer first: the region's size depends on the slab table.
    let coords = scratchF64(F64_PLANE, ll.length);
    const { lon0, lat0, kx0, ky0, swap } = this;
    for (let i = 0; i < ll.length; i += 2) {
      const x = (ll[i] - lon0) * kx0;
      const y = (ll[i + 1] - lat0) * ky0;
      coords[i] = swap ? y : x;
      coords[i + 1] = swap ? x : y;
    }
    this.minU = swap ? (minLat - lat0) * ky0 : (minLon - lon0) * kx0;
    this.maxU = swap ? (maxLat - lat0) * ky0 : (maxLon - lon0) * kx0;
    this.minV = swap ? (minLon - lon0) * kx0 : (minLat - lat0) * ky0;
    this.maxV = swap ? (maxLon - lon0) * kx0 : (maxLat - lat0) * ky0;

    // Degree bbox of the area: corridors extend half a width beyond the centreline.
    const hw = flat.shape === SHAPE_CORRIDOR ? flat.halfWidthM * 1.01 : 0;
    const dLat = hw / Math.min(metresPerDegreeLat(minLat, model), metresPerDegreeLat(maxLat, model));
    const poleward = Math.min(89, Math.max(Math.abs(minLat), Math.abs(maxLat)) + 0.01);
    const dLon = hw / metresPerDegreeLon(poleward, model);
    this.minLon = minLon - dLon;
    this.maxLon = maxLon + dLon;
    this.minLat = minLat - dLat;
    this.maxLat = maxLat + dLat;

    // Slabs. Width: the mean u-extent of an edge, so each edge falls in about two slabs.
    const rs = flat.ringStart;
    let edgeCount = 0;
    let sumDu = 0;
    for (let r = 0; r + 1 < rs.length; r++) {
      for (let i = rs[r]; i < rs[r + 1] - 1; i++) {
        edgeCount++;
        sumDu += Math.abs(coords[2 * i + 2] - coords[2 * i]);
      }
    }
    const uRange = this.maxU - this.minU;
    let slabW = edgeCount > 0 ? sumDu / edgeCount : uRange;
    if (!(slabW > 0)) slabW = uRange > 0 ? uRange : 1;
    let slabCount = Math.max(1, Math.ceil(uRange / slabW));
    if (slabCount > 4 * edgeCount + 1) slabCount = 4 * edgeCount + 1;
    slabW = uRange > 0 ? uRange / slabCount : 1;
    this.slabU0 = this.minU;
    this.slabW = slabW;
    this.invSlabW = 1 / slabW;
    this.slabCount = slabCount;

    // Count entries per slab, then lay out the table.
    const counts = scratchI32(I32_COUNTS, slabCount).fill(0, 0, slabCount);
    const last = slabCount - 1;
    const u0 = this.slabU0;
    const inv = this.invSlabW;
    let entries = 0;
    for (let r = 0; r + 1 < rs.length; r++) {
      for (let i = rs[r]; i < rs[r + 1] - 1; i++) {
        const ua = coords[2 * i];
        const ub = coords[2 * i + 2];
        let k0 = Math.floor(((ua < ub ? ua : ub) - u0) * inv);
        let k1 = Math.floor(((ua < ub ? ub : ua) - u0) * inv);
        // Clamp both ends: an edge on the far end of the range computes k = slabCount.
        if (k0 < 0) k0 = 0;
        else if (k0 > last) k0 = last;
        if (k1 > last) k1 = last;
        else if (k1 < 0) k1 = 0;
        for (let k = k0; k <= k1; k++) counts[k]++;
        entries += k1 - k0 + 1;
      }
    }
    const blocks = (slabCount + BLOCK_MASK) >> BLOCK_SHIFT;
    const edgeBase = 3 * slabCount + 1;
    this.blockBase = edgeBase + entries;
    const words = this.blockBase + 2 * blocks;
    const corridor = flat.shape === SHAPE_CORRIDOR;
    const chainLength = corridor ? n : 0;
    const f64Count = HEADER_F64 + ll.length + chainLength;
    this.regionBytes = 8 * f64Count + 4 * words;
    const { views, byteOffset } = allocRegion(this.regionBytes);
    const base = byteOffset >> 3;
    const coordBase = base + HEADER_F64;
    const tableWord = (base + f64Count) * 2;
    const placed = new Float64Array(views.buffer, 8 * coordBase, ll.length);
    placed.set(coords.subarray(0, ll.length));
    coords = placed;
    this.coords = placed;
    this.views = views;
    this.base = base;
    const ti = new Int32Array(views.buffer, 4 * tableWord, words);
    const tf = new Float32Array(views.buffer, 4 * tableWord, words);
    const h = views.f64;
    h[base + H_LON0] = lon0;
    h[base + H_LAT0] = lat0;
    h[base + H_KX0] = kx0;
    h[base + H_KY0] = ky0;
    h[base + H_INV_KX0] = this.invKx0;
    h[base + H_INV_KY0] = this.invKy0;
    h[base + H_SLAB_U0] = this.slabU0;
    h[base + H_INV_SLAB_W] = this.invSlabW;
    h[base + H_SLAB_W] = slabW;
    h[base + H_SLAB_COUNT] = slabCount;
    h[base + H_HALF_WIDTH] = flat.halfWidthM;
    h[base + H_FLAGS] = (swap ? FLAG_SWAP : 0) | (corridor ? FLAG_CORRIDOR : 0);
    h[base + H_COORD] = coordBase;
    h[base + H_CHAIN] = coordBase + ll.length;
    h[base + H_TABLE] = tableWord;
    h[base + H_BLOCK] = tableWord + this.blockBase;
    let at = edgeBase;
    for (let k = 0; k < slabCount; k++) {
      ti[3 * k] = at;
      at += counts[k];
      counts[k] = ti[3 * k]; // reused as the fill cursor
    }
    ti[3 * slabCount] = at;
    for (let r = 0; r + 1 < rs.length; r++) {
      for (let i = rs[r]; i < rs[r + 1] - 1; i++) {
        const ua = coords[2 * i];
        const ub = coords[2 * i + 2];
        let k0 = Math.floor(((ua < ub ? ua : ub) - u0) * inv);
        let k1 = Math.floor(((ua < ub ? ub : ua) - u0) * inv);
        // Clamp both ends: an edge on the far end of the range computes k = slabCount.
        if (k0 < 0) k0 = 0;
        else if (k0 > last) k0 = last;
        if (k1 > last) k1 = last;
        else if (k1 < 0) k1 = 0;
        for (let k = k0; k <= k1; k++) ti[counts[k]++] = i;
      }
    }
    for (let b = 0; b < blocks; b++) {
      tf[this.blockBase + 2 * b] = Infinity;
      tf[this.blockBase + 2 * b + 1] = -Infinity;
    }
    for (let k = 0; k < slabCount; k++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let j = ti[3 * k]; j < ti[3 * k + 3]; j++) {
        const i = ti[j] << 1;
        const va = coords[i + 1];
        const vb = coords[i + 3];
        if (va < lo) lo = va;
        if (vb < lo) lo = vb;
        if (va > hi) hi = va;
        if (vb > hi) hi = vb;
      }
      // Float32 keeps ~7 digits: pad so the stored range still contains every edge.
      const pad = 1e-3 + (Math.abs(lo) + Math.abs(hi)) * 1e-6;
      tf[3 * k + 1] = lo - pad;
      tf[3 * k + 2] = hi + pad;
      const b = this.blockBase + 2 * (k >> BLOCK_SHIFT);
      if (lo - pad < tf[b]) tf[b] = lo - pad;
      if (hi + pad > tf[b + 1]) tf[b + 1] = hi + pad;
    }
    this.ti = ti;
    this.tf = tf;

    if (flat.shape === SHAPE_CORRIDOR) {
      // Chainage with each edge measured in the metric of its own mid-latitude (not the zone's).
      const chain = new Float64Array(views.buffer, 8 * (coordBase + ll.length), n);
      chain[0] = 0;
      for (let i = 1; i < n; i++) {
        const midLat = (ll[2 * i - 1] + ll[2 * i + 1]) / 2;
        const dx = (ll[2 * i] - ll[2 * i - 2]) * metresPerDegreeLon(midLat, model);
        const dy = (ll[2 * i + 1] - ll[2 * i - 1]) * metresPerDegreeLat(midLat, model);
        chain[i] = chain[i - 1] + Math.sqrt(dx * dx + dy * dy);
      }
      this.chainage = chain;
    } else {
      this.chainage = null;
    }
  }

  /** Bytes held by this zone's typed arrays. */
  get byteLength(): number {
    return this.regionBytes + this.ringStart.byteLength + this.ringPolygon.byteLength;
  }

  get lengthM(): number {
    return this.chainage === null ? 0 : this.chainage[this.chainage.length - 1];
  }

  /** Plane u of a position. */
  toU(lon: number, lat: number): number {
    return this.swap ? (lat - this.lat0) * this.ky0 : (lon - this.lon0) * this.kx0;
  }

  toV(lon: number, lat: number): number {
    return this.swap ? (lon - this.lon0) * this.kx0 : (lat - this.lat0) * this.ky0;
  }

  lonOf(u: number, v: number): number {
    return this.lon0 + (this.swap ? v : u) * this.invKx0;
  }

  latOf(u: number, v: number): number {
    return this.lat0 + (this.swap ? u : v) * this.invKy0;
  }
}

/**
 * Signed distance (metres, negative inside) from the plane point (pu, pv) to the zone's boundary,
 * with plane differences scaled by (su, sv) to the metric at the point's latitude.
 * Corridors: distance to the centreline minus the half-width; sets distanceScratch.chainageM.
 *
 * `cutoffM` bounds the search: a boundary farther than that is reported as ±Infinity (the sign,
 * inside or outside, is always exact). Slabs are skipped when their u-gap and v-gap already
 * exceed the best distance so far.
 */
export function signedDistance(
  g: ZoneGeometry,
  pu: number,
  pv: number,
  su: number,
  sv: number,
  cutoffM: number,
): number {
  const v = g.views;
  return distanceIn(v.f64, v.i32, v.f32, g.base, pu, pv, su, sv, cutoffM);
}

/**
 * signedDistance on a zone region given by its chunk's views and header offset `h` (the hot
 * path: no per-zone object is loaded, every read is an offset into the shared chunk arrays).
 */
export function distanceIn(
  f: Float64Array,
  ti: Int32Array,
  tf: Float32Array,
  h: number,
  pu: number,
  pv: number,
  su: number,
  sv: number,
  cutoffM: number,
): number {
  // Offsets and counts are stored as doubles; `| 0` keeps the index arithmetic in int32.
  const n = f[h + H_SLAB_COUNT] | 0;
  const u0 = f[h + H_SLAB_U0];
  const w = f[h + H_SLAB_W];
  const cb = f[h + H_COORD] | 0;
  const tb = f[h + H_TABLE] | 0;
  const slabAt = Math.floor((pu - u0) * f[h + H_INV_SLAB_W]);
  const k = slabAt < 0 ? 0 : slabAt >= n ? n - 1 : slabAt | 0;

  const corridor = (f[h + H_FLAGS] & FLAG_CORRIDOR) !== 0;
  const halfWidthM = f[h + H_HALF_WIDTH];
  const cutoff = corridor ? cutoffM + halfWidthM : cutoffM;
  let inside = false;
  let best2 = cutoff * cutoff;
  let bestEdge = -1;
  let bestT = 0;

  // The point's own slab: the crossing number and the distance together. Above or below every
  // edge of the slab the crossing number is even (closed rings), so the point is outside.
  const k3 = tb + 3 * k;
  const ownLo = tf[k3 + 1];
  const ownHi = tf[k3 + 2];
  const ownGapV = pv > ownHi ? (pv - ownHi) * sv : pv < ownLo ? (ownLo - pv) * sv : 0;
  // Squared upper bound of the distance to the boundary (see DistanceScratch.upperM).
  let upper2 = Infinity;
  if (ownLo <= ownHi) {
    const slabU = u0 + k * w;
    const farU = (pu - slabU > slabU + w - pu ? pu - slabU : slabU + w - pu) * su;
    const farV = (pv - ownLo > ownHi - pv ? pv - ownLo : ownHi - pv) * sv;
    upper2 = farU * farU + farV * farV;
  }
  if (ownGapV === 0 || ownGapV * ownGapV < best2) {
    // The nearest own-slab edge, whatever the cutoff, also bounds the distance from above.
    for (let j = tb + ti[k3], end = tb + ti[k3 + 3]; j < end; j++) {
      const e = ti[j];
      const i = cb + (e << 1);
      const au = f[i];
      const av = f[i + 1];
      const bu = f[i + 2];
      const bv = f[i + 3];
      if (au > pu !== bu > pu && pv < av + ((pu - au) * (bv - av)) / (bu - au)) inside = !inside;
      const ex = (bu - au) * su;
      const ey = (bv - av) * sv;
      const wx = (pu - au) * su;
      const wy = (pv - av) * sv;
      const len2 = ex * ex + ey * ey;
      let t = len2 > 0 ? (wx * ex + wy * ey) / len2 : 0;
      if (t < 0) t = 0;
      else if (t > 1) t = 1;
      const dx = wx - t * ex;
      const dy = wy - t * ey;
      const d2 = dx * dx + dy * dy;
      if (d2 < upper2) upper2 = d2;
      if (d2 < best2) {
        best2 = d2;
        bestEdge = e;
        bestT = t;
      }
    }
  }
  distanceScratch.upperM = Math.sqrt(upper2) - (corridor ? halfWidthM : 0);

  // Neighbouring slabs, nearest first, while their u-gap alone is below the best distance.
  // Entering a block of BLOCK slabs, the whole block is skipped when its v-range is too far.
  const blockBase = f[h + H_BLOCK] | 0;
  let left = k - 1;
  let right = k + 1;
  for (;;) {
    const gapL = left >= 0 ? (pu - (u0 + (left + 1) * w)) * su : Infinity;
    const gapR = right < n ? (u0 + right * w - pu) * su : Infinity;
    const goLeft = gapL <= gapR;
    const slab = goLeft ? left : right;
    const gapU = goLeft ? gapL : gapR;
    if (gapU === Infinity) break;
    const gapU2 = gapU > 0 ? gapU * gapU : 0;
    if (gapU2 >= best2) break;
    if (
      (goLeft ? (slab & BLOCK_MASK) === BLOCK_MASK : (slab & BLOCK_MASK) === 0) &&
      slab >> BLOCK_SHIFT !== k >> BLOCK_SHIFT
    ) {
      const b = slab >> BLOCK_SHIFT;
      const bo = blockBase + 2 * b;
      const gapB = pv > tf[bo + 1] ? (pv - tf[bo + 1]) * sv : pv < tf[bo] ? (tf[bo] - pv) * sv : 0;
      if (gapU2 + gapB * gapB >= best2) {
        if (goLeft) left = (b << BLOCK_SHIFT) - 1;
        else right = (b + 1) << BLOCK_SHIFT;
        continue;
      }
    }
    if (goLeft) left--;
    else right++;
    const s3 = tb + 3 * slab;
    const gapV = pv > tf[s3 + 2] ? (pv - tf[s3 + 2]) * sv : pv < tf[s3 + 1] ? (tf[s3 + 1] - pv) * sv : 0;
    if (gapU2 + gapV * gapV >= best2) continue;
    // Edges entirely above or below the best distance in v cannot be closer.
    const bestV = Math.sqrt(best2) / sv;
    for (let j = tb + ti[s3], end = tb + ti[s3 + 3]; j < end; j++) {
      const e = ti[j];
      const i = cb + (e << 1);
      const av = f[i + 1];
      const bv = f[i + 3];
      if ((av - pv > bestV && bv - pv > bestV) || (pv - av > bestV && pv - bv > bestV)) continue;
      const au = f[i];
      const ex = (f[i + 2] - au) * su;
      const ey = (bv - av) * sv;
      const wx = (pu - au) * su;
      const wy = (pv - av) * sv;
      const len2 = ex * ex + ey * ey;
      let t = len2 > 0 ? (wx * ex + wy * ey) / len2 : 0;
      if (t < 0) t = 0;
      else if (t > 1) t = 1;
      const dx = wx - t * ex;
      const dy = wy - t * ey;
      const d2 = dx * dx + dy * dy;
      if (d2 < best2) {
        best2 = d2;
        bestEdge = e;
        bestT = t;
      }
    }
  }

  if (bestEdge < 0) {
    // Nothing within the cutoff. Corridors: outside (inside means within the half-width).
    distanceScratch.chainageM = NaN;
    return inside && !corridor ? -Infinity : Infinity;
  }
  const d = Math.sqrt(best2);
  if (corridor) {
    const ch = (f[h + H_CHAIN] | 0) + bestEdge;
    distanceScratch.chainageM = f[ch] + bestT * (f[ch + 1] - f[ch]);
    return d - halfWidthM;
  }
  distanceScratch.chainageM = NaN;
  return inside ? -d : d;
}

/**
 * An upper bound of the unsigned distance from (pu, pv) to the zone's boundary: the distance to
 * the nearest edge of the point's slab (its slab clamped to the zone's), and no other slab is
 * read. Infinity when that slab is empty.
 */
export function upperDistanceIn(
  f: Float64Array,
  ti: Int32Array,
  h: number,
  pu: number,
  pv: number,
  su: number,
  sv: number,
): number {
  const n = f[h + H_SLAB_COUNT] | 0;
  const slabAt = Math.floor((pu - f[h + H_SLAB_U0]) * f[h + H_INV_SLAB_W]);
  const k = slabAt < 0 ? 0 : slabAt >= n ? n - 1 : slabAt | 0;
  const tb = f[h + H_TABLE] | 0;
  const cb = f[h + H_COORD] | 0;
  let best2 = Infinity;
  for (let j = tb + ti[tb + 3 * k], end = tb + ti[tb + 3 * k + 3]; j < end; j++) {
    const i = cb + (ti[j] << 1);
    const au = f[i];
    const av = f[i + 1];
    const ex = (f[i + 2] - au) * su;
    const ey = (f[i + 3] - av) * sv;
    const wx = (pu - au) * su;
    const wy = (pv - av) * sv;
    const len2 = ex * ex + ey * ey;
    let t = len2 > 0 ? (wx * ex + wy * ey) / len2 : 0;
    if (t < 0) t = 0;
    else if (t > 1) t = 1;
    const dx = wx - t * ex;
    const dy = wy - t * ey;
    const d2 = dx * dx + dy * dy;
    if (d2 < best2) best2 = d2;
  }
  const corridor = (f[h + H_FLAGS] & FLAG_CORRIDOR) !== 0;
  return Math.sqrt(best2) - (corridor ? f[h + H_HALF_WIDTH] : 0);
}

/**
 * Loads what distanceIn starts with (both header lines, the point's slab row, its first edge entry
 * and that edge's coordinates) and returns a number made of them. The engine calls it for every
 * near zone of a fix before measuring any: the cache misses of different zones then overlap
 * instead of queueing one zone after another (a dependent chain of ~4 misses per zone).
 */
export function touchOwnSlab(
  f: Float64Array,
  ti: Int32Array,
  tf: Float32Array,
  h: number,
  pu: number,
): number {
  const n = f[h + H_SLAB_COUNT] | 0;
  const slabAt = Math.floor((pu - f[h + H_SLAB_U0]) * f[h + H_INV_SLAB_W]);
  const k = slabAt < 0 ? 0 : slabAt >= n ? n - 1 : slabAt | 0;
  const tb = f[h + H_TABLE] | 0;
  const first = ti[tb + 3 * k];
  // An empty slab (a gap between MultiPolygon components) has no entry of its own.
  const e = first < ti[tb + 3 * k + 3] ? ti[tb + first] : 0;
  return tf[tb + 3 * k + 1] + f[(f[h + H_COORD] | 0) + (e << 1)];
}

/** A growable buffer of segment parameters (fractions 0..1), reused across calls. */
export class ParamBuffer {
  values = new Float64Array(64);
  count = 0;

  push(t: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = t;
  }

  /** Sort ascending and drop duplicates (insertion sort: the buffer is short). */
  sortUnique(): void {
    const a = this.values;
    const n = this.count;
    for (let i = 1; i < n; i++) {
      const x = a[i];
      let j = i - 1;
      while (j >= 0 && a[j] > x) {
        a[j + 1] = a[j];
        j--;
      }
      a[j + 1] = x;
    }
    let m = 0;
    for (let i = 0; i < n; i++) if (m === 0 || a[i] !== a[m - 1]) a[m++] = a[i];
    this.count = m;
  }
}

/**
 * Pushes every fraction t in [0, 1] at which the plane segment p→q meets the zone's boundary
 * (polygon edges; for corridors the entry and exit of each edge's capsule). Returns whether any
 * was pushed. The segment is straight in the plane, i.e. straight in lon/lat like the edges.
 */
export function collectBoundaryParams(
  g: ZoneGeometry,
  pu: number,
  pv: number,
  qu: number,
  qv: number,
  su: number,
  sv: number,
  out: ParamBuffer,
): boolean {
  const before = out.count;
  const c = g.coords;
  const ti = g.ti;
  const tf = g.tf;
  const n = g.slabCount;
  const corridor = g.shape === SHAPE_CORRIDOR;
  const reachU = corridor ? (g.halfWidthM / su) * 1.01 : 0;
  let k0 = Math.floor(((pu < qu ? pu : qu) - reachU - g.slabU0) * g.invSlabW);
  let k1 = Math.floor(((pu < qu ? qu : pu) + reachU - g.slabU0) * g.invSlabW);
  if (k0 < 0) k0 = 0;
  if (k1 > n - 1) k1 = n - 1;
  if (k0 > k1) return false;
  const du = qu - pu;
  const dv = qv - pv;
  const segMinV = (pv < qv ? pv : qv) - (corridor ? (g.halfWidthM / sv) * 1.01 : 0);
  const segMaxV = (pv < qv ? qv : pv) + (corridor ? (g.halfWidthM / sv) * 1.01 : 0);
  for (let k = k0; k <= k1; k++) {
    const k3 = 3 * k;
    if (tf[k3 + 2] < segMinV || tf[k3 + 1] > segMaxV) continue;
    for (let j = ti[k3], end = ti[k3 + 3]; j < end; j++) {
      const i = ti[j] << 1;
      const au = c[i];
      const av = c[i + 1];
      const bu = c[i + 2];
      const bv = c[i + 3];
      // Early exit on the v extent.
      if ((av < bv ? bv : av) < segMinV || (av < bv ? av : bv) > segMaxV) continue;
      if (corridor) {
        capsuleInterval(au - pu, av - pv, bu - pu, bv - pv, du, dv, su, sv, g.halfWidthM, out);
      } else {
        segmentIntersections(au - pu, av - pv, bu - pu, bv - pv, du, dv, out);
      }
    }
  }
  return out.count > before;
}

/** Intersections of the segment (0,0)→(du,dv) with the edge a→b (coordinates relative to p). */
function segmentIntersections(
  au: number,
  av: number,
  bu: number,
  bv: number,
  du: number,
  dv: number,
  out: ParamBuffer,
): void {
  const eu = bu - au;
  const ev = bv - av;
  const den = du * ev - dv * eu;
  if (den !== 0) {
    const t = (au * ev - av * eu) / den;
    const s = (au * dv - av * du) / den;
    if (t >= 0 && t <= 1 && s >= 0 && s <= 1) out.push(t);
    return;
  }
  if (au * dv - av * du !== 0) return; // parallel, not collinear
  const len2 = du * du + dv * dv;
  if (len2 === 0) return;
  const ta = (au * du + av * dv) / len2;
  const tb = (bu * du + bv * dv) / len2;
  const lo = Math.max(0, Math.min(ta, tb));
  const hi = Math.min(1, Math.max(ta, tb));
  if (lo <= hi) {
    out.push(lo);
    out.push(hi);
  }
}

/**
 * The interval of t in [0, 1] for which (t du, t dv) lies within `r` metres of the edge a→b
 * (a capsule), in the metric scaled by (su, sv). Pushes its two ends if it is not empty.
 */
function capsuleInterval(
  au: number,
  av: number,
  bu: number,
  bv: number,
  du: number,
  dv: number,
  su: number,
  sv: number,
  r: number,
  out: ParamBuffer,
): void {
  const ax = au * su;
  const ay = av * sv;
  const bx = bu * su;
  const by = bv * sv;
  const dx = du * su;
  const dy = dv * sv;
  let lo = Infinity;
  let hi = -Infinity;
  // Discs at both ends: |t d - a|^2 <= r^2.
  const dd = dx * dx + dy * dy;
  for (let end = 0; end < 2; end++) {
    const cx = end === 0 ? ax : bx;
    const cy = end === 0 ? ay : by;
    const b = dx * cx + dy * cy;
    const disc = b * b - dd * (cx * cx + cy * cy - r * r);
    if (disc >= 0 && dd > 0) {
      const s = Math.sqrt(disc);
      const t0 = (b - s) / dd;
      const t1 = (b + s) / dd;
      if (t0 < lo) lo = t0;
      if (t1 > hi) hi = t1;
    }
  }
  // The rectangle along the edge: 0 <= along <= L and |across| <= r, both linear in t.
  const ex = bx - ax;
  const ey = by - ay;
  const len = Math.sqrt(ex * ex + ey * ey);
  if (len > 0) {
    const ux = ex / len;
    const uy = ey / len;
    let rlo = -Infinity;
    let rhi = Infinity;
    // along(t) = -(a·u) + t (d·u)
    const a0 = -(ax * ux + ay * uy);
    const a1 = dx * ux + dy * uy;
    // across(t) = -(a×u) + t (d×u), with x×u = x.x*u.y - x.y*u.x
    const c0 = -(ax * uy - ay * ux);
    const c1 = dx * uy - dy * ux;
    for (let pass = 0; pass < 2; pass++) {
      const base = pass === 0 ? a0 : c0;
      const slope = pass === 0 ? a1 : c1;
      const min = pass === 0 ? 0 : -r;
      const max = pass === 0 ? len : r;
      if (slope === 0) {
        if (base < min || base > max) {
          rlo = Infinity;
          rhi = -Infinity;
        }
      } else {
        let t0 = (min - base) / slope;
        let t1 = (max - base) / slope;
        if (t0 > t1) {
          const tmp = t0;
          t0 = t1;
          t1 = tmp;
        }
        if (t0 > rlo) rlo = t0;
        if (t1 < rhi) rhi = t1;
      }
    }
    if (rlo <= rhi) {
      if (rlo < lo) lo = rlo;
      if (rhi > hi) hi = rhi;
    }
  }
  if (lo > hi || hi < 0 || lo > 1) return;
  out.push(lo < 0 ? 0 : lo);
  out.push(hi > 1 ? 1 : hi);
}

/**
 * Boxes (in degrees) that together cover the zone's area: consecutive slabs grouped into chunks
 * about `chunkM` long, each box spanning the v-extent of its edges (plus the half-width for
 * corridors). A point outside all of them is outside the zone, at least as far as the nearest
 * box. Far tighter than the zone's bounding box for thin curved corridors. Returns
 * [minLon, minLat, maxLon, maxLat, ...] in a scratch buffer, valid until the next call.
 */
export function coverBoxes(g: ZoneGeometry, chunkM: number): Float64Array {
  const c = g.coords;
  const per = Math.max(1, Math.floor(chunkM / g.slabW));
  const chunks = Math.ceil(g.slabCount / per);
  const out = scratchF64(F64_COVER, chunks * 4);
  const [dLon, dLat] = marginDegrees(g, g.shape === SHAPE_CORRIDOR ? g.halfWidthM : 0);
  let m = 0;
  for (let chunk = 0; chunk < chunks; chunk++) {
    const s0 = chunk * per;
    const s1 = Math.min(g.slabCount, s0 + per);
    let minU = Infinity;
    let maxU = -Infinity;
    let minV = Infinity;
    let maxV = -Infinity;
    for (let j = g.ti[3 * s0]; j < g.ti[3 * s1]; j++) {
      const i = g.ti[j] << 1;
      for (let o = 0; o <= 2; o += 2) {
        const u = c[i + o];
        const v = c[i + o + 1];
        if (u < minU) minU = u;
        if (u > maxU) maxU = u;
        if (v < minV) minV = v;
        if (v > maxV) maxV = v;
      }
    }
    if (minU > maxU) continue;
    // Clip the u-range to the chunk's slabs (edges may reach beyond them); corridors keep their
    // round ends beyond the first and last slab.
    const cu0 = g.slabU0 + s0 * g.slabW;
    const cu1 = g.slabU0 + s1 * g.slabW;
    if (minU < cu0 && (s0 > 0 || g.shape !== SHAPE_CORRIDOR)) minU = cu0;
    if (maxU > cu1 && (s1 < g.slabCount || g.shape !== SHAPE_CORRIDOR)) maxU = cu1;
    const lonA = g.lonOf(minU, minV);
    const lonB = g.lonOf(maxU, maxV);
    const latA = g.latOf(minU, minV);
    const latB = g.latOf(maxU, maxV);
    out[m++] = Math.min(lonA, lonB) - dLon;
    out[m++] = Math.min(latA, latB) - dLat;
    out[m++] = Math.max(lonA, lonB) + dLon;
    out[m++] = Math.max(latA, latB) + dLat;
  }
  return out.subarray(0, m);
}

/** A distance in metres as (dLon, dLat) degrees, conservative over the zone's latitudes. */
export function marginDegrees(g: ZoneGeometry, marginM: number): [number, number] {
  if (marginM === 0) return [0, 0];
  const poleward = Math.min(89, Math.max(Math.abs(g.minLat), Math.abs(g.maxLat)) + 0.01);
  const kxMin = metresPerDegreeLon(poleward, g.model);
  const kyMin = Math.min(metresPerDegreeLat(g.minLat, g.model), metresPerDegreeLat(g.maxLat, g.model));
  return [(marginM * 1.01) / kxMin, (marginM * 1.01) / kyMin];
}
