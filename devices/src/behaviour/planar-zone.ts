import type { PointXY } from './local-frame.js';

/**
 * Zones in a local metric frame (see LocalFrame) and the one rule every simulated party applies:
 * a device is in breach when it is inside an active danger zone, or when it has active safe zones
 * and is outside all of them (DESIGN.md, "The breach detector"). A point on a danger zone's boundary
 * counts as inside it; a point on a safe zone's boundary counts as inside too (safe), as on the server.
 *
 * This is deliberately a plain, independent implementation (the virtual wearables emulate a supplier's
 * firmware, the ground truth must not share code with libs/geofence); turf is its oracle in tests.
 */
export type PlanarGeometry =
  /** One or more polygons; each is a shell ring followed by hole rings. Rings need not repeat their first point. */
  | { type: 'polygons'; polygons: readonly (readonly (readonly PointXY[])[])[] }
  /** Every point within halfWidthM of the centreline (round ends). */
  | { type: 'corridor'; centreline: readonly PointXY[]; halfWidthM: number };

/** Active from `fromMs` (inclusive) to `toMs` (exclusive); null is open-ended. */
export interface ZoneWindowMs {
  fromMs: number | null;
  toMs: number | null;
}

export type ZoneKind = 'safe' | 'danger';

export interface PlanarZone {
  id: string;
  kind: ZoneKind;
  geometry: PlanarGeometry;
  /** Empty: always active. Otherwise active while any window is. */
  windows: readonly ZoneWindowMs[];
  /** Device ids the zone applies to; empty: every device. */
  appliesTo: readonly string[];
}

export interface PositionVerdict {
  breach: boolean;
  /** The zone that decided: the danger zone entered, or the nearest safe zone left; null if no zone applies. */
  zoneId: string | null;
  /** How far beyond the safe side, metres: > 0 breaching (or 0 on a danger boundary), < 0 safe. */
  beyondM: number;
}

function distanceToSegmentM(p: PointXY, a: PointXY, b: PointXY): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const lengthSq = dx * dx + dy * dy;
  const t = lengthSq === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSq));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

function distanceToRingM(p: PointXY, ring: readonly PointXY[]): number {
  let best = Infinity;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    best = Math.min(best, distanceToSegmentM(p, ring[j] as PointXY, ring[i] as PointXY));
  }
  return best;
}

/** Even-odd ray casting; a closing point equal to the first is harmless (a zero-length edge). */
function ringContains(p: PointXY, ring: readonly PointXY[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i] as PointXY;
    const b = ring[j] as PointXY;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/** Signed distance to the zone's boundary in metres: negative inside, positive outside, 0 on it. */
export function signedDistanceM(geometry: PlanarGeometry, p: PointXY): number {
  if (geometry.type === 'corridor') {
    const line = geometry.centreline;
    let best = line.length === 1 ? Math.hypot(p.x - line[0]!.x, p.y - line[0]!.y) : Infinity;
    for (let i = 1; i < line.length; i++)
      best = Math.min(best, distanceToSegmentM(p, line[i - 1]!, line[i]!));
    return best - geometry.halfWidthM;
  }
  let nearestM = Infinity;
  let inside = false;
  for (const polygon of geometry.polygons) {
    for (const ring of polygon) nearestM = Math.min(nearestM, distanceToRingM(p, ring));
    // Inside the shell and outside every hole.
    const [shell, ...holes] = polygon;
    if (shell !== undefined && ringContains(p, shell) && !holes.some((hole) => ringContains(p, hole))) {
      inside = true;
    }
  }
  return inside ? -nearestM : nearestM;
}

export function isZoneActive(zone: PlanarZone, atMs: number): boolean {
  if (zone.windows.length === 0) return true;
  return zone.windows.some(
    (window) =>
      (window.fromMs === null || window.fromMs <= atMs) && (window.toMs === null || atMs < window.toMs),
  );
}

export function zoneAppliesTo(zone: PlanarZone, deviceId: string): boolean {
  return zone.appliesTo.length === 0 || zone.appliesTo.includes(deviceId);
}

/** The breach rule for one device at one position and time. */
export function classifyPosition(
  zones: readonly PlanarZone[],
  deviceId: string,
  p: PointXY,
  atMs: number,
): PositionVerdict {
  let safeBest: { zoneId: string; signedM: number } | undefined;
  let dangerBest: { zoneId: string; beyondM: number } | undefined;
  for (const zone of zones) {
    if (!zoneAppliesTo(zone, deviceId) || !isZoneActive(zone, atMs)) continue;
    const signedM = signedDistanceM(zone.geometry, p);
    if (zone.kind === 'safe') {
      if (!safeBest || signedM < safeBest.signedM) safeBest = { zoneId: zone.id, signedM };
    } else if (!dangerBest || -signedM > dangerBest.beyondM) {
      dangerBest = { zoneId: zone.id, beyondM: -signedM };
    }
  }
  if (dangerBest && dangerBest.beyondM >= 0)
    return { breach: true, zoneId: dangerBest.zoneId, beyondM: dangerBest.beyondM };
  if (safeBest && safeBest.signedM > 0)
    return { breach: true, zoneId: safeBest.zoneId, beyondM: safeBest.signedM };
  const candidates = [safeBest && { zoneId: safeBest.zoneId, beyondM: safeBest.signedM }, dangerBest].filter(
    (candidate): candidate is { zoneId: string; beyondM: number } => candidate !== undefined,
  );
  if (candidates.length === 0) return { breach: false, zoneId: null, beyondM: -Infinity };
  const nearest = candidates.reduce((a, b) => (b.beyondM > a.beyondM ? b : a));
  return { breach: false, zoneId: nearest.zoneId, beyondM: nearest.beyondM };
}
