import type { CanonicalDeviceEvent } from '../../../libs/telemetry/src/index.js';
import type { LocalFrame } from './local-frame.js';
import { classifyPosition, type PlanarZone } from './planar-zone.js';
import type { SeededRandom } from './seeded-random.js';
import { VirtualBattery } from './virtual-battery.js';
import type { WearableModel } from './wearable-model.js';

/** What the wearable sees of one fix: the noisy position it computed, on its own clock. */
export interface ObservedFix {
  /** Device clock (what it would report), epoch ms. */
  fixTimeMs: number;
  /** Scenario (true) time at which the device had this fix, epoch ms: used to schedule publishing. */
  atMs: number;
  lon: number;
  lat: number;
  accuracyM: number;
}

export type WearableEventPayload = Omit<CanonicalDeviceEvent, 'deviceId' | 'receivedAtMs'>;

export interface WearableAlert {
  /** The event as published on `lookout/v1/devices/{d}/event`; `eventTimeMs` is on the device clock. */
  event: WearableEventPayload;
  /** Scenario (true) time at which the device publishes it. */
  publishAtMs: number;
  /**
   * Why the simulated device raised it. Never published (a real device cannot know); kept in the ground
   * truth so a run can check Lookout's scoring: `breach` (its own decision said so, right or wrong),
   * `false-alert` (the model's spurious alert), `missed` is not an event (see `missedEpisodes`).
   */
  cause: 'breach' | 'false-alert';
}

/** A battery reading the wearable publishes (`kind: battery`); not an alert, so never scored as one. */
export interface WearableBatteryReport {
  /** The event as published on `lookout/v1/devices/{d}/event`; `eventTimeMs` is on the device clock. */
  event: WearableEventPayload & { kind: 'battery'; batteryPct: number };
  /** Scenario (true) time at which the device publishes it. */
  publishAtMs: number;
  /** The noise-free charge at that time, %, for the ground truth. */
  trueChargePct: number;
}

export interface VirtualWearableOptions {
  deviceId: string;
  model: WearableModel;
  /** The zones as configured on the device (usually the same as the server's). */
  zones: readonly PlanarZone[];
  frame: LocalFrame;
  random: SeededRandom;
}

const HOUR_MS = 3_600_000;

/**
 * A supplier's wearable, emulated: it makes its own zone decision on each fix it computes, with the
 * model's rule, alert latency, miss rate and false-alert rate, and returns the events it would publish.
 * Pure: no clock, no I/O; the same seed gives the same alerts.
 */
export class VirtualWearable {
  private alerting: 'none' | 'breach' | 'false-alert' = 'none';
  /** The zone the current alert was raised for; its clear names it too. */
  private alertZone: string | undefined;
  /** The current breach episode was drawn as missed: the device stays silent until it ends. */
  private missingEpisode = false;
  private inBreach = false;
  private safeStreak = 0;
  private nextFalseAlertAtMs: number | undefined;
  private falseAlertEndsAtMs = 0;
  private episodes = 0;
  private missed = 0;

  private readonly battery: VirtualBattery | undefined;

  constructor(private readonly options: VirtualWearableOptions) {
    // Its own stream: adding a battery to a model does not change that model's alert decisions.
    const { battery } = options.model;
    this.battery = battery && new VirtualBattery(battery, options.random.fork('battery'));
  }

  /** Breach episodes the device itself decided, and how many of them it (by its miss rate) never alerted. */
  get breachEpisodes(): number {
    return this.episodes;
  }

  get missedEpisodes(): number {
    return this.missed;
  }

  observe(fix: ObservedFix): WearableAlert[] {
    const { model, random, zones, deviceId, frame } = this.options;
    const alerts: WearableAlert[] = [];
    const verdict = classifyPosition(zones, deviceId, frame.toXY(fix.lon, fix.lat), fix.fixTimeMs);
    const breach =
      verdict.breach &&
      (model.rule === 'centre' || verdict.beyondM > fix.accuracyM) &&
      verdict.zoneId !== null;
    const emit = (
      kind: 'alert-raised' | 'alert-cleared',
      delayMs: number,
      cause: WearableAlert['cause'],
      zoneRef?: string,
    ) => {
      const event: WearableEventPayload = {
        eventTimeMs: Math.round(fix.fixTimeMs + delayMs),
        kind,
        lon: fix.lon,
        lat: fix.lat,
        accuracyM: fix.accuracyM,
        detail: model.name,
      };
      if (zoneRef !== undefined) event.zoneRef = zoneRef;
      alerts.push({ event, publishAtMs: Math.round(fix.atMs + delayMs), cause });
    };

    // A spurious alert ends on its own timer, whatever the position says.
    if (this.alerting === 'false-alert' && fix.fixTimeMs >= this.falseAlertEndsAtMs) {
      emit('alert-cleared', this.falseAlertEndsAtMs - fix.fixTimeMs, 'false-alert', this.alertZone);
      this.alerting = 'none';
    }

    if (breach && !this.inBreach) {
      this.inBreach = true;
      this.episodes += 1;
      this.missingEpisode = random.chance(model.missRate);
      if (this.missingEpisode) this.missed += 1;
      if (!this.missingEpisode && this.alerting === 'none') {
        const jitter =
          model.alertLatencyJitterMs > 0 ? random.uniform(-1, 1) * model.alertLatencyJitterMs : 0;
        this.alertZone = verdict.zoneId ?? undefined;
        emit('alert-raised', Math.max(0, model.alertLatencyMs + jitter), 'breach', this.alertZone);
        this.alerting = 'breach';
      }
      this.safeStreak = 0;
    } else if (!breach && this.inBreach) {
      this.safeStreak += 1;
      if (this.safeStreak >= model.clearAfterFixes) {
        this.inBreach = false;
        this.missingEpisode = false;
        if (this.alerting === 'breach') {
          emit('alert-cleared', model.clearLatencyMs, 'breach', this.alertZone);
          this.alerting = 'none';
        }
      }
    } else if (breach) {
      this.safeStreak = 0;
    }

    if (model.falseAlertsPerHour > 0) {
      this.nextFalseAlertAtMs ??= fix.fixTimeMs + random.exponential(HOUR_MS / model.falseAlertsPerHour);
      // Spurious alerts come only while the device believes it is safe (otherwise it is already alerting).
      while (this.nextFalseAlertAtMs <= fix.fixTimeMs) {
        if (this.alerting === 'none' && !this.inBreach) {
          this.alertZone = verdict.zoneId ?? undefined;
          emit('alert-raised', model.alertLatencyMs, 'false-alert', this.alertZone);
          this.alerting = 'false-alert';
          this.falseAlertEndsAtMs = fix.fixTimeMs + model.alertLatencyMs + model.falseAlertDurationMs;
        }
        this.nextFalseAlertAtMs += random.exponential(HOUR_MS / model.falseAlertsPerHour);
      }
    }
    return alerts;
  }

  /**
   * The battery reading the device sends with this fix, if its model has a battery and one is due (every
   * `reportIntervalS` of device clock, with the first fix after it). Call once per computed fix, like observe.
   */
  reportBattery(fix: ObservedFix): WearableBatteryReport | undefined {
    const batteryPct = this.battery?.observe(fix.fixTimeMs);
    if (batteryPct === undefined) return undefined;
    return {
      event: {
        eventTimeMs: Math.round(fix.fixTimeMs),
        kind: 'battery',
        batteryPct,
        detail: this.options.model.name,
      },
      publishAtMs: fix.atMs,
      trueChargePct: this.battery!.chargeAt(fix.fixTimeMs),
    };
  }
}
