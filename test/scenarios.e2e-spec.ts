import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LiveBreach, LiveDetection } from '../libs/telemetry/src/index.js';
import { ZonesService } from '../apps/server/src/geofences/zones.service.js';
import type { LookoutRuntime } from '../apps/server/src/lookout.js';
import { connectMqttPublisher, type FixPublisher } from '../simulators/src/broker/mqtt.publisher.js';
import { compileScenario, type CompiledScenario } from '../simulators/src/scenario/scenario.compiler.js';
import { parseScenario } from '../simulators/src/scenario/scenario.loader.js';
import { publishScenario } from '../simulators/src/scenario/scenario.runner.js';
import type { DetectorCapability, Scenario } from '../simulators/src/scenario/scenario.schema.js';
import type { TrueCrossing } from '../simulators/src/scenario/ground-truth.js';
import {
  connectLive,
  eventually,
  registerDevice,
  runId,
  sql,
  startTestLookout,
  type LiveClient,
  external,
} from './support/harness.js';

/**
 * What the server's detector (libs/geofence) can do. The suite asserts each capability's outcome when its
 * flag is on; a flag that is off means every scenario needing it must record the capability as pending in
 * its `expected` (with what happens until then).
 *
 * - segmentCrossings: a crossing between two fixes (the segment is tested);
 * - lost: silence beyond the policy's limit is reported (a `detection` with status `lost`);
 * - windows: a zone's validity windows are honoured at fix time;
 * - windowReevaluation, hysteresis: windows re-evaluated on tick, enter/exit margins and dwell.
 */
const SERVER_DETECTS: Readonly<Record<DetectorCapability, boolean>> = {
  segmentCrossings: true,
  lost: true,
  windows: true,
  windowReevaluation: true,
  hysteresis: true,
};
/** The default policy's silence limit (libs/geofence DEFAULT_POLICY.lostAfterMs) and segment-test gap. */
const LOST_AFTER_MS = 30_000;
const MAX_CROSSING_GAP_MS = 30_000;
/** How long the server may take to ingest the whole library (about 2,000 messages, handled one at a time). */
const INGEST_TIMEOUT_MS = external ? 120_000 : 60_000;

const LIBRARY = fileURLToPath(new URL('../simulators/scenarios/', import.meta.url));
/** Read at collection time (synchronously) so every scenario is a named test. */
const SCENARIOS: Scenario[] = readdirSync(LIBRARY)
  .filter((file) => /\.(ya?ml|json)$/.test(file))
  .sort()
  .map((file) => parseScenario(readFileSync(`${LIBRARY}${file}`, 'utf8'), file));
const RUN = runId();

interface ScenarioRun {
  compiled: CompiledScenario;
  /** Server zone id → scenario zone id. */
  zoneIds: Map<string, string>;
}

/** The window, on the device's clock, in which a server breach counts as detecting the crossing. */
function detectionWindow(run: ScenarioRun, crossing: TrueCrossing): { fromMs: number; toMs: number } {
  const device = run.compiled.devices.find((d) => d.deviceId === crossing.deviceId)!;
  const driftMs =
    Math.abs(run.compiled.scenario.devices.find((d) => d.id === device.scenarioDeviceId)!.clock.driftPpm) *
    (run.compiled.scenario.durationS / 1e3);
  const toleranceMs = device.fixIntervalMs + 1000 + driftMs;
  return {
    fromMs: crossing.timeOutMs + device.clockOffsetMs - toleranceMs,
    toMs: (crossing.timeBackInMs ?? run.compiled.endMs) + device.clockOffsetMs + toleranceMs,
  };
}

function marginMs(run: ScenarioRun, crossing: TrueCrossing): number {
  const device = run.compiled.devices.find((d) => d.deviceId === crossing.deviceId)!;
  return (run.compiled.scenario.expected.detectionMarginS ?? (2 * device.fixIntervalMs) / 1000) * 1000;
}

/** A crossing no fix shows, between fixes close enough for the segment test. */
function isBetweenFixes(run: ScenarioRun, crossing: TrueCrossing): boolean {
  if (crossing.fixesDuring > 0 || crossing.timeBackInMs === null) return false;
  const times = run.compiled.groundTruth.positions
    .filter((p) => p.deviceId === crossing.deviceId)
    .map((p) => p.trueTimeMs);
  const before = Math.max(...times.filter((t) => t < crossing.timeOutMs));
  const after = Math.min(...times.filter((t) => t >= crossing.timeBackInMs!));
  return Number.isFinite(before) && Number.isFinite(after) && after - before <= MAX_CROSSING_GAP_MS;
}

/** The capabilities a scenario's outcome depends on, read from its content (not from its own `pending`). */
function capabilitiesNeeded(run: ScenarioRun): Set<DetectorCapability> {
  const needed = new Set<DetectorCapability>();
  const { scenario, groundTruth } = run.compiled;
  if (groundTruth.crossings.some((crossing) => isBetweenFixes(run, crossing))) needed.add('segmentCrossings');
  if (scenario.expected.lost.length > 0) needed.add('lost');
  if (scenario.zones.some((zone) => zone.windows.length > 0)) needed.add('windows');
  return needed;
}

describe(`scenario library end to end (${external ? 'DATABASE_URL + MQTT_URL' : 'embedded PostgreSQL + aedes'})`, () => {
  let runtime: LookoutRuntime;
  let live: LiveClient;
  const breaches: LiveBreach[] = [];
  const detections: LiveDetection[] = [];
  const runs = new Map<string, ScenarioRun>();
  const publishers: FixPublisher[] = [];

  beforeAll(async () => {
    runtime = await startTestLookout({ external });
    live = await connectLive(runtime);
    live.on('breach', (breach) => breaches.push(breach));
    live.on('detection', (detection) => detections.push(detection));
    const zones = runtime.app.get(ZonesService);
    const nowMs = Date.now();
    for (const scenario of SCENARIOS) {
      // Start in the past: at max speed no fix may be dated ahead of its arrival.
      const compiled = compileScenario(scenario, {
        startMs: nowMs - scenario.durationS * 1000 - 10_000,
        deviceIdFor: (id) => `${scenario.name.slice(0, 24)}-${id}-${RUN}`,
      });
      const zoneIds = new Map<string, string>();
      for (const zone of compiled.serverZones) {
        const created = await zones.create({
          name: `${scenario.name}/${zone.name} ${RUN}`,
          kind: zone.kind,
          geometry: zone.geometry,
          halfWidthM: zone.halfWidthM,
          appliesTo: zone.appliesTo,
          windows: zone.windows,
          provenance: {
            source: 'drawing',
            author: 'scenario suite',
            method: `simulators/scenarios/${scenario.name}`,
          },
        });
        zoneIds.set(created.id, zone.zoneId);
      }
      runs.set(scenario.name, { compiled, zoneIds });
    }
    // One MQTT connection per device, with its own credential (the embedded broker requires it).
    const publisherOf = new Map<string, FixPublisher>();
    for (const { compiled } of runs.values()) {
      for (const device of compiled.devices) {
        const credential = await registerDevice(runtime, device.deviceId);
        const publisher = await connectMqttPublisher({ brokerUrl: runtime.config.mqttUrl, ...credential });
        publishers.push(publisher);
        publisherOf.set(device.deviceId, publisher);
      }
    }
    // One scenario at a time, each ingested before the next: a broker queues only so much for a slow
    // subscriber (Mosquitto's max_queued_messages is 1000 and it drops the rest), and the server handles
    // its messages one by one.
    for (const { compiled } of runs.values()) {
      const summary = await publishScenario(compiled, {
        publisherFor: (id) => publisherOf.get(id)!,
        speed: 'max',
        maxInFlight: 20,
      });
      expect(summary.failedPublishes).toBe(0);
      const expectedFixes = compiled.devices.map((d) => [d.deviceId, d.publishedFixes] as const);
      await eventually(
        async () => {
          const rows = await sql<{ device_id: string; count: string }>(
            runtime,
            'SELECT device_id, count(*) AS count FROM fix WHERE device_id = ANY($1) GROUP BY device_id',
            [expectedFixes.map(([id]) => id)],
          );
          const stored = new Map(rows.map((row) => [row.device_id, Number(row.count)]));
          expect(expectedFixes.map(([id]) => [id, stored.get(id) ?? 0])).toEqual(expectedFixes);
        },
        INGEST_TIMEOUT_MS / SCENARIOS.length,
        100,
      );
    }
    console.log(`scenario suite: ingested in ${((Date.now() - nowMs) / 1000).toFixed(1)} s`);
  }, INGEST_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    live?.disconnect();
    await Promise.all(publishers.map((publisher) => publisher.close()));
    await runtime?.close();
  });

  const breachesOf = (run: ScenarioRun) => {
    const ids = new Set(run.compiled.devices.map((d) => d.deviceId));
    return breaches.filter((breach) => ids.has(breach.deviceId));
  };

  describe.each(SCENARIOS.map((scenario) => [scenario.name]))('%s', (name) => {
    it('detects every crossing longer than the margin, within the crossing', () => {
      const run = runs.get(name)!;
      const found = breachesOf(run);
      const required = run.compiled.groundTruth.crossings.filter(
        (crossing) =>
          (crossing.durationMs > marginMs(run, crossing) && crossing.fixesDuring > 0) ||
          (SERVER_DETECTS.segmentCrossings && isBetweenFixes(run, crossing)),
      );
      const missed = required.filter((crossing) => {
        const window = detectionWindow(run, crossing);
        return !found.some(
          (breach) =>
            breach.deviceId === crossing.deviceId &&
            breach.fix.fixTimeMs >= window.fromMs &&
            breach.fix.fixTimeMs <= window.toMs,
        );
      });
      expect(missed).toEqual([]);
    });

    it('raises no breach outside the true crossings (none at all where none is expected)', () => {
      const run = runs.get(name)!;
      const found = breachesOf(run);
      if (run.compiled.scenario.expected.serverBreaches === 'none') {
        expect(found.map((b) => ({ device: b.deviceId, at: b.fix.fixTimeMs, severity: b.severity }))).toEqual(
          [],
        );
        return;
      }
      const windows = run.compiled.groundTruth.crossings.map((crossing) => ({
        crossing,
        ...detectionWindow(run, crossing),
      }));
      const phantom = found.filter(
        (breach) =>
          !windows.some(
            (w) =>
              w.crossing.deviceId === breach.deviceId &&
              breach.fix.fixTimeMs >= w.fromMs &&
              breach.fix.fixTimeMs <= w.toMs,
          ),
      );
      expect(
        phantom.map((b) => ({ device: b.deviceId, at: new Date(b.fix.fixTimeMs).toISOString() })),
      ).toEqual([]);
      if (run.compiled.scenario.expected.onePerCrossing) {
        for (const w of windows) {
          const inWindow = found.filter(
            (b) =>
              b.deviceId === w.crossing.deviceId && b.fix.fixTimeMs >= w.fromMs && b.fix.fixTimeMs <= w.toMs,
          );
          expect({ crossing: w.crossing.timeOutMs, breaches: inWindow.length }).toEqual({
            crossing: w.crossing.timeOutMs,
            breaches: Math.min(1, inWindow.length),
          });
        }
      }
      for (const breach of found) expect(run.zoneIds.has(breach.zoneId)).toBe(true);
    });

    it('records as pending every capability it needs that the server lacks', () => {
      const run = runs.get(name)!;
      const pending = new Set(run.compiled.scenario.expected.pending.map((p) => p.capability));
      for (const capability of capabilitiesNeeded(run)) {
        expect({ capability, recordedPending: pending.has(capability) }).toEqual({
          capability,
          recordedPending: !SERVER_DETECTS[capability],
        });
      }
    });

    it('stores the virtual wearables\u2019 own alerts', async () => {
      const run = runs.get(name)!;
      for (const device of run.compiled.devices.filter((d) => d.events > 0)) {
        const published = run.compiled.groundTruth.wearableAlerts
          .filter((alert) => alert.deviceId === device.deviceId)
          .map((alert) => ({ kind: alert.kind, time: new Date(alert.eventTimeMs) }));
        const stored = await eventually(async () => {
          const rows = await sql<{ kind: string; time: Date }>(
            runtime,
            // The wearables' alerts (battery readings, where a scenario gives a battery, are not alerts).
            `SELECT kind, time FROM device_event WHERE device_id = $1 AND kind <> 'battery' ORDER BY time, kind DESC`,
            [device.deviceId],
          );
          expect(rows).toHaveLength(published.length);
          return rows;
        }, 5000);
        expect(stored).toEqual([...published].sort((a, b) => a.time.getTime() - b.time.getTime()));
      }
    });
  });

  it('exercised the server: breaches were raised and wearable alerts published', () => {
    const crossings = [...runs.values()].reduce(
      (sum, run) => sum + run.compiled.groundTruth.crossings.length,
      0,
    );
    expect(breaches.length).toBeGreaterThanOrEqual(crossings / 2);
    expect([...runs.values()].some((run) => run.compiled.devices.some((d) => d.events > 0))).toBe(true);
  });

  it(
    'reports the silent devices lost (or records lost as pending)',
    async () => {
      const silentRuns = [...runs.values()].filter((run) => run.compiled.scenario.expected.lost.length > 0);
      expect(silentRuns.length).toBeGreaterThan(0);
      if (!SERVER_DETECTS.lost) {
        for (const run of silentRuns) {
          expect(run.compiled.scenario.expected.pending.map((p) => p.capability)).toContain('lost');
        }
        return;
      }
      const silent = silentRuns.flatMap((run) =>
        run.compiled.scenario.expected.lost.map(
          (lost) => run.compiled.devices.find((d) => d.scenarioDeviceId === lost.device)!.deviceId,
        ),
      );
      // Silence is measured on the server's clock: the devices went quiet when publishing ended.
      await eventually(
        () =>
          expect(
            silent.filter(
              (id) =>
                !detections.some((d) => d.deviceId === id && d.type === 'status' && d.status === 'lost'),
            ),
          ).toEqual([]),
        LOST_AFTER_MS + 10_000,
        500,
      );
    },
    LOST_AFTER_MS + 20_000,
  );
});
