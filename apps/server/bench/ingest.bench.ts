/**
 * `npm run bench:ingest`: the whole ingest path under load. A fleet of simulated devices (the simulators'
 * `fleet` command, in its own process) publishes to a Mosquitto started for the run (or MQTT_URL); the
 * server decodes, detects and writes to PostgreSQL (DATABASE_URL, or the embedded one). Danger zones lie
 * across the workers' corridors (16 m wide, every 500 m), so the detector raises breaches and exits as the
 * workers walk through them. Reports sustained fixes/s, fixes lost (counted in the database against fixes
 * sent), and detection latency: from the server's receipt of the fix to the detection leaving the live
 * gateway, and from the device's publish (its fix time) to a WebSocket client receiving the detection;
 * also publish to the batched `positions` frame (which waits up to 100 ms for its frame, by design).
 *
 * Options: --rates 10000,20000  --duration 20  --devices 5000  --json
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FleetPlan, runFleetProcess } from '../../../simulators/src/index.js';
import { AuthService } from '../src/auth/auth.service.js';
import { DevicesService } from '../src/devices/devices.service.js';
import { DeviceRooms } from '../src/live/device-rooms.js';
import { loadConfig } from '../src/config/config.schema.js';
import { freePort } from '../src/database/embedded-postgres.js';
import { IngestMetrics } from '../src/ingest/ingest.metrics.js';
import { ZonesService } from '../src/geofences/zones.service.js';
import { startLookout, type LookoutRuntime } from '../src/lookout.js';
import type { MetricValue } from 'prom-client';
import type { WsClientReport } from './ws-client.js';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '10000,20000' },
    duration: { type: 'string', default: '20' },
    devices: { type: 'string', default: '5000' },
    json: { type: 'boolean', default: false },
  },
});
const rates = values.rates.split(',').map(Number);
const durationS = Number(values.duration);
const devices = Number(values.devices);
const log = (line: string) => process.stderr.write(`${line}\n`);
const FLEET_SEED = 'bench-ingest';
/** Latencies are measured on fixes dated after this much of each run (JIT, caches, the first sightings). */
const WARM_UP_S = 5;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

type Buckets = Map<number, number>;

/** The cumulative bucket counts of a Prometheus histogram, by upper bound (seconds). */
function buckets(values: readonly MetricValue<string>[]): Buckets {
  return new Map(
    values
      .filter((v) => v.labels.le !== undefined)
      .map((v) => [v.labels.le === '+Inf' ? Infinity : Number(v.labels.le), v.value]),
  );
}

/**
 * A percentile of what a histogram counted between two readings: the upper bound (ms) of the first bucket
 * holding it. Coarse by design (the bucket edges: 1, 2.5, 5, 10, 25, 50 ms…).
 */
function bucketPercentile(before: Buckets, after: Buckets, p: number): number {
  const counts = [...after].map(([le, n]) => ({ le, n: n - (before.get(le) ?? 0) }));
  const total = counts.find((b) => b.le === Infinity)?.n ?? 0;
  const bucket = counts.find((b) => total > 0 && b.n >= (p / 100) * total);
  return bucket ? bucket.le * 1000 : NaN;
}

/** Danger zones across the fleet's corridors: a 50 m stretch, 16 m wide, every 500 m of each corridor. */
async function layDangerZones(runtime: LookoutRuntime, plan: FleetPlan): Promise<number> {
  const zones = runtime.app.get(ZonesService);
  let count = 0;
  for (const [c, line] of plan.centrelines().entries()) {
    for (let v = 5; v + 1 < line.length; v += 10) {
      await zones.create({
        name: `bench danger ${c}.${v}`,
        kind: 'danger',
        geometry: { type: 'LineString', coordinates: [line[v]!, line[v + 1]!] },
        halfWidthM: 8,
        provenance: { source: 'drawing', author: 'bench:ingest' },
      });
      count++;
    }
  }
  return count;
}

/** A private Mosquitto whose queues are deep enough not to drop a burst: what the README asks for in production. */
async function startMosquitto(): Promise<{ url: string; process: ChildProcess }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lookout-bench-mqtt-'));
  const port = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  await writeFile(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_queued_messages 1000000',
      'max_inflight_messages 0',
      'set_tcp_nodelay true',
      'log_type error',
    ].join('\n') + '\n',
  );
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { url: `mqtt://127.0.0.1:${port}`, process: child };
}

/** The fleet at `rateTotal` fixes/s over `devices` devices, in its own process. */
function runFleet(brokerUrl: string, rateTotal: number, prefix: string) {
  // One seed for every rate: the same corridors, so the danger zones laid once lie across all of them.
  return runFleetProcess([
    ...['--devices', String(devices), '--rate', String(rateTotal / devices), '--duration', String(durationS)],
    ...['--broker', brokerUrl, '--id-prefix', prefix, '--connections', '8', '--seed', FLEET_SEED],
  ]);
}

async function main() {
  const external = process.env.MQTT_URL;
  const mosquitto = external ? undefined : await startMosquitto();
  const brokerUrl = external ?? mosquitto!.url;
  const runtime = await startLookout(
    loadConfig({
      DATABASE_URL: process.env.DATABASE_URL,
      MQTT_URL: brokerUrl,
      HTTP_PORT: '0',
      DATA_DIR: process.env.DATA_DIR ?? path.join(os.tmpdir(), 'lookout-bench-data'),
      MQTT_CLIENT_ID: `lookout-bench-${process.pid}`,
      MQTT_SESSION_EXPIRY_S: '60',
      LOG_LEVEL: 'error',
    }),
  );
  const results = [];
  try {
    const db = runtime.app.get((await import('typeorm')).DataSource);
    const [manager] = await db.query(
      `SELECT email FROM app_user WHERE role = 'manager' ORDER BY created_at LIMIT 1`,
    );
    const token = await runtime.app.get(AuthService).tokenFor(manager.email);
    const client = fork(
      path.join(path.dirname(new URL(import.meta.url).pathname), 'ws-client.js'),
      [runtime.httpUrl],
      {
        env: { ...process.env, LOOKOUT_TOKEN: token },
      },
    );
    await new Promise((resolve, reject) => {
      client.once('message', resolve);
      client.once('exit', (code) => reject(new Error(`the WebSocket client exited ${code}`)));
    });
    const askReport = () =>
      new Promise<WsClientReport>((resolve) => {
        client.once('message', (report) => resolve(report as WsClientReport));
        client.send('report');
      });
    const metrics = runtime.app.get(IngestMetrics);
    const emitHistogram = metrics.registry.getSingleMetric('lookout_detection_emit_latency_seconds')!;
    const zoneCount = await layDangerZones(runtime, new FleetPlan({ devices, seed: FLEET_SEED }));
    log(`${zoneCount} danger zones across the fleet's corridors`);

    for (const rate of rates) {
      const prefix = `bench-${rate}-${Date.now().toString(36)}-`;
      // The fleet names its devices <prefix><index>, the index zero-padded to the width of the largest.
      await db.query(
        `INSERT INTO device (id) SELECT $1 || lpad(g::text, $3, '0') FROM generate_series(0, $2 - 1) g`,
        [prefix, devices, String(devices - 1).length],
      );
      // Registered behind the server's back: load them into its device directory, as at a start.
      await runtime.app.get(DevicesService).loadDirectory();
      await runtime.app.get(DeviceRooms).loadAll();
      const before = metrics.snapshot().fixesStored;
      const emitBefore = buckets((await emitHistogram.get()).values);
      const startedAt = Date.now();
      client.send({ measureFromMs: startedAt + WARM_UP_S * 1000 });
      const cpuBefore = process.cpuUsage();
      const fleet = await runFleet(brokerUrl, rate, prefix);
      // Drain: wait until every sent fix is stored, or nothing has moved for 10 s.
      let stored = 0;
      let last = -1;
      let still = Date.now();
      for (;;) {
        [{ stored }] = await db.query(
          `SELECT count(*)::int AS stored FROM fix WHERE device_id LIKE $1 || '%'`,
          [prefix],
        );
        if (stored >= fleet.sent) break;
        if (stored !== last) [last, still] = [stored, Date.now()];
        if (Date.now() - still > 10_000) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const elapsedS = (Date.now() - startedAt) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const emitAfter = buckets((await emitHistogram.get()).values);
      const { detectionLatencies, positionLatencies, firstSightings } = await askReport();
      const sorted = detectionLatencies.sort((a, b) => a - b);
      const positions = positionLatencies.sort((a, b) => a - b);
      const result = {
        targetRate: rate,
        devices,
        durationS,
        sent: fleet.sent,
        publishRate: Math.round(fleet.achievedRate),
        stored,
        lost: fleet.sent - stored,
        sustainedStoredPerS: Math.round((metrics.snapshot().fixesStored - before) / elapsedS),
        /** CPU time of the server's process (user + system) per fix stored: what one fix costs it. */
        serverCpuUsPerFix: Math.round(((cpu.user + cpu.system) / Math.max(1, stored)) * 10) / 10,
        deadLetters: Number(
          (
            await db.query(`SELECT count(*) AS n FROM dead_letter WHERE device_id LIKE $1 || '%'`, [prefix])
          )[0].n,
        ),
        sampleReasons: (
          await db.query(`SELECT DISTINCT reason FROM dead_letter WHERE device_id LIKE $1 || '%' LIMIT 3`, [
            prefix,
          ])
        ).map((row: { reason: string }) => row.reason),
        detections: sorted.length,
        firstSightings,
        receiptToGatewayMs: {
          p50: bucketPercentile(emitBefore, emitAfter, 50),
          p95: bucketPercentile(emitBefore, emitAfter, 95),
          p99: bucketPercentile(emitBefore, emitAfter, 99),
        },
        publishToWsDetectionMs: {
          p50: percentile(sorted, 50),
          p95: percentile(sorted, 95),
          p99: percentile(sorted, 99),
        },
        publishToPositionsFrameMs: { p50: percentile(positions, 50), p99: percentile(positions, 99) },
      };
      results.push(result);
      log(
        `rate ${rate}/s: sent ${result.sent} (${result.publishRate}/s), stored ${stored}, lost ${result.lost}, ` +
          `dead letters ${result.deadLetters} ${JSON.stringify(result.sampleReasons)}, ` +
          `stored ${result.sustainedStoredPerS}/s over the run+drain (server CPU ${result.serverCpuUsPerFix} µs/fix); ` +
          `after ${WARM_UP_S} s warm-up, ${result.detections} detections (and ${firstSightings} first sightings): ` +
          `receipt→gateway p50/p95/p99 ≤ ${result.receiptToGatewayMs.p50}/${result.receiptToGatewayMs.p95}/${result.receiptToGatewayMs.p99} ms, ` +
          `publish→WebSocket p50/p95/p99 ${result.publishToWsDetectionMs.p50}/${result.publishToWsDetectionMs.p95}/${result.publishToWsDetectionMs.p99} ms; ` +
          `publish→positions frame p50/p99 ${result.publishToPositionsFrameMs.p50}/${result.publishToPositionsFrameMs.p99} ms`,
      );
    }
    client.send('stop');
  } finally {
    await runtime.close();
    mosquitto?.process.kill('SIGTERM');
  }
  if (values.json) console.log(JSON.stringify(results, null, 2));
}

await main();
