import { signedDistanceToZoneM } from '../geofences/check-point.rule.js';
import type { ZoneGeometry } from '../geofences/zone-geometry.validation.js';

/**
 * How far past the boundary the worker was when the DEVICE alerted. Lookout's detector records its own margin
 * with each detection; a device only says when it alerted. So the worker's position at the alert time is
 * taken from the ground-truth track (the true positions at the device's fixes, on the device's clock, so a
 * clock offset does not move the point), linearly interpolated between the two samples around the alert,
 * else the device's own last fix at or before it; and measured against the zone version Lookout judged the
 * crossing with (else the ground truth's zone, at its version live at the alert).
 */

export interface TimedPosition {
  timeMs: number;
  lon: number;
  lat: number;
}

export interface ZoneShape {
  kind: 'safe' | 'danger';
  geometry: ZoneGeometry;
  halfWidthM: number | null;
}

export interface AlertPositionInput {
  alertAtMs: number;
  /** Ground-truth samples at or before, and after, the alert (device clock). */
  truthBefore: TimedPosition | null;
  truthAfter: TimedPosition | null;
  /** The device's last fix at or before the alert. */
  lastFix: TimedPosition | null;
  zone: ZoneShape | null;
}

export interface AlertMargin {
  marginM: number | null;
  source: 'ground-truth' | 'fix' | null;
}

/** Two ground-truth samples further apart than this are not interpolated between (a dropout, not a walk). */
export const MAX_INTERPOLATION_GAP_MS = 5000;

/** The worker's true position at `atMs`, from the samples either side; null when they are too far apart. */
export function interpolate(
  atMs: number,
  before: TimedPosition | null,
  after: TimedPosition | null,
  toleranceMs: number,
): TimedPosition | null {
  if (before && after && after.timeMs - before.timeMs <= MAX_INTERPOLATION_GAP_MS) {
    const span = after.timeMs - before.timeMs;
    const t = span > 0 ? (atMs - before.timeMs) / span : 0;
    return {
      timeMs: atMs,
      lon: before.lon + t * (after.lon - before.lon),
      lat: before.lat + t * (after.lat - before.lat),
    };
  }
  // Only one side (the alert came after the last sample, or before the first): the nearest, if close.
  const near = [before, after]
    .filter((p): p is TimedPosition => p !== null && Math.abs(p.timeMs - atMs) <= toleranceMs)
    .sort((a, b) => Math.abs(a.timeMs - atMs) - Math.abs(b.timeMs - atMs))[0];
  return near ?? null;
}

/** Metres past the zone's boundary on the unsafe side: outside a safe zone, inside a danger zone. */
export function marginPastBoundaryM(zone: ZoneShape, lon: number, lat: number): number {
  const signedM = signedDistanceToZoneM(zone, lon, lat);
  return zone.kind === 'safe' ? signedM : -signedM;
}

export function alertMargin(input: AlertPositionInput, toleranceMs: number): AlertMargin {
  if (!input.zone) return { marginM: null, source: null };
  const truth = interpolate(input.alertAtMs, input.truthBefore, input.truthAfter, toleranceMs);
  if (truth)
    return { marginM: marginPastBoundaryM(input.zone, truth.lon, truth.lat), source: 'ground-truth' };
  if (input.lastFix) {
    return { marginM: marginPastBoundaryM(input.zone, input.lastFix.lon, input.lastFix.lat), source: 'fix' };
  }
  return { marginM: null, source: null };
}

/** Median (linear between the middle two, as percentile_cont) and max; nulls when empty. */
export function medianAndMax(values: readonly number[]): { p50: number | null; max: number | null } {
  if (values.length === 0) return { p50: null, max: null };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = (sorted.length - 1) / 2;
  const low = sorted[Math.floor(middle)]!;
  const high = sorted[Math.ceil(middle)]!;
  return { p50: low + (high - low) * (middle - Math.floor(middle)), max: sorted.at(-1)! };
}
