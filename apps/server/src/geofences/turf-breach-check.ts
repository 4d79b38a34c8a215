import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { Position } from 'geojson';
import type { CanonicalFix, LiveBreach } from '../../../../libs/telemetry/src/index.js';
import type { BreachCheck, BreachCheckResult, DeviceScope } from './breach-check.js';
import type { PublishedZone, ZoneVersionEntity } from './zone.entity.js';

const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Distance in metres from a point to the nearest ring edge, on an equirectangular plane about the point. */
function distanceToBoundaryM(lon: number, lat: number, rings: readonly Position[][]): number {
  const kx = Math.cos(lat * RAD) * RAD * EARTH_RADIUS_M;
  const ky = RAD * EARTH_RADIUS_M;
  let best = Infinity;
  for (const ring of rings) {
    for (let i = 1; i < ring.length; i++) {
      const ax = (ring[i - 1]![0]! - lon) * kx;
      const ay = (ring[i - 1]![1]! - lat) * ky;
      const bx = (ring[i]![0]! - lon) * kx;
      const by = (ring[i]![1]! - lat) * ky;
      const dx = bx - ax;
      const dy = by - ay;
      const lengthSq = dx * dx + dy * dy;
      const t = lengthSq === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / lengthSq));
      best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
    }
  }
  return best;
}

/** The lines whose distance matters: polygon rings, or a corridor's centreline. */
function boundaryLines(zone: ZoneVersionEntity): Position[][] {
  const { geometry } = zone;
  if (geometry.type === 'LineString') return [geometry.coordinates];
  return geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat();
}

/** Signed distance to the boundary in metres: negative inside, positive outside; on the edge counts as inside. */
function signedDistanceM(lon: number, lat: number, zone: ZoneVersionEntity): number {
  const distanceM = distanceToBoundaryM(lon, lat, boundaryLines(zone));
  if (zone.geometry.type === 'LineString') return distanceM - (zone.halfWidthM ?? 0);
  return booleanPointInPolygon([lon, lat], zone.geometry) ? -distanceM : distanceM;
}

function isActive(zone: ZoneVersionEntity, atMs: number): boolean {
  if (zone.windows.length === 0) return true;
  return zone.windows.some(
    (window) =>
      (window.from === null || Date.parse(window.from) <= atMs) &&
      (window.to === null || atMs < Date.parse(window.to)),
  );
}

/**
 * The walking skeleton's detector: turf point-in-polygon over every applicable zone. Correct but slow
 * (it touches every vertex of every zone per fix); libs/geofence replaces it.
 * Rule: a device is safe inside the union of its safe zones (if it has any) and outside all danger zones;
 * a point on a danger zone's edge counts as inside it.
 */
export class TurfBreachCheck implements BreachCheck {
  private zones: readonly PublishedZone[] = [];
  private readonly state = new Map<string, { inBreach: boolean; lastFixTimeMs: number }>();

  setZones(zones: readonly PublishedZone[]): void {
    this.zones = zones;
  }

  check(fix: CanonicalFix, device: DeviceScope): BreachCheckResult {
    const previous = this.state.get(device.id);
    // An out-of-order fix never changes state.
    if (previous && fix.fixTimeMs <= previous.lastFixTimeMs) return { accepted: false, breaches: [] };
    const active = this.zones.filter(
      ({ version }) =>
        (version.appliesTo.length === 0 ||
          version.appliesTo.includes(device.id) ||
          device.groups.some((group) => version.appliesTo.includes(group))) &&
        isActive(version, fix.fixTimeMs),
    );
    let deciding: { zone: PublishedZone; distanceM: number } | undefined;
    for (const zone of active) {
      if (zone.version.kind !== 'danger') continue;
      const signed = signedDistanceM(fix.lon, fix.lat, zone.version);
      if (signed <= 0) {
        deciding = { zone, distanceM: -signed };
        break;
      }
    }
    const safeZones = active.filter((zone) => zone.version.kind === 'safe');
    if (!deciding && safeZones.length > 0) {
      const distances = safeZones.map((zone) => ({
        zone,
        distanceM: signedDistanceM(fix.lon, fix.lat, zone.version),
      }));
      if (distances.every(({ distanceM }) => distanceM > 0)) {
        deciding = distances.reduce((nearest, next) => (next.distanceM < nearest.distanceM ? next : nearest));
      }
    }
    this.state.set(device.id, { inBreach: deciding !== undefined, lastFixTimeMs: fix.fixTimeMs });
    if (!deciding || previous?.inBreach) return { accepted: true, breaches: [] };
    const { zone, distanceM } = deciding;
    const breaches: LiveBreach[] = [
      {
        deviceId: device.id,
        zoneId: zone.id,
        zoneVersion: zone.version.version,
        zoneKind: zone.version.kind,
        severity: distanceM >= fix.accuracyM ? 'confirmed' : 'probable',
        distanceBeyondBoundaryM: distanceM,
        accuracyM: fix.accuracyM,
        fix: {
          deviceId: fix.deviceId,
          fixTimeMs: fix.fixTimeMs,
          receivedAtMs: fix.receivedAtMs,
          lon: fix.lon,
          lat: fix.lat,
          accuracyM: fix.accuracyM,
          sequence: fix.sequence,
        },
      },
    ];
    return { accepted: true, breaches };
  }
}
