import { canonicalJson } from '../apps/server/src/evidence/evidence.chain.js';
import { ZonesService } from '../apps/server/src/geofences/zones.service.js';
import type { LookoutRuntime } from '../apps/server/src/lookout.js';
import { createHash } from 'node:crypto';
import {
  compileScenario,
  groundTruthDocument,
  type CompiledScenario,
} from '../simulators/src/scenario/scenario.compiler.js';
import { parseScenario } from '../simulators/src/scenario/scenario.loader.js';
import { publishScenario } from '../simulators/src/scenario/scenario.runner.js';
import { apiClient, expectStatus, type ApiClient } from './support/api.js';
import { eventually, login, runId, sql, startTestLookout, external } from './support/harness.js';
import {
  addDevice,
  addSupplier,
  haversineM,
  offset,
  percentileCont,
  publishBattery,
  publishFixes,
  type KpiDevice,
  type KpiSupplier,
  type PlainFix,
} from './support/kpi-trial.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** This suite's ground-truth body limit (GROUND_TRUTH_MAX_BODY_MB), small so both sides of it are cheap to send. */
const GROUND_TRUTH_LIMIT_MB = 2;
const POINT = { lon: -1.51, lat: 52.91 };

/**
 * A walker steps straight out of a safe zone at 1 m/s (the edge is y = 10 m, crossed at t = 20 s), stands
 * 10 m out, and walks back. Two wearables of known alert latency: so when each alerts, the worker is
 * (latency + the wait for the first fix beyond the edge) x 1 m/s past the boundary.
 */
const WALK_SCENARIO = `
name: kpi-walk-out
origin: { lon: -1.52, lat: 52.92 }
durationS: 70
seed: 7
zones:
  - id: cess
    kind: safe
    polygon: [[-100, -10], [100, -10], [100, 10], [-100, 10]]
devices:
  - id: slow
    path: &walk [[0, 0, 0], [10, 0, 0], [30, 0, 20], [40, 0, 20], [60, 0, 0]]
    noise: { r95M: 0.2 }
    clock: { offsetMs: 1500 }
    wearable: { name: 'slow/3s', alertLatencyMs: 3000, clearLatencyMs: 1000 }
  - id: quick
    path: *walk
    noise: { r95M: 0.2 }
    wearable: { name: 'quick/1s', alertLatencyMs: 1000, clearLatencyMs: 1000 }
`;
const WALK_SPEED_MPS = 1;

/**
 * The KPIs the trial review found missing, each measured from stored data against a known truth: error
 * against surveyed check points, the device's own distance past the boundary when it alerted, battery hours,
 * large ground-truth files, and each completed session's KPIs sealed as evidence.
 */
describe(`KPI measures (${external ? 'DATABASE_URL + MQTT_URL' : 'embedded PostgreSQL + aedes'})`, () => {
  const RUN = runId();
  const NOW = Date.now();
  let runtime: LookoutRuntime;
  let manager: ApiClient;
  let trialId: string;
  let siteId: string;
  let s1: KpiSupplier;
  let s2: KpiSupplier;
  let d1: KpiDevice;
  let d2: KpiDevice;
  let d3: KpiDevice;
  let d4: KpiDevice;
  let d5: KpiDevice;
  const devices: KpiDevice[] = [];

  const session = async (from: number, to: number, deviceIds: string[]) =>
    expectStatus(
      await manager.post('/sessions', {
        trialId,
        siteId,
        plannedStart: new Date(from).toISOString(),
        plannedEnd: new Date(to).toISOString(),
        deviceIds,
      }),
      201,
    ).id as string;
  const kpi = (client: ApiClient, family: string, query: string) =>
    client.get(`/trials/${trialId}/kpis/${family}?${query}`);
  const storedCounts = async (ids: string[]) => {
    const [row] = await sql<{ fixes: string; events: string }>(
      runtime,
      `SELECT (SELECT count(*) FROM fix WHERE device_id = ANY($1)) AS fixes,
              (SELECT count(*) FROM device_event WHERE device_id = ANY($1)) AS events`,
      [ids],
    );
    return { fixes: Number(row!.fixes), events: Number(row!.events) };
  };

  beforeAll(async () => {
    runtime = await startTestLookout({
      external,
      env: { GROUND_TRUTH_MAX_BODY_MB: String(GROUND_TRUTH_LIMIT_MB) },
    });
    manager = apiClient(runtime, await login(runtime));
    const since = NOW - 24 * HOUR;
    trialId = expectStatus(
      await manager.post('/trials', {
        name: `KPI measures ${RUN}`,
        sponsor: 'Infrastructure owner',
        phases: [{ name: 'accuracy', from: new Date(since).toISOString(), to: null }],
      }),
      201,
    ).id;
    siteId = expectStatus(
      await manager.post('/sites', {
        trialId,
        name: 'Cutting 4',
        route: 'East Coast',
        elr: 'ECM1',
        mileageFrom: 20,
        mileageTo: 21,
        environment: 'cutting',
      }),
      201,
    ).id;
    // Criteria are fixed before the trial starts.
    expectStatus(
      await manager.post('/criteria', {
        trialId,
        metric: 'checkpoint.error_p95_m',
        comparator: '<=',
        threshold: 5,
        unit: 'm',
      }),
      201,
    );
    s1 = await addSupplier(runtime, manager, trialId, `Supplier one ${RUN}`);
    s2 = await addSupplier(runtime, manager, trialId, `Supplier two ${RUN}`);
    d1 = await addDevice(runtime, manager, trialId, s1, `m1-${RUN}`, '2.1', since);
    d2 = await addDevice(runtime, manager, trialId, s2, `m2-${RUN}`, '7.0', since);
    d3 = await addDevice(runtime, manager, trialId, s1, `m3-${RUN}`, '2.1', since);
    d4 = await addDevice(runtime, manager, trialId, s2, `m4-${RUN}`, '7.0', since);
    d5 = await addDevice(runtime, manager, trialId, s2, `m5-${RUN}`, '7.0', since);
    devices.push(d1, d2, d3, d4, d5);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(devices.map((device) => device.publisher.close()));
    await runtime?.close();
  });

  it('documents the new KPI routes in /docs', async () => {
    const document = expectStatus(await manager.get('/docs/openapi.json'), 200);
    const paths = Object.keys(document.paths as Record<string, unknown>);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/trials/{trialId}/kpis/check-points',
        '/sessions/{sessionId}/check-point-visits',
        '/sessions/{sessionId}/kpi-snapshots',
        '/sessions/{sessionId}/kpi-snapshots/comparison',
      ]),
    );
    const detection = JSON.stringify(document.paths['/ground-truth']);
    expect(detection).toContain('413');
  });

  describe('positioning error against surveyed check points', () => {
    let sessionId: string;
    let checkPointId: string;
    let d1Errors: number[];
    let d2Errors: number[];

    beforeAll(async () => {
      const zones = runtime.app.get(ZonesService);
      const zone = await zones.create({
        name: `check-point zone ${RUN}`,
        trialId,
        kind: 'safe',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [POINT.lon - 0.001, POINT.lat - 0.001],
              [POINT.lon + 0.001, POINT.lat - 0.001],
              [POINT.lon + 0.001, POINT.lat + 0.001],
              [POINT.lon - 0.001, POINT.lat + 0.001],
              [POINT.lon - 0.001, POINT.lat - 0.001],
            ],
          ],
        },
        // Applies to no device in this suite: the check-point session is about position only.
        appliesTo: [`nobody-${RUN}`],
        provenance: { source: 'survey', author: 'kpi measures suite', method: 'test fixture' },
      });
      checkPointId = expectStatus(
        await manager.post(`/zones/${zone.id}/check-points`, {
          name: 'CP-1',
          lon: POINT.lon,
          lat: POINT.lat,
          expected: 'inside',
          surveyedBy: 'survey team',
          surveyedAt: new Date(NOW - 48 * HOUR).toISOString(),
          accuracyM: 0.02,
        }),
        201,
      ).id;
      sessionId = await session(NOW - 90 * MINUTE, NOW - 60 * MINUTE, [d1.id, d2.id]);

      // d1 held on the point: 20 fixes 0.5 m, 1.0 m, … 10 m off it, on bearings all round.
      const visit1 = NOW - 80 * MINUTE;
      const held: PlainFix[] = Array.from({ length: 20 }, (_, k) => ({
        timeMs: visit1 + 1000 + 2000 * k,
        ...offset(POINT.lon, POINT.lat, 0.5 * (k + 1), (k * 137) % 360),
      }));
      // Before the visit it was carried 50 m away: those fixes are not check-point samples.
      const carried: PlainFix[] = Array.from({ length: 5 }, (_, k) => ({
        timeMs: visit1 - 10_000 + 1000 * k,
        ...offset(POINT.lon, POINT.lat, 50, 90),
      }));
      await publishFixes(d1, [...carried, ...held]);
      // d2 held on it later: 10 fixes 3 m off.
      const visit2 = NOW - 75 * MINUTE;
      const held2: PlainFix[] = Array.from({ length: 10 }, (_, k) => ({
        timeMs: visit2 + 1000 + 2000 * k,
        ...offset(POINT.lon, POINT.lat, 3, k * 36),
      }));
      await publishFixes(d2, held2);
      const error = (fix: PlainFix) => haversineM(fix.lon, fix.lat, POINT.lon, POINT.lat);
      d1Errors = held.map(error).sort((a, b) => a - b);
      d2Errors = held2.map(error).sort((a, b) => a - b);
      await eventually(async () => expect((await storedCounts([d1.id, d2.id])).fixes).toBe(35), 20_000, 100);

      for (const [device, from] of [
        [d1, visit1],
        [d2, visit2],
      ] as const) {
        expectStatus(
          await manager.post(`/sessions/${sessionId}/check-point-visits`, {
            checkPointId,
            deviceId: device.id,
            from: new Date(from).toISOString(),
            to: new Date(from + MINUTE).toISOString(),
            notes: 'held on the survey nail',
          }),
          201,
        );
      }
    });

    it('refuses a visit by a device outside the session, or outside the session, naming the field', async () => {
      const wrongDevice = await manager.post(`/sessions/${sessionId}/check-point-visits`, {
        checkPointId,
        deviceId: d3.id,
        from: new Date(NOW - 70 * MINUTE).toISOString(),
        to: new Date(NOW - 69 * MINUTE).toISOString(),
      });
      expect(wrongDevice.status).toBe(400);
      expect(wrongDevice.body.issues).toEqual([
        { path: 'deviceId', message: expect.stringContaining(`device ${d3.id} is not in session`) },
      ]);
      const outside = await manager.post(`/sessions/${sessionId}/check-point-visits`, {
        checkPointId,
        deviceId: d1.id,
        from: new Date(NOW - 10 * MINUTE).toISOString(),
        to: new Date(NOW - 9 * MINUTE).toISOString(),
      });
      expect(outside.status).toBe(400);
      expect(outside.body.issues[0].path).toBe('from');
      const backwards = await manager.post(`/sessions/${sessionId}/check-point-visits`, {
        checkPointId,
        deviceId: d1.id,
        from: new Date(NOW - 70 * MINUTE).toISOString(),
        to: new Date(NOW - 71 * MINUTE).toISOString(),
      });
      expect(backwards.status).toBe(400);
      expect(backwards.body.issues[0].path).toBe('to');
      expect((await s1.api.post(`/sessions/${sessionId}/check-point-visits`, { checkPointId })).status).toBe(
        403,
      );
    });

    it('measures median, p95, max and CEP50/95 against the surveyed position, from the visit fixes only', async () => {
      const groups = expectStatus(await kpi(manager, 'check-points', 'groupBy=device'), 200);
      const byDevice = Object.fromEntries(groups.map((g: any) => [g.key, g]));
      const expected = (errors: number[]) => ({
        fixesMatched: errors.length,
        visits: 1,
        checkPoints: 1,
        medianM: expect.closeTo(percentileCont(errors, 0.5), 6),
        p95M: expect.closeTo(percentileCont(errors, 0.95), 6),
        maxM: expect.closeTo(errors.at(-1)!, 6),
        cep50M: expect.closeTo(percentileCont(errors, 0.5), 6),
        cep95M: expect.closeTo(percentileCont(errors, 0.95), 6),
        surveyAccuracyMaxM: 0.02,
      });
      expect(byDevice[d1.id]).toMatchObject(expected(d1Errors));
      expect(byDevice[d2.id]).toMatchObject(expected(d2Errors));
      // The known offsets, to the centimetre: 0.5 … 10 m (median 5.25, p95 9.525) and 3 m throughout.
      expect(byDevice[d1.id].medianM).toBeCloseTo(5.25, 2);
      expect(byDevice[d1.id].p95M).toBeCloseTo(9.525, 2);
      expect(byDevice[d1.id].maxM).toBeCloseTo(10, 2);
      expect(byDevice[d2.id].medianM).toBeCloseTo(3, 2);
      expect(byDevice[d1.id].cdf).toHaveLength(21);
    });

    it('slices by supplier, model, firmware, site, environment, session and phase, and joins the summary and criteria', async () => {
      for (const [groupBy, labels] of [
        ['supplier', [s1.name, s2.name]],
        ['firmware', ['2.1', '7.0']],
        ['site', ['Cutting 4']],
        ['environment', ['cutting']],
        ['phase', ['accuracy']],
      ] as const) {
        const groups = expectStatus(await kpi(manager, 'check-points', `groupBy=${groupBy}`), 200);
        expect({ groupBy, labels: groups.map((g: any) => g.label) }).toEqual({
          groupBy,
          labels: [...labels],
        });
      }
      const models = expectStatus(await kpi(manager, 'check-points', 'groupBy=model'), 200);
      expect(models.map((g: any) => g.key).sort()).toEqual([s1.modelId, s2.modelId].sort());
      const [bySession] = expectStatus(
        await kpi(manager, 'check-points', `groupBy=session&sessionId=${sessionId}`),
        200,
      );
      expect(bySession).toMatchObject({ key: sessionId, fixesMatched: 30, visits: 2, devices: 2 });
      const filtered = expectStatus(await kpi(manager, 'check-points', `groupBy=trial&firmware=7.0`), 200);
      expect(filtered[0].medianM).toBeCloseTo(3, 2);

      const summary = expectStatus(await manager.get(`/trials/${trialId}/kpis?groupBy=supplier`), 200);
      expect(summary.find((s: any) => s.key === s1.id).checkPoints.p95M).toBeCloseTo(9.525, 2);
      const evaluation = expectStatus(await manager.get(`/trials/${trialId}/criteria-evaluation`), 200);
      const verdicts = Object.fromEntries(evaluation.map((e: any) => [e.supplierId, e.results[0].verdict]));
      expect(verdicts).toEqual({ [s1.id]: 'fail', [s2.id]: 'pass' });
      expect(evaluation[0].results[0].link).toContain('/kpis/check-points');
    });

    it('keeps each supplier to its own check-point figures and visits', async () => {
      const own = expectStatus(await kpi(s1.api, 'check-points', 'groupBy=device'), 200);
      expect(own.map((g: any) => g.key)).toEqual([d1.id]);
      expect((await kpi(s1.api, 'check-points', `supplierId=${s2.id}`)).status).toBe(404);
      expect(
        expectStatus(await kpi(s1.api, 'check-points', `groupBy=device&deviceId=${d2.id}`), 200),
      ).toEqual([]);
      const visits = expectStatus(await s1.api.get(`/sessions/${sessionId}/check-point-visits`), 200);
      expect(visits.map((v: any) => v.deviceId)).toEqual([d1.id]);
      const all = expectStatus(await manager.get(`/sessions/${sessionId}/check-point-visits`), 200);
      expect(all.map((v: any) => [v.deviceId, v.checkPointName])).toEqual([
        [d1.id, 'CP-1'],
        [d2.id, 'CP-1'],
      ]);
    });
  });

  describe('battery hours from stored battery readings', () => {
    let sessionId: string;

    beforeAll(async () => {
      const from = NOW - 6 * HOUR;
      sessionId = await session(from, NOW - 2 * HOUR, [d1.id, d2.id]);
      // d1 reports `battery` events each minute, whole percent, draining 12.5 %/h: 8 h per charge.
      await publishBattery(
        d1,
        Array.from({ length: 230 }, (_, k) => ({
          timeMs: from + 30_000 + k * MINUTE,
          batteryPct: Math.floor(100 - (12.5 * k) / 60),
        })),
      );
      // d2 reports its charge with each fix, to 0.1 %, draining 20 %/h: 5 h per charge.
      await publishFixes(
        d2,
        Array.from({ length: 200 }, (_, k) => ({
          timeMs: from + 45_000 + k * MINUTE,
          lon: -1.55,
          lat: 52.95,
          batteryPct: Math.round((100 - (20 * k) / 60) * 10) / 10,
        })),
      );
      await eventually(
        async () => {
          const [row] = await sql<{ events: string; fixes: string }>(
            runtime,
            `SELECT (SELECT count(*) FROM device_event WHERE device_id = $1 AND kind = 'battery') AS events,
                    (SELECT count(*) FROM fix WHERE device_id = $2 AND battery_pct IS NOT NULL) AS fixes`,
            [d1.id, d2.id],
          );
          expect([Number(row!.events), Number(row!.fixes)]).toEqual([230, 200]);
        },
        30_000,
        100,
      );
    });

    it('extrapolates hours per full charge from the drain rate, within 2 % of the configured drain', async () => {
      const groups = expectStatus(
        await kpi(manager, 'reliability', `groupBy=device&sessionId=${sessionId}`),
        200,
      );
      const byDevice = Object.fromEntries(groups.map((g: any) => [g.key, g]));
      expect(byDevice[d1.id].batterySessions).toBe(1);
      expect(Math.abs(byDevice[d1.id].batteryHoursP50 / 8 - 1)).toBeLessThan(0.02);
      expect(Math.abs(byDevice[d2.id].batteryHoursP50 / 5 - 1)).toBeLessThan(0.02);
      const [trial] = expectStatus(
        await kpi(manager, 'reliability', `groupBy=trial&sessionId=${sessionId}`),
        200,
      );
      expect(trial.batterySessions).toBe(2);
      expect(trial.batteryHoursMin).toBeCloseTo(byDevice[d2.id].batteryHoursP50, 6);
      expect(trial.batteryHoursP50).toBeCloseTo(
        (byDevice[d1.id].batteryHoursP50 + byDevice[d2.id].batteryHoursP50) / 2,
        6,
      );
    });

    it('slices battery hours by supplier and keeps suppliers apart', async () => {
      const bySupplier = expectStatus(
        await kpi(manager, 'reliability', `groupBy=supplier&sessionId=${sessionId}`),
        200,
      );
      expect(bySupplier.map((g: any) => [g.key, Math.round(g.batteryHoursP50)])).toEqual([
        [s1.id, 8],
        [s2.id, 5],
      ]);
      const own = expectStatus(
        await kpi(s2.api, 'reliability', `groupBy=supplier&sessionId=${sessionId}`),
        200,
      );
      expect(own.map((g: any) => g.key)).toEqual([s2.id]);
      expect((await kpi(s2.api, 'reliability', `supplierId=${s1.id}`)).status).toBe(404);
    });
  });

  describe("distance past the boundary at the device's own alert", () => {
    let compiled: CompiledScenario;
    let sessionId: string;

    beforeAll(async () => {
      const scenario = parseScenario(WALK_SCENARIO, 'kpi-walk-out.yaml');
      const ids: Record<string, KpiDevice> = { slow: d3, quick: d4 };
      compiled = compileScenario(scenario, { startMs: NOW - 50 * MINUTE, deviceIdFor: (id) => ids[id]!.id });
      sessionId = await session(compiled.startMs - 1000, compiled.endMs + 5000, [d3.id, d4.id]);
      const zones = runtime.app.get(ZonesService);
      const zoneIds: Record<string, string> = {};
      for (const zone of compiled.serverZones) {
        zoneIds[zone.zoneId] = (
          await zones.create({
            name: `walk/${zone.name} ${RUN}`,
            kind: zone.kind,
            geometry: zone.geometry,
            halfWidthM: zone.halfWidthM,
            appliesTo: zone.appliesTo,
            windows: zone.windows,
            provenance: { source: 'drawing', author: 'kpi measures suite', method: 'kpi-walk-out' },
          })
        ).id;
      }
      const summary = await publishScenario(compiled, {
        publisherFor: (id) => (id === d3.id ? d3 : d4).publisher,
        speed: 'max',
        maxInFlight: 20,
      });
      expect(summary.failedPublishes).toBe(0);
      await eventually(
        async () =>
          expect(await storedCounts([d3.id, d4.id])).toEqual({
            fixes: compiled.devices.reduce((sum, d) => sum + d.publishedFixes, 0),
            events: compiled.groundTruth.wearableAlerts.length,
          }),
        30_000,
        100,
      );
      // The true track of the slow device only: the quick one is measured from its own fixes.
      const document = groundTruthDocument(compiled.groundTruth);
      expectStatus(
        await manager.post('/ground-truth', {
          trialId,
          sessionId,
          zoneIds,
          document: { ...document, positions: document.positions.filter((p) => p.deviceId === d3.id) },
        }),
        201,
      );
    });

    it('equals walking speed x (alert - crossing) from the true track, on the device clock, within 0.1 m', async () => {
      const { crossings } = expectStatus(
        await kpi(manager, 'detection', `groupBy=device&sessionId=${sessionId}&detail=true`),
        200,
      );
      const out = crossings.filter((c: any) => c.deviceId === d3.id);
      expect(out).toHaveLength(1);
      const [crossing] = out;
      expect(crossing.deviceBreachPositionSource).toBe('ground-truth');
      const clockOffsetS = 1.5;
      const latencyS = 3;
      // The alert is stamped on the device clock (1.5 s fast): the worker's true time is 1.5 s earlier.
      const walkedS =
        (Date.parse(crossing.deviceAlertAt) - Date.parse(crossing.timeOut)) / 1000 - clockOffsetS;
      expect(crossing.deviceBreachMarginM).toBeCloseTo(WALK_SPEED_MPS * walkedS, 1);
      // …which is the configured latency plus the wait for the first fix beyond the edge (≤ 1 s, ± noise).
      expect(crossing.deviceBreachMarginM).toBeGreaterThanOrEqual(WALK_SPEED_MPS * (latencyS - 0.3));
      expect(crossing.deviceBreachMarginM).toBeLessThanOrEqual(WALK_SPEED_MPS * (latencyS + 1 + 0.3));
    });

    it("falls back to the device's last fix where there is no true track, and aggregates per slice", async () => {
      const { groups, crossings } = expectStatus(
        await kpi(manager, 'detection', `groupBy=device&sessionId=${sessionId}&detail=true`),
        200,
      );
      const [quick] = crossings.filter((c: any) => c.deviceId === d4.id);
      expect(quick.deviceBreachPositionSource).toBe('fix');
      // 1 s latency: the last fix before the alert is 0-1 s after the decision, ≤ 2 s walk out (± noise).
      expect(quick.deviceBreachMarginM).toBeGreaterThan(-0.3);
      expect(quick.deviceBreachMarginM).toBeLessThan(2.3);
      const byDevice = Object.fromEntries(groups.map((g: any) => [g.key, g.device]));
      const slow = crossings.find((c: any) => c.deviceId === d3.id);
      expect(byDevice[d3.id]).toMatchObject({
        trueAlerts: 1,
        breachMarginsMeasured: 1,
        breachMarginP50M: slow.deviceBreachMarginM,
        breachMarginMaxM: slow.deviceBreachMarginM,
      });
      const bySupplier = expectStatus(
        await kpi(manager, 'detection', `groupBy=supplier&sessionId=${sessionId}`),
        200,
      ).groups;
      expect(bySupplier.map((g: any) => [g.key, g.device.breachMarginMaxM])).toEqual([
        [s1.id, slow.deviceBreachMarginM],
        [s2.id, quick.deviceBreachMarginM],
      ]);
      for (const groupBy of ['model', 'firmware', 'site', 'environment', 'session', 'phase']) {
        const sliced = expectStatus(
          await kpi(manager, 'detection', `groupBy=${groupBy}&sessionId=${sessionId}`),
          200,
        );
        const measured = sliced.groups.reduce(
          (sum: number, g: any) => sum + g.device.breachMarginsMeasured,
          0,
        );
        expect({ groupBy, measured }).toEqual({ groupBy, measured: 2 });
      }
      const own = expectStatus(
        await kpi(s2.api, 'detection', `groupBy=device&sessionId=${sessionId}&detail=true`),
        200,
      );
      expect(own.crossings.map((c: any) => c.deviceId)).toEqual([d4.id]);
      expect(own.groups.map((g: any) => g.key)).toEqual([d4.id]);
    });
  });

  describe('large ground-truth files', () => {
    const positions = (count: number) =>
      Array.from({ length: count }, (_, k) => ({
        deviceId: d5.id,
        sequence: k,
        trueTime: new Date(NOW - 30 * MINUTE + k * 100).toISOString(),
        fixTime: new Date(NOW - 30 * MINUTE + k * 100).toISOString(),
        trueLon: -1.53 + k * 1e-7,
        trueLat: 52.93,
        environment: 'open',
      }));
    const body = (rows: unknown[]) => ({
      trialId,
      document: {
        format: 'lookout-ground-truth/1',
        scenario: 'large',
        seed: '1',
        startTime: new Date(NOW - 30 * MINUTE).toISOString(),
        endTime: new Date(NOW).toISOString(),
        crossings: [],
        positions: rows,
        dropped: [],
      },
    });
    const imports = async () =>
      Number(
        (
          await sql<{ n: string }>(
            runtime,
            'SELECT count(*) AS n FROM ground_truth_import WHERE trial_id = $1',
            [trialId],
          )
        )[0]!.n,
      );

    it('accepts a file over 1 MB, keeps its good rows and names each bad one', async () => {
      const rows: Record<string, unknown>[] = positions(9000);
      rows[17] = { ...rows[17], trueLat: 95 };
      rows[4242] = { ...rows[4242], fixTime: 'not a time' };
      rows[5000] = { ...rows[5000], sequence: 10 };
      const payload = JSON.stringify(body(rows));
      expect(payload.length).toBeGreaterThan(1024 * 1024);
      expect(payload.length).toBeLessThan(GROUND_TRUTH_LIMIT_MB * 1024 * 1024);
      const response = expectStatus(await manager.post('/ground-truth', payload), 201);
      expect(response).toMatchObject({ positions: 8997, rejectedCount: 3 });
      expect(response.rejected).toEqual([
        {
          section: 'positions',
          index: 17,
          path: 'document.positions.17.trueLat',
          message: expect.any(String),
        },
        {
          section: 'positions',
          index: 4242,
          path: 'document.positions.4242.fixTime',
          message: expect.any(String),
        },
        {
          section: 'positions',
          index: 5000,
          path: 'document.positions.5000.sequence',
          message: `device ${d5.id} sequence 10 repeats document.positions.10`,
        },
      ]);
      const [stored] = await sql<{ n: string; rejected: number }>(
        runtime,
        `SELECT (SELECT count(*) FROM ground_truth_position WHERE import_id = $1) AS n,
                (SELECT rejected_count FROM ground_truth_import WHERE id = $1) AS rejected`,
        [response.id],
      );
      expect([Number(stored!.n), stored!.rejected]).toEqual([8997, 3]);
    });

    it('refuses a file over the limit with 413 naming the limit, storing nothing; other routes keep 1 MB', async () => {
      const before = await imports();
      const payload = JSON.stringify(body(positions(15_000)));
      expect(payload.length).toBeGreaterThan(GROUND_TRUTH_LIMIT_MB * 1024 * 1024);
      const response = await manager.post('/ground-truth', payload);
      expect(response.status).toBe(413);
      expect(response.body).toMatchObject({
        statusCode: 413,
        message: expect.stringContaining(`at most ${GROUND_TRUTH_LIMIT_MB * 1024 * 1024} bytes`),
      });
      expect(response.body.message).toContain('GROUND_TRUTH_MAX_BODY_MB');
      expect(await imports()).toBe(before);
      const elsewhere = await manager.post('/trials', { name: 'x'.repeat(1024 * 1024 + 10), sponsor: 's' });
      expect(elsewhere.status).toBe(413);
    });

    it('refuses a file whose every row is bad with 400 naming the rows', async () => {
      const before = await imports();
      const response = await manager.post('/ground-truth', body([{ deviceId: d5.id }, { sequence: -1 }]));
      expect(response.status).toBe(400);
      expect(response.body.issues.map((issue: any) => issue.path)).toEqual([
        'document.positions.0.sequence',
        'document.positions.1.deviceId',
      ]);
      expect(await imports()).toBe(before);
    });
  });

  describe('KPI snapshot sealed when a session completes', () => {
    let sessionId: string;
    let fixTimes: number[];
    /** Ground truth for d2, imported only after sealing. */
    let laterTruth: unknown;

    beforeAll(async () => {
      expectStatus(
        await manager.patch(`/trials/${trialId}`, { status: 'active', dpiaReference: `DPIA-${RUN}` }),
        200,
      );
      sessionId = await session(NOW, NOW + HOUR, [d1.id, d2.id]);
      const running = expectStatus(await manager.patch(`/sessions/${sessionId}`, { status: 'running' }), 200);
      const startMs = Date.parse(running.actualStart);
      fixTimes = Array.from({ length: 10 }, (_, k) => startMs + 100 * (k + 1));
      const truth = { lon: -1.56, lat: 52.96 };
      await publishFixes(
        d1,
        fixTimes.map((timeMs) => ({ timeMs, ...offset(truth.lon, truth.lat, 2, 90) })),
      );
      await publishFixes(
        d2,
        fixTimes.map((timeMs) => ({ timeMs, ...offset(truth.lon, truth.lat, 1, 0) })),
      );
      await eventually(
        async () => {
          const [row] = await sql<{ n: string }>(
            runtime,
            'SELECT count(*) AS n FROM fix WHERE device_id = ANY($1) AND time >= $2',
            [[d1.id, d2.id], new Date(startMs)],
          );
          expect(Number(row!.n)).toBe(20);
        },
        20_000,
        50,
      );
      const truthFor = (deviceId: string) =>
        fixTimes.map((timeMs, k) => ({
          deviceId,
          sequence: 1_000_000 + k,
          trueTime: new Date(timeMs).toISOString(),
          fixTime: new Date(timeMs).toISOString(),
          trueLon: truth.lon,
          trueLat: truth.lat,
        }));
      const document = (deviceId: string) => ({
        format: 'lookout-ground-truth/1',
        startTime: new Date(startMs).toISOString(),
        endTime: new Date(fixTimes.at(-1)!).toISOString(),
        crossings: [],
        positions: truthFor(deviceId),
      });
      expectStatus(
        await manager.post('/ground-truth', { trialId, sessionId, document: document(d1.id) }),
        201,
      );
      // The session ends after its last fix (the window is the actual start and end).
      await eventually(() => expect(Date.now()).toBeGreaterThan(fixTimes.at(-1)! + 20), 5000, 20);
      expectStatus(await manager.patch(`/sessions/${sessionId}`, { status: 'completed' }), 200);
      await eventually(
        async () => {
          const { seal } = expectStatus(await manager.get(`/sessions/${sessionId}/kpi-snapshots`), 200);
          expect(seal?.sealedAt).toEqual(expect.any(String));
        },
        30_000,
        100,
      );
      // Later ground truth changes what a recomputation says about d2, not what was sealed.
      laterTruth = document(d2.id);
    }, 60_000);

    it('seals one snapshot per supplier and one for the whole session, hash-chained and verifiable', async () => {
      const { seal, snapshots } = expectStatus(
        await manager.get(`/sessions/${sessionId}/kpi-snapshots`),
        200,
      );
      expect(seal).toMatchObject({ sessionId, trialId, attempts: 1, lastError: null });
      expect(snapshots.map((s: any) => s.supplierId).sort()).toEqual([s1.id, s2.id, null].sort());
      const bySupplier = Object.fromEntries(snapshots.map((s: any) => [String(s.supplierId), s]));
      const one = bySupplier[s1.id].content;
      expect(one).toMatchObject({ kind: 'session-kpis', sessionId, supplierId: s1.id });
      expect(one.total.positioning).toMatchObject({ fixesMatched: 10, medianM: expect.closeTo(2, 2) });
      expect(one.byDevice.map((d: any) => d.key)).toEqual([d1.id]);
      expect(bySupplier[s2.id].content.total.positioning).toBeUndefined();
      expect(bySupplier[s2.id].content.total.availability.receivedFixes).toBe(10);
      expect(bySupplier.null.content.bySupplier.map((s: any) => s.key).sort()).toEqual([s1.id, s2.id].sort());
      for (const snapshot of snapshots) {
        expect(snapshot.contentSha256).toBe(
          createHash('sha256').update(canonicalJson(snapshot.content), 'utf8').digest('hex'),
        );
        expect(snapshot.hash).toMatch(/^[0-9a-f]{64}$/);
      }
      expect(expectStatus(await manager.get(`/evidence/verify?trialId=${trialId}`), 200)).toMatchObject({
        ok: true,
      });
      const evidence = expectStatus(await manager.get(`/evidence?trialId=${trialId}&type=kpi-snapshot`), 200);
      expect(evidence.total).toBe(3);
      // The database refuses any change to sealed evidence.
      await expect(
        sql(runtime, `UPDATE evidence SET content = '{}' WHERE id = $1`, [snapshots[0].evidenceId]),
      ).rejects.toThrow(/append-only/);
    });

    it('recomputes identically until the data changes, then names each changed figure', async () => {
      const same = expectStatus(await manager.get(`/sessions/${sessionId}/kpi-snapshots/comparison`), 200);
      expect(same).toHaveLength(3);
      for (const comparison of same) {
        expect(comparison).toMatchObject({ identical: true, differenceCount: 0 });
        expect(comparison.currentContentSha256).toBe(comparison.sealedContentSha256);
      }
      expectStatus(
        await manager.post('/ground-truth', {
          trialId,
          sessionId,
          document: laterTruth,
        }),
        201,
      );
      const changed = expectStatus(await manager.get(`/sessions/${sessionId}/kpi-snapshots/comparison`), 200);
      const bySupplier = Object.fromEntries(changed.map((c: any) => [String(c.supplierId), c]));
      expect(bySupplier[s1.id]).toMatchObject({ identical: true });
      expect(bySupplier[s2.id]).toMatchObject({ identical: false });
      expect(bySupplier[s2.id].currentContentSha256).not.toBe(bySupplier[s2.id].sealedContentSha256);
      expect(bySupplier[s2.id].differences).toContainEqual({
        path: 'total.positioning',
        sealed: null,
        current: expect.objectContaining({ fixesMatched: 10, medianM: expect.closeTo(1, 2) }),
      });
      expect(bySupplier.null.identical).toBe(false);
    });

    it('shows a supplier only its own sealed snapshot', async () => {
      const { snapshots } = expectStatus(await s1.api.get(`/sessions/${sessionId}/kpi-snapshots`), 200);
      expect(snapshots.map((s: any) => s.supplierId)).toEqual([s1.id]);
      const comparison = expectStatus(
        await s1.api.get(`/sessions/${sessionId}/kpi-snapshots/comparison`),
        200,
      );
      expect(comparison.map((c: any) => c.supplierId)).toEqual([s1.id]);
    });
  });
});
