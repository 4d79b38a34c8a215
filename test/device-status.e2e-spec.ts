import { deviceTopic, type LiveDeviceConnection } from '../libs/telemetry/src/index.js';
import type { LookoutRuntime } from '../apps/server/src/lookout.js';
import { apiClient, expectStatus } from './support/api.js';
import {
  connectDevice,
  connectLive,
  eventually,
  login,
  registerDevice,
  runId,
  sql,
  startTestLookout,
  type LiveClient,
  external,
} from './support/harness.js';

/**
 * Device status follows the retained status topic and the last will (DESIGN.md, "MQTT contract"): a device
 * says `online` (retained) when it connects and leaves `offline` as its will, which the broker publishes when
 * the connection drops without a goodbye. Lookout stores each change and shows it live and in the snapshot.
 */
describe(`device status (${external ? 'DATABASE_URL + MQTT_URL' : 'embedded PostgreSQL + aedes'})`, () => {
  let runtime: LookoutRuntime;
  let live: LiveClient;
  const seen: LiveDeviceConnection[] = [];
  const id = `status-${runId()}`;
  const statusTopic = deviceTopic(id, 'status');

  const changes = () =>
    sql<{ online: boolean; retained: boolean }>(
      runtime,
      'SELECT online, retained FROM device_status_change WHERE device_id = $1 ORDER BY at',
      [id],
    );

  beforeAll(async () => {
    runtime = await startTestLookout({ external });
    live = await connectLive(runtime);
    live.on('deviceStatus', (status) => seen.push(status));
  });

  afterAll(async () => {
    live?.disconnect();
    await runtime?.close();
  });

  it('records online from the retained status and offline from the last will, live and in the snapshot', async () => {
    const credential = await registerDevice(runtime, id);
    const device = await connectDevice(runtime, credential, {
      will: { topic: statusTopic, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    await device.publishAsync(statusTopic, 'online', { qos: 1, retain: true });
    await eventually(async () => expect(await changes()).toEqual([{ online: true, retained: false }]));
    await eventually(() =>
      expect(seen.filter((s) => s.deviceId === id).map((s) => s.online)).toEqual([true]),
    );

    // Saying it again changes nothing: one row per change, one live event per change.
    await device.publishAsync(statusTopic, JSON.stringify({ state: 'online' }), { qos: 1, retain: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await changes()).toHaveLength(1);

    // The connection drops without a DISCONNECT: the broker publishes the will.
    device.stream.destroy();
    await eventually(async () =>
      expect(await changes()).toEqual([
        { online: true, retained: false },
        { online: false, retained: false },
      ]),
    );
    await eventually(() =>
      expect(seen.filter((s) => s.deviceId === id).map((s) => s.online)).toEqual([true, false]),
    );
    const manager = apiClient(runtime, await login(runtime));
    const snapshot = expectStatus(await manager.get('/live/snapshot'), 200);
    expect(snapshot.connections).toContainEqual({ deviceId: id, online: false, atMs: expect.any(Number) });
    device.end(true);

    // Deleting the retained status (an empty retained message) is no statement: nothing stored, no dead letter.
    const cleaner = await connectDevice(runtime, credential);
    await cleaner.publishAsync(statusTopic, '', { qos: 1, retain: true });
    await cleaner.endAsync();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await changes()).toHaveLength(2);
    expect(await sql(runtime, 'SELECT 1 FROM dead_letter WHERE device_id = $1', [id])).toEqual([]);
  });

  it('keeps a bad status payload as a dead letter naming what was wrong, and stores the next good one', async () => {
    const other = `status-bad-${runId()}`;
    const credential = await registerDevice(runtime, other);
    const device = await connectDevice(runtime, credential);
    const topic = deviceTopic(other, 'status');
    await device.publishAsync(topic, JSON.stringify({ state: 'asleep' }), { qos: 1 });
    await device.publishAsync(topic, 'online', { qos: 1 });
    await device.publishAsync(topic, '', { qos: 1, retain: true }); // leave no retained status behind
    await eventually(async () => {
      const letters = await sql<{ reason: string }>(
        runtime,
        'SELECT reason FROM dead_letter WHERE device_id = $1',
        [other],
      );
      expect(letters.map((l) => l.reason)).toEqual(['state: must be "online" or "offline"']);
      const rows = await sql(runtime, 'SELECT online FROM device_status_change WHERE device_id = $1', [
        other,
      ]);
      expect(rows).toEqual([{ online: true }]);
    });
    await device.endAsync();
  });
});
