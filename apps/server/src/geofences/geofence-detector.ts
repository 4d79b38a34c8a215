import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  GeofenceEngine,
  ZoneValidationError,
  type DetectionEvent,
  type FixSnapshot,
  type ValidityWindow,
  type ZoneInput,
} from '../../../../libs/geofence/src/index.js';
import type {
  CanonicalFix,
  LiveBreach,
  LiveDetection,
  LiveFix,
} from '../../../../libs/telemetry/src/index.js';
import { EventBus } from '../events/event-bus.js';
import type { BreachCheck, BreachCheckResult, DeviceScope } from './breach-check.js';
import type { PublishedZone } from './zone.entity.js';

/** How often silence (`lost`) and validity windows opening or closing are checked. */
export const TICK_INTERVAL_MS = 1000;

/** A published zone version as the detector's input. */
export function toZoneInput({ id, version }: PublishedZone): ZoneInput {
  const geometry =
    version.geometry.type === 'LineString'
      ? {
          type: 'Corridor' as const,
          centreline: version.geometry.coordinates,
          halfWidthM: version.halfWidthM ?? 0,
        }
      : version.geometry;
  const validity: ValidityWindow[] = version.windows.map((window) => ({
    startMs: window.from === null ? Number.MIN_SAFE_INTEGER : Date.parse(window.from),
    endMs: window.to === null ? Number.MAX_SAFE_INTEGER : Date.parse(window.to),
  }));
  // The server keeps one list of device ids or groups; either may match.
  const appliesTo = { deviceIds: version.appliesTo, groups: version.appliesTo };
  return { id, version: version.version, kind: version.kind, geometry, validity, appliesTo };
}

function liveFix(fix: FixSnapshot, receivedAtMs: number): LiveFix {
  return {
    deviceId: fix.deviceId,
    fixTimeMs: fix.fixTimeMs,
    receivedAtMs,
    lon: fix.lon,
    lat: fix.lat,
    accuracyM: fix.accuracyM,
    ...(fix.sequence === null ? {} : { sequence: fix.sequence }),
  };
}

/**
 * A detection event as stored and shown: flat, serialisable, with an id to acknowledge it by. `receivedAtMs`
 * is when the fix that caused it arrived (the fix's own); for events without one (silence, a zone or window
 * change) the fix shown is the device's last, dated with the detection time.
 */
export function summarise(event: DetectionEvent, detectedAtMs: number, receivedAtMs?: number): LiveDetection {
  const atMs = event.type === 'fix-flagged' ? event.fix.fixTimeMs : event.atMs;
  const base = { id: randomUUID(), deviceId: event.deviceId, atMs, detectedAtMs };
  switch (event.type) {
    case 'status': {
      const evidence = event.evidence;
      const fix = evidence?.fix ?? event.lastFix;
      return {
        ...base,
        type: 'status',
        status: event.status,
        previousStatus: event.previousStatus,
        breachLevel: event.breachLevel,
        cause: event.cause,
        rule: evidence?.rule ?? null,
        zone: evidence?.decidingZone ?? null,
        fix: fix ? liveFix(fix, event.cause === 'fix' ? (receivedAtMs ?? detectedAtMs) : detectedAtMs) : null,
        breachMarginM: evidence?.breachMarginM ?? null,
        chainageM: evidence?.chainageM ?? null,
      };
    }
    case 'crossing':
      return {
        ...base,
        type: 'crossing',
        status: null,
        previousStatus: event.previousStatus,
        breachLevel: null,
        cause: 'fix',
        rule: event.rule,
        zone: event.zone,
        fix: liveFix(event.to, receivedAtMs ?? detectedAtMs),
        breachMarginM: null,
        chainageM: null,
      };
    case 'fix-flagged':
      return {
        ...base,
        type: 'fix-flagged',
        status: event.currentStatus,
        previousStatus: event.currentStatus,
        breachLevel: null,
        cause: event.reason,
        rule: null,
        zone: null,
        fix: liveFix(event.fix, receivedAtMs ?? detectedAtMs),
        breachMarginM: null,
        chainageM: null,
      };
  }
}

/** The dashboard's breach card for detections that are breaches (entering breach, or a crossing). */
export function asBreach(detection: LiveDetection): LiveBreach | undefined {
  // Entering breach; a change of level inside a breach (probable <-> confirmed) updates it, it is not a new one.
  const isBreach =
    detection.type === 'status' && detection.status === 'breach' && detection.previousStatus !== 'breach';
  if ((!isBreach && detection.type !== 'crossing') || !detection.zone || !detection.fix) return undefined;
  return {
    type: isBreach ? 'breach' : 'crossing',
    detectionId: detection.id,
    rule: detection.rule ?? '',
    deviceId: detection.deviceId,
    zoneId: detection.zone.zoneId,
    zoneVersion: detection.zone.zoneVersion,
    zoneKind: detection.zone.zoneKind,
    severity: detection.breachLevel ?? 'confirmed',
    distanceBeyondBoundaryM: detection.breachMarginM ?? 0,
    accuracyM: detection.fix.accuracyM,
    fix: detection.fix,
  };
}

/**
 * The server's detector: libs/geofence's engine, fed with every fix in order and with each published zone
 * set, ticked every second for silence and validity windows. Every event it raises goes on the bus as a
 * `detection.raised` (stored, sent to the device, shown live by their own services).
 */
@Injectable()
export class GeofenceDetector implements BreachCheck, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(GeofenceDetector.name);
  readonly engine = new GeofenceEngine();
  private timer?: NodeJS.Timeout;

  constructor(private readonly bus: EventBus) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.publish(this.engine.tick(Date.now())), TICK_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Applies a published zone set incrementally: only new or changed versions and removed zones touch the index. */
  setZones(zones: readonly PublishedZone[]): void {
    const now = Date.now();
    const wanted = new Set(zones.map((zone) => zone.id));
    for (const zone of this.engine.listZones()) {
      if (!wanted.has(zone.zoneId)) this.publish(this.engine.removeZone(zone.zoneId, now));
    }
    for (const zone of zones) {
      if (this.engine.getZone(zone.id)?.zoneVersion === zone.version.version) continue;
      try {
        this.publish(this.engine.upsertZone(toZoneInput(zone), now));
      } catch (error) {
        if (!(error instanceof ZoneValidationError)) throw error;
        // The API validates before publishing; a zone the detector still refuses must not stop the others.
        this.logger.error(
          `zone ${zone.id} v${zone.version.version} not loaded into the detector: ${error.message}`,
        );
      }
    }
  }

  check(fix: CanonicalFix, device: DeviceScope): BreachCheckResult {
    const events = this.engine.processFix({
      deviceId: fix.deviceId,
      fixTimeMs: fix.fixTimeMs,
      lon: fix.lon,
      lat: fix.lat,
      accuracyM: fix.accuracyM,
      sequence: fix.sequence,
      groups: device.groups,
      receivedAtMs: fix.receivedAtMs,
    });
    const detections = this.publish(events, fix.receivedAtMs);
    return {
      accepted: !events.some((event) => event.type === 'fix-flagged'),
      breaches: detections.flatMap((detection) => asBreach(detection) ?? []),
    };
  }

  private publish(events: readonly DetectionEvent[], receivedAtMs?: number): LiveDetection[] {
    if (events.length === 0) return [];
    const now = Date.now();
    const detections = events.map((event) => summarise(event, now, receivedAtMs));
    for (const [i, detection] of detections.entries()) {
      this.bus.emit('detection.raised', { detection, event: events[i]! });
    }
    return detections;
  }
}
