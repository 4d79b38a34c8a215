import { io } from 'socket.io-client';
import {
  deviceTopic,
  type LiveKpiFrame,
  type LiveAcknowledgement,
  type LiveBreach,
  type LiveDetection,
  type LiveFix,
} from '../libs/telemetry/src/index.js';
import type { LookoutRuntime } from '../apps/server/src/lookout.js';
import { POSITION_FRAME_MS } from '../apps/server/src/live/live.gateway.js';
import { apiClient, expectStatus, type ApiClient } from './support/api.js';
import { setUpTwoSupplierTrial, type SupplierHalf } from './support/supplier-half.js';
import {
  connectLive,
  eventually,
  login,
  runId,
  sql,
  startTestLookout,
  type LiveClient,
  external,
} from './support/harness.js';

// Around (-3.1, 54.2): away from every other suite's zones. 0.001° of longitude is ~65 m here.
const CENTRE = { lon: -3.1, lat: 54.2 };
const SQUARE = [
  [CENTRE.lon - 0.002, CENTRE.lat - 0.002],
  [CENTRE.lon + 0.002, CENTRE.lat - 0.002],
  [CENTRE.lon + 0.002, CENTRE.lat + 0.002],
  [CENTRE.lon - 0.002, CENTRE.lat + 0.002],
  [CENTRE.lon - 0.002, CENTRE.lat - 0.002],
];

interface Stream {
  positions: LiveFix[][];
  frameTimesMs: number[];
  fixes: LiveFix[];
  detections: LiveDetection[];
  breaches: LiveBreach[];
  acknowledgements: LiveAcknowledgement[];
}

function record(socket: LiveClient): Stream {
  const stream: Stream = {
    positions: [],
    frameTimesMs: [],
    fixes: [],
    detections: [],
    breaches: [],
    acknowledgements: [],
  };
  socket.on('positions', (frame) => {
    stream.positions.push(frame);
    stream.frameTimesMs.push(Date.now());
  });
  socket.on('fix', (fix) => stream.fixes.push(fix));
  socket.on('detection', (detection) => stream.detections.push(detection));
  socket.on('breach', (breach) => stream.breaches.push(breach));
  socket.on('acknowledgement', (ack) => stream.acknowledgements.push(ack));
  return stream;
}

const deviceIdsIn = (stream: Stream) =>
  new Set([
    ...stream.positions.flat().map((fix) => fix.deviceId),
    ...stream.fixes.map((fix) => fix.deviceId),
    ...stream.detections.map((d) => d.deviceId),
    ...stream.breaches.map((b) => b.deviceId),
    ...stream.acknowledgements.map((a) => a.deviceId),
  ]);

describe(`live gateway (${external ? 'DATABASE_URL + MQTT_URL' : 'embedded PostgreSQL + aedes'})`, () => {
  let runtime: LookoutRuntime;
  let manager: ApiClient;
  let trialId: string;
  const halves: SupplierHalf[] = [];
  const sockets: LiveClient[] = [];
  const id = runId();

  const publish = (half: SupplierHalf, fixes: { lon: number; lat: number; fixTime: number }[]) =>
    half.device.publishAsync(
      deviceTopic(half.deviceId, 'fix'),
      JSON.stringify(fixes.map((fix) => ({ ...fix, accuracyM: 3 }))),
      { qos: 1 },
    );

  const live = async (token: string) => {
    const socket = await connectLive(runtime, token);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    runtime = await startTestLookout({ external });
    manager = apiClient(runtime, await login(runtime));
    const trial = await setUpTwoSupplierTrial(runtime, manager, {
      name: 'Live',
      runId: id,
      devicePrefix: 'live',
      safeRing: SQUARE,
    });
    trialId = trial.trialId;
    halves.push(...trial.halves);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await Promise.all(halves.map((half) => half.device.endAsync()));
    await runtime?.close();
  });

  it('refuses a handshake without a token or with a bad one', async () => {
    const attempt = (auth: Record<string, unknown>) =>
      new Promise<string>((resolve, reject) => {
        const socket = io(runtime.httpUrl, { transports: ['websocket'], reconnection: false, auth });
        socket.once('connect', () => {
          socket.disconnect();
          reject(new Error('connected without a valid token'));
        });
        socket.once('connect_error', (error) => resolve(error.message));
      });
    expect(await attempt({})).toMatch(/unauthenticated/);
    expect(await attempt({ token: 'not-a-jwt' })).toMatch(/unauthenticated/);
    const [acme] = halves;
    expect(await attempt({ token: `${acme!.token.slice(0, -4)}AAAA` })).toMatch(/unauthenticated/);
  });

  it("sends each supplier only its own devices' positions, detections and breaches; managers all", async () => {
    const [acme, bolt] = halves as [SupplierHalf, SupplierHalf];
    const all = record(await live(await login(runtime)));
    const acmeStream = record(await live(acme.token));
    const boltStream = record(await live(bolt.token));
    const t0 = Date.now() - 10_000;
    for (const half of halves) {
      await publish(half, [
        { ...CENTRE, fixTime: t0 },
        { lon: CENTRE.lon + 0.01, lat: CENTRE.lat, fixTime: t0 + 1000 },
      ]);
    }
    await eventually(() => {
      for (const half of halves) {
        expect(all.breaches.map((b) => b.deviceId)).toContain(half.deviceId);
        expect(all.positions.flat().map((f) => f.deviceId)).toContain(half.deviceId);
      }
      expect(acmeStream.breaches).toHaveLength(1);
      expect(boltStream.breaches).toHaveLength(1);
    });
    await new Promise((resolve) => setTimeout(resolve, 3 * POSITION_FRAME_MS));
    expect([...deviceIdsIn(acmeStream)]).toEqual([acme.deviceId]);
    expect([...deviceIdsIn(boltStream)]).toEqual([bolt.deviceId]);
    expect(deviceIdsIn(all)).toEqual(new Set([acme.deviceId, bolt.deviceId]));
    // The position shown is the fix the detector used, with its accuracy.
    const breach = acmeStream.breaches[0]!;
    expect(breach).toMatchObject({ severity: 'confirmed', accuracyM: 3, fix: { fixTimeMs: t0 + 1000 } });
    expect(breach.distanceBeyondBoundaryM).toBeGreaterThan(400);
  });

  it('batches positions into frames, at most one fix per device per frame, and keeps every fix event', async () => {
    const [acme] = halves as [SupplierHalf];
    const socket = await live(await login(runtime));
    const stream = record(socket);
    const t0 = Date.now() - 5_000;
    const burst = Array.from({ length: 30 }, (_, i) => ({
      lon: CENTRE.lon + i * 1e-5,
      lat: CENTRE.lat,
      fixTime: t0 + i * 100,
    }));
    await publish(acme, burst);
    await eventually(() =>
      expect(stream.fixes.filter((f) => f.deviceId === acme.deviceId)).toHaveLength(burst.length),
    );
    await new Promise((resolve) => setTimeout(resolve, 3 * POSITION_FRAME_MS));
    const frames = stream.positions.filter((frame) => frame.some((f) => f.deviceId === acme.deviceId));
    for (const frame of frames) {
      expect(frame.filter((f) => f.deviceId === acme.deviceId)).toHaveLength(1);
    }
    // 30 fixes ingested within a few frames: far fewer frames than fixes, and the last one shown is the latest.
    expect(frames.length).toBeGreaterThanOrEqual(1);
    expect(frames.length).toBeLessThan(burst.length / 2);
    expect(frames.at(-1)!.find((f) => f.deviceId === acme.deviceId)!.fixTimeMs).toBe(burst.at(-1)!.fixTime);
    const gaps = stream.frameTimesMs.slice(1).map((t, i) => t - stream.frameTimesMs[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(POSITION_FRAME_MS * 0.5);
  });

  it('sends per-fix events only to sockets that ask for them; the others get positions', async () => {
    const [, bolt] = halves as [SupplierHalf, SupplierHalf];
    const socket: LiveClient = io(runtime.httpUrl, {
      transports: ['websocket'],
      reconnection: false,
      auth: { token: bolt.token },
    });
    sockets.push(socket);
    const stream = record(socket);
    await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
    await publish(bolt, [{ ...CENTRE, fixTime: Date.now() - 1000 }]);
    await eventually(() => expect(stream.positions.flat().map((f) => f.deviceId)).toContain(bolt.deviceId));
    expect(stream.fixes).toEqual([]);
  });

  it('serves the snapshot and stored detections scoped by supplier, and acknowledges once, live', async () => {
    const [acme, bolt] = halves as [SupplierHalf, SupplierHalf];
    const snapshot = expectStatus(await acme.api.get(`/live/snapshot?trialId=${trialId}`), 200);
    expect(snapshot.positions.map((f: LiveFix) => f.deviceId)).toEqual([acme.deviceId]);
    expect(snapshot.openDetections.length).toBeGreaterThan(0);
    for (const d of snapshot.openDetections) expect(d.deviceId).toBe(acme.deviceId);
    const managerSnapshot = expectStatus(await manager.get(`/live/snapshot?trialId=${trialId}`), 200);
    expect(managerSnapshot.positions.map((f: LiveFix) => f.deviceId).sort()).toEqual(
      [acme.deviceId, bolt.deviceId].sort(),
    );
    const boltDetections = expectStatus(
      await bolt.api.get(`/detections?trialId=${trialId}&alertsOnly=true`),
      200,
    );
    expect(boltDetections.items.length).toBeGreaterThan(0);
    for (const d of boltDetections.items) expect(d.deviceId).toBe(bolt.deviceId);
    expect(expectStatus(await bolt.api.get(`/detections?deviceId=${acme.deviceId}`), 200).items).toEqual([]);
    expect(expectStatus(await bolt.api.get(`/fixes?deviceId=${acme.deviceId}`), 200).items).toEqual([]);

    const acmeStream = record(await live(acme.token));
    const boltStream = record(await live(bolt.token));
    const breach = snapshot.openDetections.find((d: LiveDetection) => d.status === 'breach');
    expect((await acme.api.post(`/detections/${breach.id}/acknowledge`, {})).status).toBe(403);
    const ack = expectStatus(await manager.post(`/detections/${breach.id}/acknowledge`, {}), 201);
    expect(ack).toMatchObject({ detectionId: breach.id, deviceId: acme.deviceId });
    expect(ack.latencyMs).toBeGreaterThanOrEqual(0);
    expect((await manager.post(`/detections/${breach.id}/acknowledge`, {})).status).toBe(409);
    const rows = await sql<{ latency_ms: number; acknowledged_by: string }>(
      runtime,
      'SELECT latency_ms, acknowledged_by FROM detection_acknowledgement WHERE detection_id = $1',
      [breach.id],
    );
    expect(rows).toHaveLength(1);
    await eventually(() =>
      expect(acmeStream.acknowledgements.map((a) => a.detectionId)).toEqual([breach.id]),
    );
    expect(boltStream.acknowledgements).toEqual([]);
    const after = expectStatus(await acme.api.get(`/live/snapshot?trialId=${trialId}`), 200);
    expect(after.openDetections.map((d: LiveDetection) => d.id)).not.toContain(breach.id);
  });

  it("gives each trial its own room: a trial's sockets get its devices only, suppliers only trials they are in", async () => {
    const [acme, bolt] = halves as [SupplierHalf, SupplierHalf];
    const other = expectStatus(
      await manager.post('/trials', { name: `Live other ${id}`, sponsor: 'Infrastructure owner' }),
      201,
    ).id as string;
    const managerToken = await login(runtime);
    const watch = async (token: string, trial: string) => {
      const socket = await connectLive(runtime, token, { trialId: trial });
      sockets.push(socket);
      return record(socket);
    };
    const thisTrial = await watch(managerToken, trialId);
    const otherTrial = await watch(managerToken, other);
    const acmeInTrial = await watch(acme.token, trialId);
    // A supplier may not watch a trial it does not take part in (nor learn that it exists).
    const refused = await new Promise<string>((resolve, reject) => {
      const socket = io(runtime.httpUrl, {
        transports: ['websocket'],
        reconnection: false,
        auth: { token: acme.token, trialId: other },
      });
      socket.once('connect', () => {
        socket.disconnect();
        reject(new Error('a supplier watched a trial it is not in'));
      });
      socket.once('connect_error', (error) => resolve(error.message));
    });
    expect(refused).toBe(`trial ${other} not found`);

    const t0 = Date.now() - 3_000;
    for (const half of halves) await publish(half, [{ ...CENTRE, fixTime: t0 }]);
    await eventually(() => {
      expect(deviceIdsIn(thisTrial)).toEqual(new Set([acme.deviceId, bolt.deviceId]));
      expect(deviceIdsIn(acmeInTrial)).toEqual(new Set([acme.deviceId]));
    });
    await new Promise((resolve) => setTimeout(resolve, 3 * POSITION_FRAME_MS));
    expect(deviceIdsIn(otherTrial)).toEqual(new Set());
    expect(deviceIdsIn(acmeInTrial)).toEqual(new Set([acme.deviceId]));

    // Enrolling a device in the other trial moves it into that room at once (the rooms are re-read).
    expectStatus(
      await manager.post('/enrolments', {
        trialId: other,
        deviceId: bolt.deviceId,
        validFrom: '2026-01-01T00:00:00Z',
      }),
      201,
    );
    await publish(bolt, [{ ...CENTRE, fixTime: t0 + 1000 }]);
    await eventually(() => expect(deviceIdsIn(otherTrial)).toEqual(new Set([bolt.deviceId])));
  });

  it('sends each room a KPI frame every few seconds: per supplier, its devices only', async () => {
    const [acme] = halves as [SupplierHalf];
    const frameOf = async (token: string) => {
      const socket = await live(token);
      return new Promise<LiveKpiFrame>((resolve) => socket.once('kpis', resolve));
    };
    const [managerFrame, acmeFrame] = await Promise.all([frameOf(await login(runtime)), frameOf(acme.token)]);
    const card = (frame: LiveKpiFrame, deviceCount: number) =>
      frame.suppliers.filter((s) => s.supplierId !== null && s.devices === deviceCount);
    // Earlier tests had both devices report and breach (out of the safe square, then back).
    expect(card(managerFrame, 1).length).toBeGreaterThanOrEqual(2);
    expect(acmeFrame.suppliers).toHaveLength(1);
    const [own] = acmeFrame.suppliers;
    expect(own).toMatchObject({ devices: 1, online: 0, offline: 0 });
    expect(own!.fixesLastMinute).toBeGreaterThanOrEqual(30);
    expect(own!.alertsLastHour.breach).toBeGreaterThanOrEqual(1);
    expect(own!.reporting).toBe(1);
    // The manager sees the same card for Acme, and one for Bolt that Acme never sees.
    const acmeId = own!.supplierId;
    expect(managerFrame.suppliers.find((s) => s.supplierId === acmeId)).toEqual(own);
    expect(managerFrame.suppliers.some((s) => s.supplierId !== acmeId && s.supplierId !== null)).toBe(true);
  });
});
