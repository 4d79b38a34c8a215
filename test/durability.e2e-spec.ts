import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { deviceTopic } from '../libs/telemetry/src/index.js';
import { loadConfig } from '../apps/server/src/config/config.schema.js';
import { IngestMetrics } from '../apps/server/src/ingest/ingest.metrics.js';
import { startLookout, type LookoutRuntime } from '../apps/server/src/lookout.js';
import { fixPayload, INSIDE } from './support/fixtures.js';
import {
  connectDevice,
  eventually,
  registerDevice,
  runId,
  sql,
  startTestLookout,
  tempDataDir,
  external,
} from './support/harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Publishes `count` QoS 1 fixes, one every `intervalMs`, without waiting for PUBACKs (a device's queue). */
function publishSteadily(
  client: MqttClient,
  deviceId: string,
  count: number,
  intervalMs: number,
  start: number,
) {
  return (async () => {
    const acks: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      acks.push(
        client.publishAsync(deviceTopic(deviceId, 'fix'), fixPayload(new Date(start + i * 100), INSIDE), {
          qos: 1,
        }),
      );
      await sleep(intervalMs);
    }
    return Promise.allSettled(acks);
  })();
}

async function countFixes(runtime: LookoutRuntime, deviceId: string) {
  const [row] = await sql<{ total: number; distinct: number }>(
    runtime,
    'SELECT count(*)::int AS total, count(DISTINCT time)::int AS distinct FROM fix WHERE device_id = $1',
    [deviceId],
  );
  return row!;
}

describe('no fix is lost or stored twice', () => {
  it('rides out a 30 s database outage during a steady publish', async () => {
    const runtime = await startTestLookout({ external });
    const deviceId = `outage-${runId()}`;
    const admin = new URL(runtime.config.databaseUrl);
    const database = admin.pathname.slice(1);
    admin.pathname = '/postgres';
    const control = new pg.Client({ connectionString: admin.toString() });
    try {
      const device = await connectDevice(runtime, await registerDevice(runtime, deviceId));
      await control.connect();
      const total = 700;
      const publishing = publishSteadily(device, deviceId, total, 50, Date.now() - 120_000);
      await sleep(3000);
      // The outage: nobody may connect, and every open session is killed.
      await control.query(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS false`);
      await control.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      );
      await sleep(30_000);
      await control.query(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS true`);
      await publishing;
      const counts = await eventually(async () => {
        const found = await countFixes(runtime, deviceId);
        expect(found.total).toBe(total);
        return found;
      }, 30_000);
      expect(counts).toEqual({ total, distinct: total });
      const health = (await (await fetch(`${runtime.httpUrl}/health`)).json()) as {
        ingest: { storeRetries: number };
      };
      expect(health.ingest.storeRetries).toBeGreaterThan(0);
      await device.endAsync();
    } finally {
      await control.query(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
      await control.end().catch(() => undefined);
      await runtime.close();
    }
  }, 120_000);

  it('keeps reading while the database is stalled: hundreds of messages held unacknowledged, then stored once', async () => {
    // Mosquitto sends a client at most 20 unacknowledged messages unless its CONNECT raises Receive
    // Maximum; with PUBACKs held until the batch commits, that would stall ingest at 20 here.
    const runtime = await startTestLookout({ external });
    const deviceId = `stall-${runId()}`;
    const metrics = runtime.app.get(IngestMetrics);
    const locker = new pg.Client({ connectionString: runtime.config.databaseUrl });
    try {
      const device = await connectDevice(runtime, await registerDevice(runtime, deviceId));
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE fix IN ACCESS EXCLUSIVE MODE');
      const before = metrics.snapshot();
      const total = 200;
      const publishing = publishSteadily(device, deviceId, total, 0, Date.now() - 60_000);
      await eventually(() => expect(metrics.snapshot().messages - before.messages).toBe(total), 15_000);
      expect(metrics.snapshot().fixesStored - before.fixesStored).toBe(0);
      // Every message is in the server's hands, none acknowledged to the broker: release the database.
      await locker.query('COMMIT');
      await publishing;
      await eventually(
        async () => expect(await countFixes(runtime, deviceId)).toEqual({ total, distinct: total }),
        15_000,
      );
      await device.endAsync();
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end().catch(() => undefined);
      await runtime.close();
    }
  }, 60_000);

  if (!external) {
    console.warn(
      'restart-mid-stream e2e not run: it needs a broker that outlives the server (MQTT_URL; CI sets it).',
    );
  }
  (external ? it : it.skip)(
    'loses nothing when the server restarts in the middle of a stream',
    async () => {
      const id = runId();
      const deviceId = `restart-${id}`;
      const env = {
        DATABASE_URL: process.env.DATABASE_URL,
        MQTT_URL: process.env.MQTT_URL,
        HTTP_PORT: '0',
        DATA_DIR: await tempDataDir(),
        MQTT_CLIENT_ID: `lookout-midstream-${id}`,
        MQTT_SESSION_EXPIRY_S: '60',
        LOG_LEVEL: 'error',
      };
      let runtime = await startLookout(loadConfig(env));
      await registerDevice(runtime, deviceId);
      const device = await mqtt.connectAsync(process.env.MQTT_URL!, {
        clientId: `pub-${id}`,
        protocolVersion: 5,
      });
      const total = 400;
      const publishing = publishSteadily(device, deviceId, total, 10, Date.now() - 120_000);
      await sleep(1500);
      await runtime.close();
      await sleep(1000);
      runtime = await startLookout(loadConfig(env));
      try {
        await publishing;
        const counts = await eventually(async () => {
          const found = await countFixes(runtime, deviceId);
          expect(found.total).toBe(total);
          return found;
        }, 30_000);
        expect(counts).toEqual({ total, distinct: total });
      } finally {
        await device.endAsync();
        await runtime.close();
      }
    },
    60_000,
  );
});
