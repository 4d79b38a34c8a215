import type { CanonicalFix, LiveBreach } from '../../../../libs/telemetry/src/index.js';
import type { PublishedZone } from './zone.entity.js';

/** What the detector knows of a device besides its fix: the ids and groups zones apply to. */
export interface DeviceScope {
  id: string;
  groups: readonly string[];
}

/**
 * The server's seam to the breach detector. Ingest hands it every stored fix in order; it answers with the
 * breaches that begin at that fix (a device already in breach is not announced again).
 */
export interface BreachCheck {
  /** Replaces the whole zone set (zones are few and change rarely in the skeleton). */
  setZones(zones: readonly PublishedZone[]): void;
  check(fix: CanonicalFix, device: DeviceScope): LiveBreach[];
}

export const BREACH_CHECK = Symbol('BREACH_CHECK');
