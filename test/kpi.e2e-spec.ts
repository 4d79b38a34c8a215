import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DevicesService } from '../apps/server/src/devices/devices.service.js';
import { ZonesService } from '../apps/server/src/geofences/zones.service.js';
import type { LookoutRuntime } from '../apps/server/src/lookout.js';
import { connectMqttPublisher, type FixPublisher } from '../simulators/src/broker/mqtt.publisher.js';
import {
  compileScenario,
  groundTruthDocument,
  resolveWearableModel,
  type CompiledScenario,
} from '../simulators/src/scenario/scenario.compiler.js';
import { parseScenario } from '../simulators/src/scenario/scenario.loader.js';
import { publishScenario } from '../simulators/src/scenario/scenario.runner.js';
import { apiClient, expectStatus, type ApiClient } from './support/api.js';
import { eventually, login, runId, sql, startTestLookout, external } from './support/harness.js';
import { addSupplierWithUser } from './support/supplier-half.js';

const SCENARIO_FILE = fileURLToPath(new URL('../simulators/scenarios/multi-supplier.yaml', import.meta.url));
const ACCEPTED = {
  hardwareRevision: 'B2',
  firmware: '2.1',
  appVersion: '1.0',
  gnssReceiver: 'u-blox M10',
  correctionService: 'none',
  alertMode: 'vibrate',
};
/** The server's default matching tolerance (kpiQuerySchema.matchToleranceMs). */
const MATCH_TOLERANCE_MS = 5000;

interface Party {
  supplier: { id: string; name: string };
  api: ApiClient;
  deviceId: string;
  wearable: string;
}

/**
 * Scoring end to end: the multi-supplier scenario (three wearables of known latency and miss behaviour on
 * one gang) is published through the real broker and server, its ground truth imported, and the KPIs the
 * server computes in SQL are checked against what the scenario configured.
 */
describe(`KPIs and trial report (${external ? 'DATABASE_URL + MQTT_URL' : 'embedded PostgreSQL + aedes'})`, () => {
  let runtime: LookoutRuntime;
  let manager: ApiClient;
  let compiled: CompiledScenario;
  let trialId: string;
  let sessionId: string;
  const parties: Party[] = [];
  const publishers: FixPublisher[] = [];
  const RUN = runId();

  beforeAll(async () => {
    runtime = await startTestLookout({ external });
    manager = apiClient(runtime, await login(runtime));
    const scenario = parseScenario(readFileSync(SCENARIO_FILE, 'utf8'), 'multi-supplier.yaml');
    const startMs = Date.now() - scenario.durationS * 1000 - 10_000;
    compiled = compileScenario(scenario, { startMs, deviceIdFor: (id) => `kpi-${id}-${RUN}` });

    const trial = expectStatus(
      await manager.post('/trials', {
        name: `KPI trial ${RUN}`,
        sponsor: 'Infrastructure owner',
        phases: [
          { name: 'accuracy and functionality', from: new Date(startMs - 60_000).toISOString(), to: null },
        ],
      }),
      201,
    );
    trialId = trial.id;
    const site = expectStatus(
      await manager.post('/sites', {
        trialId,
        name: 'Up cess',
        route: 'East Coast',
        elr: 'ECM1',
        mileageFrom: 12.5,
        mileageTo: 13,
        environment: 'open',
      }),
      201,
    );
    for (const [metric, comparator, threshold, unit] of [
      ['lookout.sensitivity', '>=', 1, 'ratio'],
      ['positioning.error_p95_m', '<=', 0.01, 'm'],
      ['device.alert_latency_p95_s', '<=', 60, 's'],
    ] as const) {
      expectStatus(await manager.post('/criteria', { trialId, metric, comparator, threshold, unit }), 201);
    }
    const devices = runtime.app.get(DevicesService);
    for (const device of compiled.devices) {
      const name = `${device.wearableModel} ${RUN}`;
      const {
        id: supplierId,
        api,
        modelId,
      } = await addSupplierWithUser(runtime, manager, {
        trialId,
        name,
        email: `${device.scenarioDeviceId}-${RUN}@supplier.test`,
        modelName: 'Band',
      });
      const supplier = { id: supplierId, name };
      expectStatus(await manager.patch(`/device-models/${modelId}`, { acceptedConfig: ACCEPTED }), 200);
      expectStatus(await api.post('/devices', { id: device.deviceId, modelId, serial: `SN-${RUN}` }), 201);
      expectStatus(
        await api.post(`/devices/${device.deviceId}/configs`, {
          ...ACCEPTED,
          // Supplier C runs beta firmware: configuration drift.
          firmware: device.scenarioDeviceId === 'gang-c' ? '5.0-beta' : ACCEPTED.firmware,
          effectiveFrom: new Date(startMs - 60_000).toISOString(),
        }),
        201,
      );
      const worker = expectStatus(await manager.post('/workers', { trialId }), 201);
      expectStatus(
        await api.post('/enrolments', {
          trialId,
          deviceId: device.deviceId,
          workerId: worker.id,
          validFrom: new Date(startMs - 60_000).toISOString(),
        }),
        201,
      );
      const credential = await devices.issueCredential(device.deviceId);
      const publisher = await connectMqttPublisher({ brokerUrl: runtime.config.mqttUrl, ...credential });
      publishers.push(publisher);
      parties.push({ supplier, api, deviceId: device.deviceId, wearable: device.wearableModel! });
    }
    const session = expectStatus(
      await manager.post('/sessions', {
        trialId,
        siteId: site.id,
        plannedStart: new Date(compiled.startMs - 1000).toISOString(),
        plannedEnd: new Date(compiled.endMs + 5000).toISOString(),
        deviceIds: parties.map((p) => p.deviceId),
      }),
      201,
    );
    sessionId = session.id;
    const zones = runtime.app.get(ZonesService);
    for (const zone of compiled.serverZones) {
      await zones.create({
        name: `kpi/${zone.name} ${RUN}`,
        kind: zone.kind,
        geometry: zone.geometry,
        halfWidthM: zone.halfWidthM,
        appliesTo: zone.appliesTo,
        windows: zone.windows,
        provenance: { source: 'drawing', author: 'kpi suite', method: 'simulators/scenarios/multi-supplier' },
      });
    }
    const publisherOf = new Map(parties.map((p, i) => [p.deviceId, publishers[i]!]));
    const summary = await publishScenario(compiled, {
      publisherFor: (id) => publisherOf.get(id)!,
      speed: 'max',
      maxInFlight: 20,
    });
    expect(summary.failedPublishes).toBe(0);
    const ids = compiled.devices.map((d) => d.deviceId);
    await eventually(
      async () => {
        const [row] = await sql<{ fixes: string; events: string }>(
          runtime,
          `SELECT (SELECT count(*) FROM fix WHERE device_id = ANY($1)) AS fixes,
                  (SELECT count(*) FROM device_event WHERE device_id = ANY($1)) AS events`,
          [ids],
        );
        expect([Number(row!.fixes), Number(row!.events)]).toEqual([
          compiled.devices.reduce((sum, d) => sum + d.publishedFixes, 0),
          compiled.groundTruth.wearableAlerts.length,
        ]);
      },
      30_000,
      100,
    );
    expectStatus(
      await manager.post('/ground-truth', {
        trialId,
        sessionId,
        document: groundTruthDocument(compiled.groundTruth),
      }),
      201,
    );
  }, 90_000);

  afterAll(async () => {
    await Promise.all(publishers.map((publisher) => publisher.close()));
    await runtime?.close();
  });

  const kpi = (client: ApiClient, family: string, query = '') =>
    client.get(`/trials/${trialId}/kpis${family ? `/${family}` : ''}?${query}`);

  it('refuses ground truth naming unknown devices, saying which', async () => {
    const response = await manager.post('/ground-truth', {
      trialId,
      document: {
        ...groundTruthDocument(compiled.groundTruth),
        crossings: [],
        positions: [],
        dropped: [{ deviceId: 'nobody', sequence: 1, trueTime: new Date().toISOString(), reason: 'x' }],
      },
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('nobody');
  });

  it('detects every true crossing longer than the margin (Lookout sensitivity 1.0, no false breaches)', async () => {
    const { groups } = expectStatus(await kpi(manager, 'detection', 'groupBy=supplier'), 200);
    expect(groups).toHaveLength(3);
    for (const group of groups) {
      expect({ supplier: group.label, crossings: group.crossings }).toEqual({
        supplier: group.label,
        crossings: 2,
      });
      expect({
        supplier: group.label,
        sensitivity: group.lookout.sensitivity,
        false: group.lookout.falseAlerts,
      }).toEqual({
        supplier: group.label,
        sensitivity: 1,
        false: 0,
      });
      expect(group.lookout.breachMarginP50M).toBeGreaterThan(0);
    }
  });

  it("scores each wearable's own alerts as its ground truth says, with its configured latency", async () => {
    const { groups, crossings, falseAlerts } = expectStatus(
      await kpi(manager, 'detection', 'groupBy=device&detail=true'),
      200,
    );
    const truth = compiled.groundTruth;
    for (const device of compiled.devices) {
      const model = resolveWearableModel(
        compiled.scenario.devices.find((d) => d.id === device.scenarioDeviceId)!.wearable,
      )!;
      const windows = truth.crossings
        .filter((c) => c.deviceId === device.deviceId)
        .map((c) => ({
          from: c.timeOutMs - MATCH_TOLERANCE_MS,
          to: (c.timeBackInMs ?? compiled.endMs) + MATCH_TOLERANCE_MS,
        }));
      const raised = truth.wearableAlerts.filter(
        (a) => a.deviceId === device.deviceId && a.kind === 'alert-raised',
      );
      const expectedTrue = windows.filter((w) =>
        raised.some((a) => a.eventTimeMs >= w.from && a.eventTimeMs <= w.to),
      ).length;
      const expectedFalse = raised.filter(
        (a) => !windows.some((w) => a.eventTimeMs >= w.from && a.eventTimeMs <= w.to),
      ).length;
      const group = groups.find((g: any) => g.key === device.deviceId);
      expect({
        device: device.scenarioDeviceId,
        alerted: group.device.trueAlerts,
        false: group.device.falseAlerts,
      }).toEqual({
        device: device.scenarioDeviceId,
        alerted: expectedTrue,
        false: expectedFalse,
      });
      expect(group.device.missedAlerts).toBe(2 - expectedTrue);
      expect(
        falseAlerts.filter((f: any) => f.deviceId === device.deviceId && f.source === 'device'),
      ).toHaveLength(expectedFalse);
      // Latency = (first fix beyond the edge - true crossing) + configured latency ± jitter + clock offset.
      const lowS = (model.alertLatencyMs - model.alertLatencyJitterMs + device.clockOffsetMs - 1000) / 1000;
      const highS =
        (model.alertLatencyMs +
          model.alertLatencyJitterMs +
          device.clockOffsetMs +
          3 * device.fixIntervalMs) /
        1000;
      for (const crossing of crossings.filter(
        (c: any) => c.deviceId === device.deviceId && c.deviceAlertAt,
      )) {
        const latencyS = (Date.parse(crossing.deviceAlertAt) - Date.parse(crossing.timeOut)) / 1000;
        expect({
          device: device.scenarioDeviceId,
          latencyS,
          within: latencyS >= lowS && latencyS <= highS,
        }).toMatchObject({ within: true });
      }
      if (expectedTrue > 0) {
        expect(group.latency.crossingToDeviceAlert.p50S).toBeGreaterThanOrEqual(lowS);
        expect(group.latency.crossingToDeviceAlert.maxS).toBeLessThanOrEqual(highS);
      }
      // Where the worker was at each device alert, from the true track: both step-outs go 4 m or 3 m beyond
      // the edge at 2 m/s, so the device alerts somewhere between the edge and 4 m past it (± sway).
      expect(group.device.breachMarginsMeasured).toBe(expectedTrue);
      for (const crossing of crossings.filter(
        (c: any) => c.deviceId === device.deviceId && c.deviceAlertAt,
      )) {
        expect({ device: device.scenarioDeviceId, source: crossing.deviceBreachPositionSource }).toEqual({
          device: device.scenarioDeviceId,
          source: 'ground-truth',
        });
        expect(crossing.deviceBreachMarginM).toBeGreaterThan(-0.5);
        expect(crossing.deviceBreachMarginM).toBeLessThan(4.5);
      }
    }
  });

  it('measures positioning error consistent with the configured noise (r95 1.5 m) and full availability', async () => {
    const [positioning] = expectStatus(await kpi(manager, 'positioning', 'groupBy=trial'), 200);
    const published = compiled.devices.reduce((sum, d) => sum + d.publishedFixes, 0);
    expect(positioning.fixesMatched).toBe(published);
    expect(positioning.p95M).toBeGreaterThan(0.75);
    expect(positioning.p95M).toBeLessThan(2.25);
    expect(positioning.medianM).toBeLessThan(positioning.p95M);
    expect(positioning.cep95M).toBe(positioning.p95M);
    const truthErrors = compiled.groundTruth.positions.map((p) => p.errorM).sort((a, b) => a - b);
    expect(positioning.maxM).toBeCloseTo(truthErrors.at(-1)!, 1);
    expect(positioning.cdf).toHaveLength(21);

    const [availability] = expectStatus(await kpi(manager, 'availability', 'groupBy=trial'), 200);
    expect(availability).toMatchObject({ expectedFixes: published, receivedFixes: published });
    expect(availability.availability).toBeGreaterThan(0.95);
    expect(availability.fixIntervalP50S).toBeCloseTo(1, 1);
  });

  it('slices by site, environment, phase, firmware and session, and flags the drifted configuration', async () => {
    for (const [groupBy, expected] of [
      ['site', ['Up cess']],
      ['environment', ['open']],
      ['phase', ['accuracy and functionality']],
      ['firmware', ['2.1', '5.0-beta']],
    ] as const) {
      const groups = expectStatus(await kpi(manager, 'detection', `groupBy=${groupBy}`), 200).groups;
      expect(groups.map((g: any) => g.label)).toEqual(expected);
    }
    const filtered = expectStatus(
      await kpi(manager, 'positioning', `groupBy=session&sessionId=${sessionId}&environment=open`),
      200,
    );
    expect(filtered).toHaveLength(1);
    const reliability = expectStatus(await kpi(manager, 'reliability', 'groupBy=firmware'), 200);
    expect(reliability.map((r: any) => [r.label, r.driftSessions])).toEqual([
      ['2.1', 0],
      ['5.0-beta', 1],
    ]);
    expect(reliability[0].uptime).toBeGreaterThan(0.9);
    const latency = expectStatus(await kpi(manager, 'latency', 'groupBy=trial'), 200);
    expect(latency[0].crossingToLookoutEvent.p50S).toBeLessThan(5);
  });

  it('evaluates the criteria per supplier, with the figures and their KPI links', async () => {
    const evaluation = expectStatus(await manager.get(`/trials/${trialId}/criteria-evaluation`), 200);
    expect(evaluation).toHaveLength(3);
    for (const supplier of evaluation) {
      const byMetric = Object.fromEntries(supplier.results.map((r: any) => [r.metric, r]));
      expect(byMetric['lookout.sensitivity']).toMatchObject({ verdict: 'pass', value: 1 });
      expect(byMetric['positioning.error_p95_m'].verdict).toBe('fail');
      expect(byMetric['positioning.error_p95_m'].link).toBe(
        `/trials/${trialId}/kpis/positioning?groupBy=supplier&supplierId=${supplier.supplierId}`,
      );
      expectStatus(await manager.get(byMetric['positioning.error_p95_m'].link), 200);
    }
  });

  it('keeps each supplier to its own KPIs, criteria and report', async () => {
    const [mine, theirs] = parties;
    const own = expectStatus(await kpi(mine!.api, 'detection', 'groupBy=supplier'), 200).groups;
    expect(own.map((g: any) => g.key)).toEqual([mine!.supplier.id]);
    expect((await kpi(mine!.api, 'detection', `supplierId=${theirs!.supplier.id}`)).status).toBe(404);
    expect((await kpi(mine!.api, 'positioning', `groupBy=device&deviceId=${theirs!.deviceId}`)).body).toEqual(
      [],
    );
    const criteria = expectStatus(await mine!.api.get(`/trials/${trialId}/criteria-evaluation`), 200);
    expect(criteria.map((c: any) => c.supplierId)).toEqual([mine!.supplier.id]);
    expect(
      (await mine!.api.get(`/trials/${trialId}/report/html?supplierId=${theirs!.supplier.id}`)).status,
    ).toBe(404);
    expect(
      (
        await mine!.api.post('/ground-truth', {
          trialId,
          document: groundTruthDocument(compiled.groundTruth),
        })
      ).status,
    ).toBe(403);
  });

  it('generates the trial report: HTML with SVG plots, and a PDF with the measured figures', async () => {
    const response = await fetch(`${runtime.httpUrl}/trials/${trialId}/report/html`, {
      headers: { authorization: `Bearer ${await login(runtime)}` },
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html.match(/<svg /g)?.length).toBe(4);
    for (const title of [
      'Latency histogram',
      'availability per slice',
      'Positioning error CDF',
      'Alerts on a timeline',
    ]) {
      expect(html).toContain(`<title>${title}</title>`);
    }
    const [supplier] = parties;
    const pdfResponse = await fetch(
      `${runtime.httpUrl}/trials/${trialId}/report/pdf?supplierId=${supplier!.supplier.id}`,
      {
        headers: { authorization: `Bearer ${await login(runtime)}` },
      },
    );
    expect(pdfResponse.status).toBe(200);
    expect(pdfResponse.headers.get('content-type')).toContain('application/pdf');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'lookout-kpi-')), 'report.pdf');
    writeFileSync(file, Buffer.from(await pdfResponse.arrayBuffer()));
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    expect(text).toContain(`KPI trial ${RUN}`);
    expect(text).toContain(supplier!.supplier.name);
    expect(text).toContain('lookout.sensitivity');
    expect(text).toContain('PASS');
    expect(text).toContain('1.000');
    expect(text).toContain('Worker-level results hidden');
  }, 30_000);
});
