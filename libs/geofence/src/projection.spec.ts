import {
  createFrame,
  DEG_TO_RAD,
  localDistanceM,
  MEAN_EARTH_RADIUS_M,
  metresPerDegreeLat,
  metresPerDegreeLon,
  WGS84_A_M,
  WGS84_F,
} from './projection.js';

/** Vincenty's inverse formula on the WGS84 ellipsoid (sub-millimetre for these distances). */
function vincentyM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const a = WGS84_A_M;
  const f = WGS84_F;
  const b = a * (1 - f);
  const L = (lon2 - lon1) * DEG_TO_RAD;
  const U1 = Math.atan((1 - f) * Math.tan(lat1 * DEG_TO_RAD));
  const U2 = Math.atan((1 - f) * Math.tan(lat2 * DEG_TO_RAD));
  const sinU1 = Math.sin(U1);
  const cosU1 = Math.cos(U1);
  const sinU2 = Math.sin(U2);
  const cosU2 = Math.cos(U2);
  let lambda = L;
  let sinSigma = 0;
  let cosSigma = 0;
  let sigma = 0;
  let cos2Alpha = 0;
  let cos2SigmaM = 0;
  for (let i = 0; i < 200; i++) {
    const sinLambda = Math.sin(lambda);
    const cosLambda = Math.cos(lambda);
    sinSigma = Math.sqrt((cosU2 * sinLambda) ** 2 + (cosU1 * sinU2 - sinU1 * cosU2 * cosLambda) ** 2);
    if (sinSigma === 0) return 0;
    cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLambda;
    sigma = Math.atan2(sinSigma, cosSigma);
    const sinAlpha = (cosU1 * cosU2 * sinLambda) / sinSigma;
    cos2Alpha = 1 - sinAlpha * sinAlpha;
    cos2SigmaM = cos2Alpha === 0 ? 0 : cosSigma - (2 * sinU1 * sinU2) / cos2Alpha;
    const C = (f / 16) * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha));
    const previous = lambda;
    lambda =
      L +
      (1 - C) *
        f *
        sinAlpha *
        (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM ** 2)));
    if (Math.abs(lambda - previous) < 1e-13) break;
  }
  const u2 = (cos2Alpha * (a * a - b * b)) / (b * b);
  const A = 1 + (u2 / 16384) * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
  const B = (u2 / 1024) * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
  const deltaSigma =
    B *
    sinSigma *
    (cos2SigmaM +
      (B / 4) *
        (cosSigma * (-1 + 2 * cos2SigmaM ** 2) -
          (B / 6) * cos2SigmaM * (-3 + 4 * sinSigma ** 2) * (-3 + 4 * cos2SigmaM ** 2)));
  return b * A * (sigma - deltaSigma);
}

function haversineM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * DEG_TO_RAD;
  const dLon = (lon2 - lon1) * DEG_TO_RAD;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(lat1 * DEG_TO_RAD) * Math.cos(lat2 * DEG_TO_RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * MEAN_EARTH_RADIUS_M * Math.asin(Math.sqrt(h));
}

describe('local metric plane', () => {
  it('has the WGS84 scale at the equator', () => {
    expect(metresPerDegreeLon(0, 'wgs84')).toBeCloseTo(111319.49, 1);
    expect(metresPerDegreeLat(0, 'wgs84')).toBeCloseTo(110574.27, 1);
    expect(metresPerDegreeLat(45, 'sphere')).toBeCloseTo(MEAN_EARTH_RADIUS_M * DEG_TO_RAD, 6);
  });

  // The documented bound: |error| <= d^2 |tan lat| / (2R) for a distance d, wherever the fix is in
  // the zone's plane. We check distances up to 100 m measured 10 km from the plane's reference.
  it.each([0, 30, 48.2, 60, 70])(
    'stays below 1 cm (in fact 1 mm) at 10 km from the reference point, latitude %d°',
    (lat0) => {
      const lon0 = 15.6;
      const frame = createFrame(lon0, lat0, 'wgs84');
      const sphereFrame = createFrame(lon0, lat0, 'sphere');
      let worst = 0;
      let worstSphere = 0;
      let worstUncorrected = 0;
      for (let bearing = 0; bearing < 360; bearing += 15) {
        const b = bearing * DEG_TO_RAD;
        // A fix 10 km from the reference point.
        const lonA = lon0 + (10_000 * Math.sin(b)) / metresPerDegreeLon(lat0, 'wgs84');
        const latA = lat0 + (10_000 * Math.cos(b)) / metresPerDegreeLat(lat0, 'wgs84');
        expect(vincentyM(lon0, lat0, lonA, latA)).toBeGreaterThan(9_900);
        for (const d of [0.5, 5, 25, 100]) {
          for (let heading = 0; heading < 360; heading += 45) {
            const h = heading * DEG_TO_RAD;
            const lonB = lonA + (d * Math.sin(h)) / metresPerDegreeLon(latA, 'wgs84');
            const latB = latA + (d * Math.cos(h)) / metresPerDegreeLat(latA, 'wgs84');
            const truth = vincentyM(lonA, latA, lonB, latB);
            worst = Math.max(worst, Math.abs(localDistanceM(frame, lonA, latA, lonB, latB, 'wgs84') - truth));
            const sphereTruth = haversineM(lonA, latA, lonB, latB);
            worstSphere = Math.max(
              worstSphere,
              Math.abs(localDistanceM(sphereFrame, lonA, latA, lonB, latB, 'sphere') - sphereTruth),
            );
            // Without the rescaling to the fix's latitude (a fixed equirectangular plane):
            const dx = (lonB - lonA) * frame.kx0;
            const dy = (latB - latA) * frame.ky0;
            worstUncorrected = Math.max(worstUncorrected, Math.abs(Math.hypot(dx, dy) - truth));
          }
        }
      }
      expect(worst).toBeLessThan(0.001);
      expect(worstSphere).toBeLessThan(0.001);
      // The correction matters: a fixed plane is off by centimetres there (at mid latitudes).
      if (lat0 >= 30) expect(worstUncorrected).toBeGreaterThan(0.01);
    },
  );
});
