import type { MqttClient } from 'mqtt';
import {
  deviceTopic,
  type CanonicalFix,
  type LiveBreach,
  type LiveFix,
} from '../libs/telemetry/src/index.js';
import { FixRepository } from '../apps/server/src/ingest/fix.repository.js';
import { ZonesService } from '../apps/server/src/geofences/zones.service.js';
import type { LookoutRuntime } from '../apps/server/src/lookout.js';
import { fixPayload, INSIDE, OUTSIDE, SAFE_BOX } from './support/fixtures.js';
import {
  connectAsServer,
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

describe(`ingest end to end (${external ? 'DATABASE_URL + MQTT_URL' : 'embedded PostgreSQL + aedes'})`, () => {
  let runtime: LookoutRuntime;
  let device: MqttClient;
  let bystanderDevice: MqttClient;
  let live: LiveClient;
  const fixes: LiveFix[] = [];
  const breaches: LiveBreach[] = [];
  const worker = `worker-${runId()}`;
  const bystander = `bystander-${runId()}`;
  const t0 = new Date(Date.now() - 60_000);
  const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

  beforeAll(async () => {
    runtime = await startTestLookout({ external });
    const workerCredential = await registerDevice(runtime, worker);
    const bystanderCredential = await registerDevice(runtime, bystander);
    await runtime.app.get(ZonesService).create({
      name: `cess ${worker}`,
      kind: 'safe',
      geometry: SAFE_BOX,
      appliesTo: [worker, bystander],
      provenance: { source: 'survey', author: 'e2e test' },
    });
    live = await connectLive(runtime);
    live.on('fix', (fix) => fixes.push(fix));
    live.on('breach', (breach) => breaches.push(breach));
    device = await connectDevice(runtime, workerCredential);
    bystanderDevice = await connectDevice(runtime, bystanderCredential);
  });

  afterAll(async () => {
    live?.disconnect();
    await device?.endAsync();
    await bystanderDevice?.endAsync();
    await runtime?.close();
  });

  it('stores a fix published over MQTT and pushes it to WebSocket clients', async () => {
    await device.publishAsync(deviceTopic(worker, 'fix'), fixPayload(at(0), INSIDE, { sequence: 0 }), {
      qos: 1,
    });
    const rows = await eventually(async () => {
      const found = await sql<{ lon: number; lat: number; accuracy_m: number; sequence: string; time: Date }>(
        runtime,
        'SELECT lon, lat, accuracy_m, sequence, time FROM fix WHERE device_id = $1',
        [worker],
      );
      expect(found).toHaveLength(1);
      return found;
    });
    expect(rows[0]).toEqual({ ...INSIDE, accuracy_m: 3, sequence: '0', time: at(0) });
    await eventually(() => expect(fixes.filter((fix) => fix.deviceId === worker)).toHaveLength(1));
    expect(fixes[0]).toMatchObject({ deviceId: worker, fixTimeMs: at(0).getTime(), ...INSIDE, accuracyM: 3 });
    expect(breaches).toEqual([]);
  });

  it('raises one breach, in the log and on the socket, when the worker leaves the safe zone', async () => {
    await device.publishAsync(deviceTopic(worker, 'fix'), fixPayload(at(1), OUTSIDE, { sequence: 1 }), {
      qos: 1,
    });
    await device.publishAsync(deviceTopic(worker, 'fix'), fixPayload(at(2), OUTSIDE, { sequence: 2 }), {
      qos: 1,
    });
    await eventually(() => expect(fixes.filter((fix) => fix.deviceId === worker)).toHaveLength(3));
    expect(breaches).toHaveLength(1);
    expect(breaches[0]).toMatchObject({
      deviceId: worker,
      zoneKind: 'safe',
      zoneVersion: 1,
      severity: 'confirmed',
      accuracyM: 3,
      fix: { fixTimeMs: at(1).getTime(), ...OUTSIDE },
    });
    expect(breaches[0]!.distanceBeyondBoundaryM).toBeGreaterThan(60);
    expect(breaches[0]!.distanceBeyondBoundaryM).toBeLessThan(75);
  });

  it('rejects a malformed payload with its reason and keeps storing the fixes after it', async () => {
    const before = (await (await fetch(`${runtime.httpUrl}/health`)).json()) as {
      ingest: { rejected: number };
    };
    await device.publishAsync(deviceTopic(worker, 'fix'), '{"lon": 1, "lat":', { qos: 1 });
    await device.publishAsync(
      deviceTopic(worker, 'fix'),
      JSON.stringify([
        { fixTime: at(3).toISOString(), ...INSIDE, accuracyM: 2, sequence: 3 },
        { fixTime: at(4).toISOString(), lon: 500, lat: 52.9, accuracyM: 2, sequence: 4 },
        { fixTime: at(5).toISOString(), ...INSIDE, accuracyM: 2, sequence: 5 },
      ]),
      { qos: 1 },
    );
    const stored = await eventually(async () => {
      const rows = await sql<{ sequence: string }>(
        runtime,
        'SELECT sequence FROM fix WHERE device_id = $1 ORDER BY time',
        [worker],
      );
      expect(rows).toHaveLength(5);
      return rows.map((row) => Number(row.sequence));
    });
    expect(stored).toEqual([0, 1, 2, 3, 5]);
    const letters = await sql<{ item_index: number; reason: string }>(
      runtime,
      'SELECT item_index, reason FROM dead_letter WHERE device_id = $1 ORDER BY id',
      [worker],
    );
    expect(letters).toEqual([
      { item_index: -1, reason: expect.stringMatching(/^payload is not UTF-8 JSON/) },
      { item_index: 1, reason: 'lon: lon must be within [-180, 180]' },
    ]);
    const after = (await (await fetch(`${runtime.httpUrl}/health`)).json()) as {
      ingest: { rejected: number };
    };
    expect(after.ingest.rejected - before.ingest.rejected).toBe(2);
  });

  it('stores a redelivered fix once and does not announce it twice', async () => {
    const payload = fixPayload(at(6), INSIDE, { sequence: 6 });
    await device.publishAsync(deviceTopic(worker, 'fix'), payload, { qos: 1 });
    await device.publishAsync(deviceTopic(worker, 'fix'), payload, { qos: 1 });
    await device.publishAsync(deviceTopic(worker, 'fix'), fixPayload(at(7), INSIDE, { sequence: 7 }), {
      qos: 1,
    });
    await eventually(() => expect(fixes.filter((fix) => fix.fixTimeMs === at(7).getTime())).toHaveLength(1));
    expect(fixes.filter((fix) => fix.fixTimeMs === at(6).getTime())).toHaveLength(1);
    const rows = await sql(runtime, 'SELECT 1 FROM fix WHERE device_id = $1 AND time = $2', [worker, at(6)]);
    expect(rows).toHaveLength(1);
  });

  it('keeps a message from an unknown device as a dead letter, naming the device', async () => {
    const stranger = `stranger-${runId()}`;
    const injector = await connectAsServer(runtime);
    await injector.publishAsync(deviceTopic(stranger, 'fix'), fixPayload(at(0), INSIDE), { qos: 1 });
    await injector.endAsync();
    const letters = await eventually(async () => {
      const rows = await sql<{ reason: string }>(
        runtime,
        'SELECT reason FROM dead_letter WHERE device_id = $1',
        [stranger],
      );
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(letters[0]!.reason).toBe(`unknown device "${stranger}": register it before it publishes`);
  });

  it('decides per device: a bystander inside the zone raises nothing', async () => {
    await bystanderDevice.publishAsync(deviceTopic(bystander, 'fix'), fixPayload(at(0), INSIDE), { qos: 1 });
    await eventually(() => expect(fixes.some((fix) => fix.deviceId === bystander)).toBe(true));
    expect(breaches.filter((breach) => breach.deviceId === bystander)).toEqual([]);
  });

  it("stores the device's own events and dead-letters a bad one beside them", async () => {
    await device.publishAsync(
      deviceTopic(worker, 'event'),
      JSON.stringify([
        { eventTime: at(1.5).toISOString(), kind: 'alert-raised', zoneRef: 'cess', ...OUTSIDE, accuracyM: 4 },
        { eventTime: at(2).toISOString(), kind: 'teleported' },
        { eventTime: at(3.5).toISOString(), kind: 'alert-cleared', zoneRef: 'cess' },
      ]),
      { qos: 1 },
    );
    const events = await eventually(async () => {
      const rows = await sql<{ kind: string; time: Date; zone_ref: string; lon: number | null }>(
        runtime,
        'SELECT kind, time, zone_ref, lon FROM device_event WHERE device_id = $1 ORDER BY time',
        [worker],
      );
      expect(rows).toHaveLength(2);
      return rows;
    });
    expect(events).toEqual([
      { kind: 'alert-raised', time: at(1.5), zone_ref: 'cess', lon: OUTSIDE.lon },
      { kind: 'alert-cleared', time: at(3.5), zone_ref: 'cess', lon: null },
    ]);
    const letters = await sql<{ reason: string }>(
      runtime,
      `SELECT reason FROM dead_letter WHERE device_id = $1 AND topic LIKE '%/event'`,
      [worker],
    );
    expect(letters).toEqual([{ reason: expect.stringMatching(/^kind: /) }]);
  });

  it('writes every field of a batch exactly as given, tiny and huge numbers included, and skips repeats', async () => {
    const id = `odd.id:${runId()}`;
    await registerDevice(runtime, id);
    const repository = runtime.app.get(FixRepository);
    const base = Date.UTC(2026, 10, 20, 8, 0, 0, 123);
    const fixes: CanonicalFix[] = [
      { deviceId: id, fixTimeMs: base, receivedAtMs: base + 7, lon: 1e-7, lat: -89.9999999, accuracyM: 0 },
      {
        deviceId: id,
        fixTimeMs: base + 1,
        receivedAtMs: base + 9,
        lon: -179.123456789,
        lat: 0.5,
        accuracyM: 9999.5,
        sequence: Number.MAX_SAFE_INTEGER,
        altitudeM: -1e-9,
        speedMps: 1e5,
        headingDeg: 360,
        batteryPct: 0.25,
        satellites: 255,
        fixType: 'rtk-fixed',
      },
    ];
    expect(await repository.insertNew(fixes)).toEqual(fixes);
    expect(await repository.insertNew([fixes[1]!])).toEqual([]);
    const rows = await sql(
      runtime,
      `SELECT (extract(epoch FROM time) * 1000)::float8 AS t, (extract(epoch FROM received_at) * 1000)::float8 AS r,
              lon, lat, accuracy_m, sequence::text, altitude_m, speed_mps, heading_deg, battery_pct, satellites, fix_type
       FROM fix WHERE device_id = $1 ORDER BY time`,
      [id],
    );
    expect(rows).toEqual([
      expect.objectContaining({
        t: base,
        r: base + 7,
        lon: 1e-7,
        lat: -89.9999999,
        accuracy_m: 0,
        sequence: null,
      }),
      expect.objectContaining({
        t: base + 1,
        r: base + 9,
        lon: -179.123456789,
        sequence: String(Number.MAX_SAFE_INTEGER),
        heading_deg: 360,
        satellites: 255,
        fix_type: 'rtk-fixed',
      }),
    ]);
    // real (float4) columns keep float4 precision.
    expect(rows[1]!.altitude_m).toBeCloseTo(-1e-9, 15);
    expect(rows[1]!.speed_mps).toBe(1e5);
    expect(rows[1]!.battery_pct).toBe(0.25);
  });

  it('exposes Prometheus metrics to managers, with rejections by reason', async () => {
    const anonymous = await fetch(`${runtime.httpUrl}/metrics`);
    expect(anonymous.status).toBe(401);
    const response = await fetch(`${runtime.httpUrl}/metrics`, {
      headers: { authorization: `Bearer ${await login(runtime)}` },
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    const value = (line: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(line))
          ?.split(' ')
          .pop(),
      );
    expect(value('lookout_fixes_stored_total')).toBeGreaterThanOrEqual(8);
    expect(value('lookout_rejected_total{reason="invalid"}')).toBeGreaterThanOrEqual(2);
    expect(value('lookout_rejected_total{reason="unknown-device"}')).toBe(1);
    expect(value('lookout_detection_latency_seconds_count')).toBeGreaterThanOrEqual(8);
  });

  it('reports the database and broker in /health', async () => {
    const response = await fetch(`${runtime.httpUrl}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'ok',
      database: { status: 'up', embedded: !external },
      broker: { status: 'up', embedded: !external },
      ingest: { breaches: 1 },
    });
  });
});
