import net from 'node:net';
import { deviceTopic } from '../libs/telemetry/src/index.js';
import { loadConfig } from '../apps/server/src/config/config.schema.js';
import { MIGRATIONS } from '../apps/server/src/database/migrations/index.js';
import { startLookout } from '../apps/server/src/lookout.js';
import { fixPayload, INSIDE } from './support/fixtures.js';
import {
  connectDevice,
  eventually,
  registerDevice,
  runId,
  sql,
  startTestLookout,
  tempDataDir,
} from './support/harness.js';

/** Runs in every environment: the path a newcomer takes with nothing configured. */
describe('embedded PostgreSQL and embedded broker', () => {
  it('starts both, stores a fix, stops PostgreSQL cleanly and reuses its data on the next start', async () => {
    const dataDir = await tempDataDir();
    const deviceId = `embedded-${runId()}`;
    const fixTime = new Date(Date.now() - 1000);

    const first = await startTestLookout({ external: false, dataDir });
    const port = Number(new URL(first.config.databaseUrl).port);
    expect(port).not.toBe(5432);
    try {
      expect(first.config.embedded).toEqual({ database: true, broker: true });
      const credential = await registerDevice(first, deviceId);
      const device = await connectDevice(first, credential);
      await device.publishAsync(deviceTopic(deviceId, 'fix'), fixPayload(fixTime, INSIDE), { qos: 1 });
      await device.endAsync();
      await eventually(async () =>
        expect(await sql(first, 'SELECT 1 FROM fix WHERE device_id = $1', [deviceId])).toHaveLength(1),
      );
      const health = await fetch(`${first.httpUrl}/health`);
      expect(await health.json()).toMatchObject({
        status: 'ok',
        database: { status: 'up', embedded: true },
        broker: { status: 'up', embedded: true },
      });
    } finally {
      await first.close();
    }
    // Stopped: nothing listens on the old port any more.
    await expect(
      new Promise((resolve, reject) =>
        net.connect(port, '127.0.0.1').once('connect', resolve).once('error', reject),
      ),
    ).rejects.toThrow(/ECONNREFUSED/);

    const second = await startTestLookout({ external: false, dataDir });
    try {
      const rows = await sql<{ time: Date }>(second, 'SELECT time FROM fix WHERE device_id = $1', [deviceId]);
      expect(rows).toEqual([{ time: fixTime }]);
      // Plain PostgreSQL here: the per-device minute aggregate is a date_bin view with the same columns.
      const minutes = await sql(
        second,
        'SELECT fixes, max_accuracy_m FROM fix_device_minute WHERE device_id = $1',
        [deviceId],
      );
      expect(minutes).toEqual([{ fixes: '1', max_accuracy_m: 3 }]);
      const hypertables = await sql(second, `SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`);
      expect(hypertables).toEqual([]);
      const migrations = await sql<{ name: string }>(second, 'SELECT name FROM migrations ORDER BY id');
      expect(migrations.map((m) => m.name)).toEqual(MIGRATIONS.map((migration) => migration.name));
    } finally {
      await second.close();
    }
  });

  it('refuses to start when MQTT_PORT is taken, naming MQTT_PORT and MQTT_URL, and leaves nothing running', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    const dataDir = await tempDataDir();
    try {
      const config = loadConfig({
        MQTT_PORT: String(port),
        HTTP_PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'error',
      });
      const attempt = startLookout(config);
      await expect(attempt).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
      await expect(attempt).rejects.toThrow(/MQTT_PORT.*MQTT_URL/);
      // The embedded PostgreSQL it had started was stopped again: the next start on the same folder works.
      const retry = await startTestLookout({ external: false, dataDir });
      await retry.close();
    } finally {
      blocker.close();
    }
  });

  it('authenticates devices and lets each publish only under its own topics', async () => {
    const runtime = await startTestLookout({ external: false });
    try {
      const alice = `alice-${runId()}`;
      const bob = `bob-${runId()}`;
      const aliceCredential = await registerDevice(runtime, alice);
      await registerDevice(runtime, bob);

      await expect(
        connectDevice(runtime, { username: alice, password: 'not-the-credential' }),
      ).rejects.toThrow(/Bad username or password/i);
      await expect(connectDevice(runtime, { username: `unknown-${runId()}`, password: 'x' })).rejects.toThrow(
        /Bad username or password/i,
      );

      const device = await connectDevice(runtime, aliceCredential);
      await device.publishAsync(deviceTopic(alice, 'fix'), fixPayload(new Date(Date.now() - 2000), INSIDE), {
        qos: 1,
      });
      await eventually(async () =>
        expect(await sql(runtime, 'SELECT 1 FROM fix WHERE device_id = $1', [alice])).toHaveLength(1),
      );
      // Subscribing to another device's alerts is refused with a failure code, not granted.
      await expect(device.subscribeAsync(deviceTopic(bob, 'alert'), { qos: 1 })).rejects.toThrow(
        /Subscribe error/,
      );
      const own = await device.subscribeAsync(deviceTopic(alice, 'alert'), { qos: 1 });
      expect(own[0]?.qos).toBe(1);

      // Publishing as bob: MQTT 3.1.1 has no negative PUBACK, so the broker drops the connection.
      const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
      device.publish(deviceTopic(bob, 'fix'), fixPayload(new Date(Date.now() - 1000), INSIDE), { qos: 1 });
      await closed;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await sql(runtime, 'SELECT 1 FROM fix WHERE device_id = $1', [bob])).toEqual([]);
      device.end(true);
    } finally {
      await runtime.close();
    }
  });
});
