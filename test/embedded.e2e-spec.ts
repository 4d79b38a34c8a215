import net from 'node:net';
import { deviceTopic } from '../libs/telemetry/src/index.js';
import { loadConfig } from '../apps/server/src/config/config.schema.js';
import { startLookout } from '../apps/server/src/lookout.js';
import { DevicesService } from '../apps/server/src/devices/devices.service.js';
import { fixPayload, INSIDE } from './support/fixtures.js';
import { connectDevice, eventually, runId, sql, startTestLookout, tempDataDir } from './support/harness.js';

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
      await first.app.get(DevicesService).upsert({ id: deviceId });
      const device = await connectDevice(first, `pub-${deviceId}`);
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
      const migrations = await sql<{ name: string }>(second, 'SELECT name FROM migrations ORDER BY id');
      expect(migrations.map((m) => m.name)).toEqual(['Initial1763700000000', 'DeadLetter1763700000001']);
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
});
