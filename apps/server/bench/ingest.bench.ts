/**
 * `npm run bench:ingest`: the whole ingest path under load. A fleet of simulated devices (the simulators'
 * `fleet` command, in its own process) publishes to a Mosquitto started for the run (or MQTT_URL); the
 * server decodes, detects and writes to PostgreSQL (DATABASE_URL, or the embedded one). Reports sustained
 * fixes/s, fixes lost (counted in the database against fixes sent), detection latency from broker receipt
 * to the gateway, and from device publish to a WebSocket client receiving the fix.
 *
 * Options: --rates 10000,25000  --duration 20  --devices 5000  --json
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';
import type {
  ClientToServerEvents,
  LiveFix,
  ServerToClientEvents,
} from '../../../libs/telemetry/src/index.js';
import { AuthService } from '../src/auth/auth.service.js';
import { loadConfig } from '../src/config/config.schema.js';
import { freePort } from '../src/database/embedded-postgres.js';
import { IngestMetrics } from '../src/ingest/ingest.metrics.js';
import { startLookout } from '../src/lookout.js';
import type { Socket } from 'socket.io-client';
import type { MetricValue } from 'prom-client';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '10000,25000' },
    duration: { type: 'string', default: '20' },
    devices: { type: 'string', default: '5000' },
    json: { type: 'boolean', default: false },
  },
});
const rates = values.rates.split(',').map(Number);
const durationS = Number(values.duration);
const devices = Number(values.devices);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../..');
const cli = path.join(root, 'dist/simulators/src/cli.js');
const log = (line: string) => process.stderr.write(`${line}\n`);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * A percentile from a cumulative Prometheus histogram: the upper bound (ms) of the first bucket holding it.
 * Coarse by design (bucket edges), and cumulative since the server started.
 */
function bucketPercentile(values: readonly MetricValue<string>[], p: number): number {
  const buckets = values
    .filter((v) => v.labels.le !== undefined)
    .map((v) => ({ le: Number(v.labels.le), n: v.value }));
  const total = buckets.find((b) => b.le === Infinity)?.n ?? 0;
  const bucket = buckets.find((b) => b.n >= (p / 100) * total);
  return bucket ? bucket.le * 1000 : NaN;
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

async function runFleet(brokerUrl: string, rateTotal: number, prefix: string) {
  const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'lookout-bench-fleet-')), 'fleet.json');
  const args = [cli, 'fleet', '--devices', String(devices), '--rate', String(rateTotal / devices)];
  args.push(
    '--duration',
    String(durationS),
    '--broker',
    brokerUrl,
    '--id-prefix',
    prefix,
    '--connections',
    '8',
  );
  args.push('--out', out, '--seed', prefix);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) =>
      code === 0 || code === 1 ? resolve() : reject(new Error(`fleet exited ${code}`)),
    );
  });
  return JSON.parse(await readFile(out, 'utf8')) as { sent: number; achievedRate: number };
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
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(runtime.httpUrl, {
      transports: ['websocket'],
      auth: { token },
    });
    await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
    let wsLatencies: number[] = [];
    const onFix = (fix: LiveFix) => wsLatencies.push(Date.now() - fix.fixTimeMs);
    socket.on('fix', onFix);
    const metrics = runtime.app.get(IngestMetrics);

    for (const rate of rates) {
      const prefix = `bench-${rate}-${Date.now().toString(36)}-`;
      // The fleet names its devices <prefix><index>, the index zero-padded to the width of the largest.
      await db.query(
        `INSERT INTO device (id) SELECT $1 || lpad(g::text, $3, '0') FROM generate_series(0, $2 - 1) g`,
        [prefix, devices, String(devices - 1).length],
      );
      wsLatencies = [];
      const before = metrics.snapshot().fixesStored;
      const startedAt = Date.now();
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
      const detection = await metrics.registry.getSingleMetric('lookout_detection_latency_seconds')!.get();
      const sorted = wsLatencies.sort((a, b) => a - b);
      const result = {
        targetRate: rate,
        devices,
        durationS,
        sent: fleet.sent,
        publishRate: Math.round(fleet.achievedRate),
        stored,
        lost: fleet.sent - stored,
        sustainedStoredPerS: Math.round((metrics.snapshot().fixesStored - before) / elapsedS),
        wsFixes: sorted.length,
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
        publishToWsMs: {
          p50: percentile(sorted, 50),
          p95: percentile(sorted, 95),
          p99: percentile(sorted, 99),
        },
        receiptToDetectionMs: {
          p50: bucketPercentile(detection.values, 50),
          p95: bucketPercentile(detection.values, 95),
          p99: bucketPercentile(detection.values, 99),
        },
      };
      results.push(result);
      log(
        `rate ${rate}/s: sent ${result.sent} (${result.publishRate}/s), stored ${stored}, lost ${result.lost}, ` +
          `dead letters ${result.deadLetters} ${JSON.stringify(result.sampleReasons)}, ` +
          `stored ${result.sustainedStoredPerS}/s over the run+drain, publish→WebSocket p50/p95/p99 ` +
          `${result.publishToWsMs.p50}/${result.publishToWsMs.p95}/${result.publishToWsMs.p99} ms, broker receipt→detection ` +
          `p50/p95/p99 ≤ ${result.receiptToDetectionMs.p50}/${result.receiptToDetectionMs.p95}/${result.receiptToDetectionMs.p99} ms`,
      );
    }
    socket.disconnect();
  } finally {
    await runtime.close();
    mosquitto?.process.kill('SIGTERM');
  }
  if (values.json) console.log(JSON.stringify(results, null, 2));
}

await main();
