import type { MqttClient } from 'mqtt';
import { CODECS } from '../devices/src/index.js';
import { deviceTopic } from '../libs/telemetry/src/index.js';
import { DevicesService } from '../apps/server/src/devices/devices.service.js';
import type { LookoutRuntime } from '../apps/server/src/lookout.js';
import { INSIDE, OUTSIDE, SAFE_BOX } from './support/fixtures.js';
import { ZonesService } from '../apps/server/src/geofences/zones.service.js';
import {
  connectDevice,
  eventually,
  registerDevice,
  runId,
  sql,
  startTestLookout,
  external,
} from './support/harness.js';

/** Every codec Lookout ships, end to end: a device of that codec publishes, the server stores what it meant. */
describe(`device codecs end to end (${external ? 'DATABASE_URL + MQTT_URL' : 'embedded'})`, () => {
  let runtime: LookoutRuntime;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    runtime = await startTestLookout({ external });
  });
  afterAll(async () => {
    for (const client of clients) await client.endAsync();
    await runtime?.close();
  });

  const encoders = [...CODECS.values()].filter((codec) => codec.encode);

  it('ships an encoder for every codec, so each can be replayed by the simulators', () => {
    expect(encoders.map((codec) => codec.name).sort()).toEqual([...CODECS.keys()].sort());
  });

  it.each(encoders.map((codec) => [codec.name, codec] as const))(
    '%s: stores the fixes a device sends',
    async (name, codec) => {
      const deviceId = `codec-${name}-${runId()}`;
      const credential = await registerDevice(runtime, deviceId);
      await runtime.app.get(DevicesService).upsert({ id: deviceId, codec: name });
      const device = await connectDevice(runtime, credential);
      clients.push(device);
      // Whole seconds and metre-level values survive every format's precision (NMEA keeps 1/100 s, SenML seconds).
      const start = Math.floor(Date.now() / 1000) * 1000 - 60_000;
      const fixes = [0, 1, 2].map((i) => ({
        fixTimeMs: start + i * 1000,
        lon: -1.5 + i * 0.0001,
        lat: 52.9 + i * 0.0001,
        accuracyM: 4,
        sequence: i,
        speedMps: 1.5,
        headingDeg: 90,
      }));
      await device.publishAsync(deviceTopic(deviceId, 'fix'), Buffer.from(codec.encode!(fixes)), { qos: 1 });
      const rows = await eventually(async () => {
        const found = await sql<{ time: Date; lon: number; lat: number; accuracy_m: number }>(
          runtime,
          'SELECT time, lon, lat, accuracy_m FROM fix WHERE device_id = $1 ORDER BY time',
          [deviceId],
        );
        expect(found).toHaveLength(3);
        return found;
      });
      rows.forEach((row, i) => {
        expect(row.time.getTime()).toBe(fixes[i]!.fixTimeMs);
        expect(row.lon).toBeCloseTo(fixes[i]!.lon, 6);
        expect(row.lat).toBeCloseTo(fixes[i]!.lat, 6);
        expect(row.accuracy_m).toBeGreaterThan(0);
      });
      const letters = await sql(runtime, 'SELECT reason FROM dead_letter WHERE device_id = $1', [deviceId]);
      expect(letters).toEqual([]);
    },
  );

  it('owntracks: a transition on the fix topic becomes a device event; garbage becomes a dead letter', async () => {
    const deviceId = `codec-ot-${runId()}`;
    const credential = await registerDevice(runtime, deviceId);
    await runtime.app.get(DevicesService).upsert({ id: deviceId, codec: 'owntracks' });
    const device = await connectDevice(runtime, credential);
    clients.push(device);
    const tst = Math.floor(Date.now() / 1000) - 30;
    const transition = {
      _type: 'transition',
      wtst: tst - 100,
      lat: 52.9,
      lon: -1.5,
      tst,
      acc: 10,
      tid: 'XX',
      event: 'leave',
      desc: 'Work',
      t: 'c',
    };
    await device.publishAsync(deviceTopic(deviceId, 'fix'), JSON.stringify(transition), { qos: 1 });
    await device.publishAsync(deviceTopic(deviceId, 'fix'), '\u0000\u0001 not owntracks', { qos: 1 });
    await eventually(async () => {
      expect(
        await sql(runtime, 'SELECT kind, zone_ref FROM device_event WHERE device_id = $1', [deviceId]),
      ).toEqual([{ kind: 'zone-exit', zone_ref: 'Work' }]);
      expect(await sql(runtime, 'SELECT 1 FROM dead_letter WHERE device_id = $1', [deviceId])).toHaveLength(
        1,
      );
    });
  });

  it('sends the server\u2019s alert to the device on its alert topic at QoS 1', async () => {
    const deviceId = `downlink-${runId()}`;
    const credential = await registerDevice(runtime, deviceId);
    await runtime.app.get(ZonesService).create({
      name: `downlink ${deviceId}`,
      kind: 'safe',
      geometry: SAFE_BOX,
      appliesTo: [deviceId],
      provenance: { source: 'survey', author: 'e2e' },
    });
    const device = await connectDevice(runtime, credential);
    clients.push(device);
    const alerts: Record<string, unknown>[] = [];
    device.on('message', (topic, payload) => {
      if (topic === deviceTopic(deviceId, 'alert'))
        alerts.push(JSON.parse(payload.toString()) as Record<string, unknown>);
    });
    await device.subscribeAsync(deviceTopic(deviceId, 'alert'), { qos: 1 });
    const t0 = Date.now() - 10_000;
    const fix = (offsetS: number, where: { lon: number; lat: number }) =>
      JSON.stringify({ fixTime: new Date(t0 + offsetS * 1000).toISOString(), ...where, accuracyM: 3 });
    await device.publishAsync(deviceTopic(deviceId, 'fix'), fix(0, INSIDE), { qos: 1 });
    await device.publishAsync(deviceTopic(deviceId, 'fix'), fix(1, OUTSIDE), { qos: 1 });
    await eventually(() => expect(alerts.some((alert) => alert.status === 'breach')).toBe(true));
    expect(alerts.find((alert) => alert.status === 'breach')).toMatchObject({
      type: 'status',
      breachLevel: 'confirmed',
      rule: 'outside-safe-union',
      zoneVersion: 1,
      atMs: t0 + 1000,
      detectionId: expect.any(String),
    });
    const [stored] = await sql<{ id: string }>(
      runtime,
      `SELECT id FROM detection_event WHERE device_id = $1 AND status = 'breach'`,
      [deviceId],
    ).then(async (rows) =>
      rows.length
        ? rows
        : eventually(async () => {
            const again = await sql<{ id: string }>(
              runtime,
              `SELECT id FROM detection_event WHERE device_id = $1 AND status = 'breach'`,
              [deviceId],
            );
            expect(again).toHaveLength(1);
            return again;
          }),
    );
    expect(alerts.find((alert) => alert.status === 'breach')!.detectionId).toBe(stored!.id);
  });
});
