/**
 * A local metric frame about an origin: x metres east, y metres north, by the equirectangular projection
 * about the origin's latitude. At site scale (a few km) its error is far below a GNSS fix's; it is how
 * scenarios place zones and walks, and how the virtual wearables do their own geometry.
 */
export const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

export interface LonLat {
  lon: number;
  lat: number;
}

export interface PointXY {
  x: number;
  y: number;
}

export class LocalFrame {
  /** Metres per degree of longitude and of latitude at the origin. */
  readonly metresPerDegLon: number;
  readonly metresPerDegLat: number;

  constructor(readonly origin: LonLat) {
    if (!(Math.abs(origin.lat) < 85) || !(Math.abs(origin.lon) <= 180)) {
      throw new RangeError(
        `frame origin must be lon in [-180, 180] and lat in (-85, 85), got ${JSON.stringify(origin)}`,
      );
    }
    this.metresPerDegLat = EARTH_RADIUS_M * RAD;
    this.metresPerDegLon = this.metresPerDegLat * Math.cos(origin.lat * RAD);
  }

  toXY(lon: number, lat: number): PointXY {
    return {
      x: (lon - this.origin.lon) * this.metresPerDegLon,
      y: (lat - this.origin.lat) * this.metresPerDegLat,
    };
  }

  toLonLat(x: number, y: number): LonLat {
    return {
      lon: this.origin.lon + x / this.metresPerDegLon,
      lat: this.origin.lat + y / this.metresPerDegLat,
    };
  }
}
