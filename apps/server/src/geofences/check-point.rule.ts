import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { Position } from 'geojson';
import type { ZoneGeometry } from './zone-geometry.validation.js';

/**
 * Check points: positions surveyed on the ground that a zone must contain (`inside`) or exclude
 * (`outside`). They catch the 2024 trial's first finding, geofences that did not line up with the physical
 * boundary, before a version goes live.
 *
 * Rule (conservative, so that a point near the boundary cannot pass by luck of its survey error): with d the
 * signed distance from the point to the zone boundary in metres (negative inside), a version agrees with
 * - an `inside` point when d <= -accuracyM (inside by at least the point's accuracy);
 * - an `outside` point when d >= +accuracyM (outside by at least the point's accuracy).
 * In words: the point's whole accuracy circle must be on the expected side. Anything else contradicts.
 */

export type CheckPointExpectation = 'inside' | 'outside';

export interface CheckPointLike {
  name: string;
  lon: number;
  lat: number;
  expected: CheckPointExpectation;
  accuracyM: number;
}

export interface VersionGeometry {
  version: number;
  geometry: ZoneGeometry;
  halfWidthM: number | null;
}

export interface CheckPointVerdict {
  agrees: boolean;
  /** Negative inside the zone, positive outside, in metres. */
  signedDistanceM: number;
  /** Set when the version contradicts the point: names the point and says by how much. */
  contradiction?: string;
}

const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Distance in metres from a point to the nearest segment of the lines, on an equirectangular plane about the point. */
function distanceToLinesM(lon: number, lat: number, lines: readonly (readonly Position[])[]): number {
  const kx = Math.cos(lat * RAD) * RAD * EARTH_RADIUS_M;
  const ky = RAD * EARTH_RADIUS_M;
  let best = Infinity;
  for (const line of lines) {
    for (let i = 1; i < line.length; i++) {
      const ax = (line[i - 1]![0]! - lon) * kx;
      const ay = (line[i - 1]![1]! - lat) * ky;
      const dx = (line[i]![0]! - lon) * kx - ax;
      const dy = (line[i]![1]! - lat) * ky - ay;
      const lengthSq = dx * dx + dy * dy;
      const t = lengthSq === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / lengthSq));
      best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
    }
  }
  return best;
}

/** Signed distance in metres from a point to a zone's boundary: negative inside, positive outside. */
export function signedDistanceToZoneM(
  zone: Omit<VersionGeometry, 'version'>,
  lon: number,
  lat: number,
): number {
  const { geometry } = zone;
  if (geometry.type === 'LineString') {
    return distanceToLinesM(lon, lat, [geometry.coordinates]) - (zone.halfWidthM ?? 0);
  }
  const rings = geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat();
  const distanceM = distanceToLinesM(lon, lat, rings);
  return booleanPointInPolygon([lon, lat], geometry) ? -distanceM : distanceM;
}

const metres = (value: number) => `${Number(Math.abs(value).toFixed(2))} m`;

/** Judges one check point against one zone version, by the rule above. */
export function judgeCheckPoint(point: CheckPointLike, zone: VersionGeometry): CheckPointVerdict {
  const signedDistanceM = signedDistanceToZoneM(zone, point.lon, point.lat);
  const wantInside = point.expected === 'inside';
  const agrees = wantInside ? signedDistanceM <= -point.accuracyM : signedDistanceM >= point.accuracyM;
  if (agrees) return { agrees, signedDistanceM };
  const isInside = signedDistanceM <= 0;
  const subject = `check point "${point.name}" (${point.lon}, ${point.lat}) should be ${point.expected}`;
  const found =
    isInside === wantInside
      ? `by at least its accuracy ${metres(point.accuracyM)} but is only ${metres(signedDistanceM)} ${point.expected}`
      : `but is ${metres(signedDistanceM)} ${isInside ? 'inside' : 'outside'}`;
  return { agrees, signedDistanceM, contradiction: `${subject} ${found} version ${zone.version}` };
}

/** The contradiction messages of every check point the version disagrees with, in the points' order. */
export function contradictions(points: readonly CheckPointLike[], zone: VersionGeometry): string[] {
  return points.flatMap((point) => judgeCheckPoint(point, zone).contradiction ?? []);
}
