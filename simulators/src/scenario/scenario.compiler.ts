import {
  LocalFrame,
  SeededRandom,
  VirtualWearable,
  wearableModelByName,
  type PlanarZone,
  type PointXY,
  type Seed,
  type WearableEventPayload,
  type WearableModel,
} from '../../../devices/src/behaviour/index.js';
import type { CanonicalFix } from '../../../libs/telemetry/src/index.js';
import {
  applyNoise,
  deviceClockMs,
  type DropReason,
  type EnvironmentClass,
  type EnvironmentRegion,
  type NoiseConfig,
} from '../noise/noise.model.js';
import { computeCrossings, withFixesDuring, type TrueCrossing } from './ground-truth.js';
import type { Scenario, ScenarioDevice, ScenarioZone } from './scenario.schema.js';

/**
 * Turns a scenario into what a run publishes and what really happened: for each device, its true
 * path sampled at its fix times, the noise, dropouts and clock skew applied, the delivery perturbed
 * (bursts out of order, duplicates), its virtual wearable's own alerts; and the ground truth. Pure
 * and deterministic for a given seed and start time.
 */
export type OutgoingFix = Omit<CanonicalFix, 'deviceId' | 'receivedAtMs'>;

export type Publication =
  | { atMs: number; deviceId: string; kind: 'fix'; fix: OutgoingFix; copy: number }
  | { atMs: number; deviceId: string; kind: 'event'; event: WearableEventPayload };

/** A zone as the server takes it (ZonesService.create): GeoJSON in WGS84 and absolute windows. */
export interface ServerZoneSpec {
  /** The scenario's zone id. */
  zoneId: string;
  name: string;
  kind: 'safe' | 'danger';
  geometry:
    | { type: 'Polygon'; coordinates: [number, number][][] }
    | { type: 'LineString'; coordinates: [number, number][] };
  halfWidthM: number | null;
  /** Device ids (as published). */
  appliesTo: string[];
  windows: { from: string | null; to: string | null }[];
}

export interface TruePosition {
  deviceId: string;
  sequence: number;
  /** When the fix was really taken. */
  trueTimeMs: number;
  /** What the device reported (its clock). */
  fixTimeMs: number;
  trueLon: number;
  trueLat: number;
  lon: number;
  lat: number;
  accuracyM: number;
  /** Distance from the true position to the reported one, metres. */
  errorM: number;
  environment: EnvironmentClass;
}

export interface WearableRecord {
  deviceId: string;
  model: string;
  kind: WearableEventPayload['kind'];
  eventTimeMs: number;
  publishAtMs: number;
  zoneRef: string | null;
  cause: 'breach' | 'false-alert';
}

export interface GroundTruth {
  scenario: string;
  seed: string;
  startTimeMs: number;
  endTimeMs: number;
  crossings: TrueCrossing[];
  positions: TruePosition[];
  dropped: { deviceId: string; sequence: number; trueTimeMs: number; reason: DropReason }[];
  wearableAlerts: WearableRecord[];
  /** Per device with a wearable: breach episodes it decided and how many it missed by its miss rate. */
  wearableEpisodes: { deviceId: string; model: string; episodes: number; missed: number }[];
  /** Battery readings of wearables whose model has a battery, as published and as the true charge. */
  batteryReadings: BatteryRecord[];
}

export interface BatteryRecord {
  deviceId: string;
  eventTimeMs: number;
  publishAtMs: number;
  /** As reported (rounded to the gauge's step, with its noise). */
  batteryPct: number;
  /** The model's noise-free charge at that time. */
  trueChargePct: number;
}

export interface CompiledDevice {
  deviceId: string;
  scenarioDeviceId: string;
  fixIntervalMs: number;
  clockOffsetMs: number;
  wearableModel: string | null;
  publishedFixes: number;
  /** Messages including duplicates. */
  fixMessages: number;
  /** The wearable's alert events (`alert-raised` / `alert-cleared`). */
  events: number;
  /** The wearable's `battery` events. */
  batteryReports: number;
}

export interface CompiledScenario {
  scenario: Scenario;
  seed: string;
  startMs: number;
  endMs: number;
  frame: LocalFrame;
  zones: PlanarZone[];
  serverZones: ServerZoneSpec[];
  devices: CompiledDevice[];
  /** In publishing order. */
  publications: Publication[];
  groundTruth: GroundTruth;
}

export interface CompileOptions {
  /** Default: the scenario's own seed. */
  seed?: Seed;
  /** Epoch ms of scenario time 0. */
  startMs: number;
  /** The id to publish as, for a scenario device id (tests add a run suffix). Default: the same. */
  deviceIdFor?: (scenarioDeviceId: string) => string;
  groundTruthStepMs?: number;
}

const round7 = (value: number) => Math.round(value * 1e7) / 1e7;
const secondsToMs = (seconds: number) => Math.round(seconds * 1000);

/** The worker's true position at scenario time `tS`: straight lines between waypoints, plus sway. */
export function truePositionAt(device: ScenarioDevice, tS: number): PointXY {
  const path = device.path;
  let x: number;
  let y: number;
  const first = path[0] as [number, number, number];
  const last = path[path.length - 1] as [number, number, number];
  if (tS <= first[0]) [, x, y] = first;
  else if (tS >= last[0]) [, x, y] = last;
  else {
    let i = 1;
    while ((path[i] as [number, number, number])[0] < tS) i++;
    const [t0, x0, y0] = path[i - 1] as [number, number, number];
    const [t1, x1, y1] = path[i] as [number, number, number];
    const f = (tS - t0) / (t1 - t0);
    x = x0 + f * (x1 - x0);
    y = y0 + f * (y1 - y0);
  }
  if (device.sway && device.sway.amplitudeM > 0) {
    const offset = device.sway.amplitudeM * Math.sin((2 * Math.PI * tS) / device.sway.periodS);
    const bearing = (device.sway.bearingDeg * Math.PI) / 180;
    x += offset * Math.sin(bearing);
    y += offset * Math.cos(bearing);
  }
  return { x, y };
}

const ring = (points: readonly (readonly [number, number])[]): PointXY[] =>
  points.map(([x, y]) => ({ x, y }));

function planarZone(zone: ScenarioZone, startMs: number, appliesTo: string[]): PlanarZone {
  return {
    id: zone.id,
    kind: zone.kind,
    geometry: zone.corridor
      ? { type: 'corridor', centreline: ring(zone.corridor.centreline), halfWidthM: zone.corridor.halfWidthM }
      : { type: 'polygons', polygons: [[ring(zone.polygon ?? []), ...zone.holes.map(ring)]] },
    windows: zone.windows.map((window) => ({
      fromMs: window.fromS === null ? null : startMs + secondsToMs(window.fromS),
      toMs: window.toS === null ? null : startMs + secondsToMs(window.toS),
    })),
    appliesTo,
  };
}

/** Closed, counter-clockwise (RFC 7946 §3.1.6) GeoJSON ring in WGS84. */
function geoRing(frame: LocalFrame, points: readonly (readonly [number, number])[], clockwise: boolean) {
  const area = points.reduce((sum, [x0, y0], i) => {
    const [x1, y1] = points[(i + 1) % points.length] as [number, number];
    return sum + (x0 * y1 - x1 * y0);
  }, 0);
  const ordered = area > 0 === clockwise ? [...points].reverse() : [...points];
  const coordinates = ordered.map(([x, y]) => {
    const { lon, lat } = frame.toLonLat(x, y);
    return [round7(lon), round7(lat)] as [number, number];
  });
  coordinates.push([...(coordinates[0] as [number, number])]);
  return coordinates;
}

function serverZone(
  zone: ScenarioZone,
  frame: LocalFrame,
  startMs: number,
  appliesTo: string[],
): ServerZoneSpec {
  const iso = (seconds: number | null) =>
    seconds === null ? null : new Date(startMs + secondsToMs(seconds)).toISOString();
  return {
    zoneId: zone.id,
    name: zone.name ?? zone.id,
    kind: zone.kind,
    geometry: zone.corridor
      ? {
          type: 'LineString',
          coordinates: zone.corridor.centreline.map(([x, y]) => {
            const { lon, lat } = frame.toLonLat(x, y);
            return [round7(lon), round7(lat)] as [number, number];
          }),
        }
      : {
          type: 'Polygon',
          coordinates: [
            geoRing(frame, zone.polygon ?? [], false),
            ...zone.holes.map((hole) => geoRing(frame, hole, true)),
          ],
        },
    halfWidthM: zone.corridor ? zone.corridor.halfWidthM : null,
    appliesTo,
    windows: zone.windows.map((window) => ({ from: iso(window.fromS), to: iso(window.toS) })),
  };
}

export function resolveWearableModel(wearable: ScenarioDevice['wearable']): WearableModel | undefined {
  if (wearable === undefined) return undefined;
  return typeof wearable === 'string' ? wearableModelByName(wearable) : wearable;
}

/** The device's wearable model with the device's own battery, when it has one, in place of the model's. */
export function deviceWearableModel(device: ScenarioDevice): WearableModel | undefined {
  const model = resolveWearableModel(device.wearable);
  return model && device.battery ? { ...model, battery: device.battery } : model;
}

/** Sort key: time, then held-back bursts (newest first), then normal order, then device events. */
interface Ordered {
  publication: Publication;
  priority: number;
  order: number;
}

export function compileScenario(scenario: Scenario, options: CompileOptions): CompiledScenario {
  const seed = String(options.seed ?? scenario.seed);
  const root = new SeededRandom(seed);
  const startMs = options.startMs;
  const endMs = startMs + secondsToMs(scenario.durationS);
  const frame = new LocalFrame(scenario.origin);
  const idFor = options.deviceIdFor ?? ((id: string) => id);
  const allDeviceIds = scenario.devices.map((device) => idFor(device.id));
  const appliesTo = (zone: ScenarioZone) =>
    zone.appliesTo.length === 0 ? allDeviceIds : zone.appliesTo.map((id) => idFor(id));
  const zones = scenario.zones.map((zone) => planarZone(zone, startMs, appliesTo(zone)));
  const serverZones = scenario.zones.map((zone) => serverZone(zone, frame, startMs, appliesTo(zone)));
  const regions: EnvironmentRegion[] = scenario.environments.map((region) => {
    const compiled: EnvironmentRegion = {
      environment: region.environment,
      polygon: ring(region.polygon),
      biasBearingDeg: region.biasBearingDeg,
    };
    if (region.biasM !== undefined) compiled.biasM = region.biasM;
    if (region.r95Factor !== undefined) compiled.r95Factor = region.r95Factor;
    if (region.dropoutProbability !== undefined) compiled.dropoutProbability = region.dropoutProbability;
    return compiled;
  });
  const windowEdgesMs = zones.flatMap((zone) =>
    zone.windows.flatMap((window) => [window.fromMs, window.toMs].filter((t): t is number => t !== null)),
  );

  const ordered: Ordered[] = [];
  let order = 0;
  const groundTruth: GroundTruth = {
    scenario: scenario.name,
    seed,
    startTimeMs: startMs,
    endTimeMs: endMs,
    crossings: [],
    positions: [],
    dropped: [],
    wearableAlerts: [],
    wearableEpisodes: [],
    batteryReadings: [],
  };
  const fixTrueTimes = new Map<string, number[]>();
  const rawCrossings: Omit<TrueCrossing, 'fixesDuring'>[] = [];
  const devices: CompiledDevice[] = [];

  for (const device of scenario.devices) {
    const deviceId = idFor(device.id);
    const random = root.fork(`device/${device.id}`);
    const noiseRandom = random.fork('noise');
    const deliveryRandom = random.fork('delivery');
    const model = deviceWearableModel(device);
    const wearable = model
      ? new VirtualWearable({ deviceId, model, zones, frame, random: random.fork('wearable') })
      : undefined;
    const noise: NoiseConfig = {
      r95M: device.noise.r95M,
      dropoutProbability: device.noise.dropoutProbability,
      dropouts: device.dropouts.map((span) => ({
        fromMs: startMs + secondsToMs(span.fromS),
        toMs: startMs + secondsToMs(span.toS),
      })),
    };
    const clock = { offsetMs: device.clock.offsetMs, driftPpm: device.clock.driftPpm, startMs };
    const firstS = device.startS ?? (device.path[0] as [number, number, number])[0];
    const lastS = device.stopS ?? scenario.durationS;
    const intervalMs = secondsToMs(device.fixIntervalS);
    const trueTimes: number[] = [];
    const summary: CompiledDevice = {
      deviceId,
      scenarioDeviceId: device.id,
      fixIntervalMs: intervalMs,
      clockOffsetMs: device.clock.offsetMs,
      wearableModel: model?.name ?? null,
      publishedFixes: 0,
      fixMessages: 0,
      events: 0,
      batteryReports: 0,
    };

    for (let sequence = 0; ; sequence++) {
      const offsetMs = secondsToMs(firstS) + sequence * intervalMs;
      if (offsetMs > secondsToMs(lastS)) break;
      const trueTimeMs = startMs + offsetMs;
      const tS = offsetMs / 1000;
      const truth = truePositionAt(device, tS);
      const noisy = applyNoise(truth, trueTimeMs, noise, regions, noiseRandom);
      if (noisy.dropped) {
        groundTruth.dropped.push({ deviceId, sequence, trueTimeMs, reason: noisy.reason });
        continue;
      }
      const reported = frame.toLonLat(noisy.x, noisy.y);
      const trueLonLat = frame.toLonLat(truth.x, truth.y);
      const fix: OutgoingFix = {
        fixTimeMs: deviceClockMs(clock, trueTimeMs),
        lon: round7(reported.lon),
        lat: round7(reported.lat),
        accuracyM: noisy.accuracyM,
        sequence,
      };
      trueTimes.push(trueTimeMs);
      summary.publishedFixes += 1;
      groundTruth.positions.push({
        deviceId,
        sequence,
        trueTimeMs,
        fixTimeMs: fix.fixTimeMs,
        trueLon: round7(trueLonLat.lon),
        trueLat: round7(trueLonLat.lat),
        lon: fix.lon,
        lat: fix.lat,
        accuracyM: fix.accuracyM,
        errorM: Math.round(noisy.errorM * 1000) / 1000,
        environment: noisy.environment,
      });

      // Delivery: held back in a burst, or sent at once; some are repeated.
      const burst = device.delivery.outOfOrder.find((b) => tS >= b.fromS && tS < b.toS);
      const publishAtMs = burst ? startMs + secondsToMs(burst.releaseS ?? burst.toS) : trueTimeMs;
      ordered.push({
        publication: { atMs: publishAtMs, deviceId, kind: 'fix', fix, copy: 0 },
        priority: burst ? 0 : 1,
        order: burst ? -sequence : order++,
      });
      summary.fixMessages += 1;
      const storm = device.delivery.duplicates.find((d) => tS >= d.fromS && tS < d.toS);
      for (let copy = 1; storm && copy < storm.copies; copy++) {
        const delayMs = secondsToMs(deliveryRandom.uniform(0, storm.spreadS));
        ordered.push({
          publication: { atMs: publishAtMs + delayMs, deviceId, kind: 'fix', fix, copy },
          priority: 1,
          order: order++,
        });
        summary.fixMessages += 1;
      }

      // The wearable decides on what it computed, in the order it computed it, whatever the network did.
      const observed = { ...fix, atMs: trueTimeMs };
      for (const alert of wearable?.observe(observed) ?? []) {
        ordered.push({
          publication: { atMs: alert.publishAtMs, deviceId, kind: 'event', event: alert.event },
          priority: 2,
          order: order++,
        });
        summary.events += 1;
        groundTruth.wearableAlerts.push({
          deviceId,
          model: model?.name ?? '',
          kind: alert.event.kind,
          eventTimeMs: alert.event.eventTimeMs,
          publishAtMs: alert.publishAtMs,
          zoneRef: alert.event.zoneRef ?? null,
          cause: alert.cause,
        });
      }
      const battery = wearable?.reportBattery(observed);
      if (battery) {
        ordered.push({
          publication: { atMs: battery.publishAtMs, deviceId, kind: 'event', event: battery.event },
          priority: 2,
          order: order++,
        });
        summary.batteryReports += 1;
        groundTruth.batteryReadings.push({
          deviceId,
          eventTimeMs: battery.event.eventTimeMs,
          publishAtMs: battery.publishAtMs,
          batteryPct: battery.event.batteryPct,
          trueChargePct: battery.trueChargePct,
        });
      }
    }
    if (wearable && model) {
      groundTruth.wearableEpisodes.push({
        deviceId,
        model: model.name,
        episodes: wearable.breachEpisodes,
        missed: wearable.missedEpisodes,
      });
    }
    fixTrueTimes.set(deviceId, trueTimes);
    devices.push(summary);

    const waypointsMs = device.path.map(([t]) => startMs + secondsToMs(t));
    rawCrossings.push(
      ...computeCrossings({
        deviceId,
        zones,
        positionAt: (atMs) => truePositionAt(device, (atMs - startMs) / 1000),
        fromMs: startMs + secondsToMs((device.path[0] as [number, number, number])[0]),
        toMs: endMs,
        stepMs: options.groundTruthStepMs,
        breakpointsMs: [...waypointsMs, ...windowEdgesMs],
      }),
    );
  }
  groundTruth.crossings = withFixesDuring(rawCrossings, fixTrueTimes);
  ordered.sort(
    (a, b) => a.publication.atMs - b.publication.atMs || a.priority - b.priority || a.order - b.order,
  );
  return {
    scenario,
    seed,
    startMs,
    endMs,
    frame,
    zones,
    serverZones,
    devices,
    publications: ordered.map((item) => item.publication),
    groundTruth,
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The ground-truth file (`--out`): times in ISO 8601, distances in metres. */
export function groundTruthDocument(truth: GroundTruth) {
  return {
    format: 'lookout-ground-truth/1',
    scenario: truth.scenario,
    seed: truth.seed,
    startTime: iso(truth.startTimeMs),
    endTime: iso(truth.endTimeMs),
    crossings: truth.crossings.map((c) => ({
      deviceId: c.deviceId,
      zoneId: c.zoneId,
      timeOut: iso(c.timeOutMs),
      timeBackIn: iso(c.timeBackInMs),
      durationMs: c.durationMs,
      maxBeyondM: Math.round(c.maxBeyondM * 1000) / 1000,
      fixesDuring: c.fixesDuring,
    })),
    positions: truth.positions.map((p) => ({
      deviceId: p.deviceId,
      sequence: p.sequence,
      trueTime: iso(p.trueTimeMs),
      fixTime: iso(p.fixTimeMs),
      trueLon: p.trueLon,
      trueLat: p.trueLat,
      lon: p.lon,
      lat: p.lat,
      accuracyM: p.accuracyM,
      errorM: p.errorM,
      environment: p.environment,
    })),
    dropped: truth.dropped.map((d) => ({
      deviceId: d.deviceId,
      sequence: d.sequence,
      trueTime: iso(d.trueTimeMs),
      reason: d.reason,
    })),
    wearableAlerts: truth.wearableAlerts.map((a) => ({
      deviceId: a.deviceId,
      model: a.model,
      kind: a.kind,
      eventTime: iso(a.eventTimeMs),
      publishTime: iso(a.publishAtMs),
      zoneRef: a.zoneRef,
      cause: a.cause,
    })),
    wearableEpisodes: truth.wearableEpisodes,
    batteryReadings: truth.batteryReadings.map((b) => ({
      deviceId: b.deviceId,
      eventTime: iso(b.eventTimeMs),
      publishTime: iso(b.publishAtMs),
      batteryPct: b.batteryPct,
      trueChargePct: Math.round(b.trueChargePct * 1000) / 1000,
    })),
  };
}
