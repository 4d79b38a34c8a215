import type { CanonicalFix, LiveBreach } from '../../../../libs/telemetry/src/index.js';
import type { PublishedZone } from './zone.entity.js';

/** What the detector knows of a device besides its fix: the ids and groups zones apply to. */
export interface DeviceScope {
  id: string;
  groups: readonly string[];
}

/** What the detector made of one fix. */
export interface BreachCheckResult {
  /** False for a duplicate or a fix older than the device's last one: it changed nothing. */
  accepted: boolean;
  /** The breaches that begin at this fix (a device already in breach is not announced again). */
  breaches: LiveBreach[];
}

/** The server's seam to the breach detector. Ingest hands it every fix of a device in time order. */
export interface BreachCheck {
  /** Replaces the whole zone set (zones are few and change rarely in the skeleton). */
  setZones(zones: readonly PublishedZone[]): void;
  check(fix: CanonicalFix, device: DeviceScope): BreachCheckResult;
}

export const BREACH_CHECK = Symbol('BREACH_CHECK');
