/**
 * Local metric planes.
 *
 * Each zone is stored in its own plane: x = (lon - lon0) * kx0, y = (lat - lat0) * ky0 with
 * (lon0, lat0) the centre of the zone's bounding box and kx0, ky0 the metres per degree there.
 * The map is affine in (lon, lat), so a GeoJSON edge (a straight line in lon/lat, RFC 7946 §3.1.1)
 * stays exactly straight and inside/outside decisions are those of the GeoJSON geometry itself.
 *
 * The scale of a fixed equirectangular plane drifts away from its reference latitude
 * (by tan(lat) * dLat: 0.18 % at 10 km north of 48°N, i.e. 1.8 cm on a 10 m distance). So every
 * distance is measured with the metric of the fix's own latitude: the zone-plane differences
 * are rescaled by sx = kx(latFix) / kx0 and sy = ky(latFix) / ky0. What remains is the curvature
 * of the Earth across the measured distance d itself: |error| <= d^2 * |tan(lat)| / (2 R) + O(d^3/R^2)
 * (0.9 mm at d = 100 m, 9 µm at d = 10 m, at 48°N), independent of how far the fix is from the
 * zone's reference point. projection.spec.ts checks < 1 cm (in fact < 1 mm) at 10 km from it.
 */

export type EarthModel = 'wgs84' | 'sphere';

export const WGS84_A_M = 6378137;
export const WGS84_F = 1 / 298.257223563;
const WGS84_E2 = WGS84_F * (2 - WGS84_F);
/** Mean Earth radius used by turf (and by the `sphere` model). */
export const MEAN_EARTH_RADIUS_M = 6371008.8;
export const DEG_TO_RAD = Math.PI / 180;

/** Metres per degree of longitude at `latDeg`. */
export function metresPerDegreeLon(latDeg: number, model: EarthModel): number {
  const phi = latDeg * DEG_TO_RAD;
  const cos = Math.cos(phi);
  if (model === 'sphere') return MEAN_EARTH_RADIUS_M * cos * DEG_TO_RAD;
  const sin = Math.sin(phi);
  // Prime-vertical radius of curvature N.
  return (WGS84_A_M / Math.sqrt(1 - WGS84_E2 * sin * sin)) * cos * DEG_TO_RAD;
}

/** Metres per degree of latitude at `latDeg`. */
export function metresPerDegreeLat(latDeg: number, model: EarthModel): number {
  if (model === 'sphere') return MEAN_EARTH_RADIUS_M * DEG_TO_RAD;
  const sin = Math.sin(latDeg * DEG_TO_RAD);
  const w = 1 - WGS84_E2 * sin * sin;
  // Meridional radius of curvature M.
  return ((WGS84_A_M * (1 - WGS84_E2)) / (w * Math.sqrt(w))) * DEG_TO_RAD;
}

/** A zone's plane: origin and scale. */
export interface PlaneFrame {
  lon0: number;
  lat0: number;
  kx0: number;
  ky0: number;
}

export function createFrame(lon0: number, lat0: number, model: EarthModel): PlaneFrame {
  return { lon0, lat0, kx0: metresPerDegreeLon(lat0, model), ky0: metresPerDegreeLat(lat0, model) };
}

/**
 * Distance in metres between two positions close to each other (up to a few hundred metres),
 * measured in `frame` and rescaled to the metric at the first position's latitude, the way the
 * detector measures every distance. Exposed for tests and documentation.
 */
export function localDistanceM(
  frame: PlaneFrame,
  lonA: number,
  latA: number,
  lonB: number,
  latB: number,
  model: EarthModel,
): number {
  const sx = metresPerDegreeLon(latA, model) / frame.kx0;
  const sy = metresPerDegreeLat(latA, model) / frame.ky0;
  const dx = ((lonB - frame.lon0) * frame.kx0 - (lonA - frame.lon0) * frame.kx0) * sx;
  const dy = ((latB - frame.lat0) * frame.ky0 - (latA - frame.lat0) * frame.ky0) * sy;
  return Math.sqrt(dx * dx + dy * dy);
}
