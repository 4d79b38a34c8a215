import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { Position } from 'geojson';
import type { CanonicalFix, LiveBreach } from '../../../../libs/telemetry/src/index.js';
import type { BreachCheck, DeviceScope } from './breach-check.js';
import type { ZoneEntity } from './zone.entity.js';

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

function ringsOf(zone: ZoneEntity): Position[][] {
  return zone.geometry.type === 'Polygon' ? zone.geometry.coordinates : zone.geometry.coordinates.flat();
}

/**
 * The walking skeleton's detector: turf point-in-polygon over every applicable zone. Correct but slow
 * (it touches every vertex of every zone per fix); libs/geofence replaces it.
 * Rule: a device is safe inside the union of its safe zones (if it has any) and outside all danger zones;
 * a point on a danger zone's edge counts as inside it.
 */
export class TurfBreachCheck implements BreachCheck {
  private zones: readonly ZoneEntity[] = [];
  private readonly state = new Map<string, { inBreach: boolean; lastFixTimeMs: number }>();

  setZones(zones: readonly ZoneEntity[]): void {
    this.zones = zones;
  }

  check(fix: CanonicalFix, device: DeviceScope): LiveBreach[] {
    const previous = this.state.get(device.id);
    // An out-of-order fix never changes state.
    if (previous && fix.fixTimeMs <= previous.lastFixTimeMs) return [];
    const point = [fix.lon, fix.lat];
    const active = this.zones.filter(
      (zone) =>
        (zone.appliesTo.length === 0 ||
          zone.appliesTo.includes(device.id) ||
          device.groups.some((group) => zone.appliesTo.includes(group))) &&
        (!zone.validFrom || zone.validFrom.getTime() <= fix.fixTimeMs) &&
        (!zone.validTo || fix.fixTimeMs < zone.validTo.getTime()),
    );
    let deciding: { zone: ZoneEntity; distanceM: number } | undefined;
    for (const zone of active) {
      if (zone.kind === 'danger' && booleanPointInPolygon(point, zone.geometry)) {
        deciding = { zone, distanceM: distanceToBoundaryM(fix.lon, fix.lat, ringsOf(zone)) };
        break;
      }
    }
    const safeZones = active.filter((zone) => zone.kind === 'safe');
    if (
      !deciding &&
      safeZones.length > 0 &&
      !safeZones.some((zone) => booleanPointInPolygon(point, zone.geometry))
    ) {
      for (const zone of safeZones) {
        const distanceM = distanceToBoundaryM(fix.lon, fix.lat, ringsOf(zone));
        if (!deciding || distanceM < deciding.distanceM) deciding = { zone, distanceM };
      }
    }
    this.state.set(device.id, { inBreach: deciding !== undefined, lastFixTimeMs: fix.fixTimeMs });
    if (!deciding || previous?.inBreach) return [];
    const { zone, distanceM } = deciding;
    return [
      {
        deviceId: device.id,
        zoneId: zone.id,
        zoneVersion: zone.version,
        zoneKind: zone.kind,
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
  }
}
