import type { LookoutRuntime } from '../apps/server/src/lookout.js';
import { apiClient, expectStatus, type ApiClient } from './support/api.js';
import { login, runId, sql, startTestLookout, external } from './support/harness.js';

const ACCEPTED = {
  hardwareRevision: 'B2',
  firmware: '4.1.0',
  appVersion: '2.3.1',
  gnssReceiver: 'u-blox F9P',
  correctionService: 'RTK network',
  alertMode: 'vibrate+tone',
};
const PASSWORD = 'a long enough password';

interface Half {
  supplier: any;
  api: ApiClient;
  model: any;
  device: any;
  worker: any;
  enrolment: any;
}

/**
 * A manager sets up a two-supplier trial entirely through the API; then each supplier, a viewer and an
 * anonymous caller are held to what they may see and do.
 */
describe(`trial API (${external ? 'DATABASE_URL' : 'embedded PostgreSQL'})`, () => {
  let runtime: LookoutRuntime;
  let manager: ApiClient;
  let viewer: ApiClient;
  let anonymous: ApiClient;
  let trial: any;
  let site: any;
  let scenario: any;
  let session: any;
  let criterion: any;
  const halves: Half[] = [];
  const id = runId();

  async function setUpHalf(name: string, trialId: string): Promise<Half> {
    const supplier = expectStatus(await manager.post('/suppliers', { name: `${name} ${id}` }), 201);
    expectStatus(await manager.post(`/trials/${trialId}/suppliers`, { supplierId: supplier.id }), 201);
    const email = `${name.toLowerCase()}-${id}@supplier.test`;
    expectStatus(
      await manager.post('/users', { email, password: PASSWORD, role: 'supplier', supplierId: supplier.id }),
      201,
    );
    const api = apiClient(runtime, await login(runtime, email, PASSWORD));
    const model = expectStatus(
      await api.post('/device-models', { supplierId: supplier.id, name: `${name} Band` }),
      201,
    );
    expectStatus(await manager.patch(`/device-models/${model.id}`, { acceptedConfig: ACCEPTED }), 200);
    const device = expectStatus(
      await api.post('/devices', {
        id: `${name.toLowerCase()}-${id}`,
        modelId: model.id,
        serial: `SN-${name}-${id}`,
      }),
      201,
    );
    const worker = expectStatus(await manager.post('/workers', { trialId }), 201);
    const enrolment = expectStatus(
      await api.post('/enrolments', {
        trialId,
        deviceId: device.id,
        workerId: worker.id,
        validFrom: '2026-01-01T00:00:00Z',
      }),
      201,
    );
    return { supplier, api, model, device, worker, enrolment };
  }

  beforeAll(async () => {
    runtime = await startTestLookout({ external });
    manager = apiClient(runtime, await login(runtime));
    anonymous = apiClient(runtime);
    expectStatus(
      await manager.post('/users', {
        email: `viewer-${id}@lookout.test`,
        password: PASSWORD,
        role: 'viewer',
      }),
      201,
    );
    viewer = apiClient(runtime, await login(runtime, `viewer-${id}@lookout.test`, PASSWORD));

    trial = expectStatus(
      await manager.post('/trials', {
        name: `Cess wearables ${id}`,
        sponsor: 'Infrastructure owner',
        phases: [{ name: 'accuracy and functionality' }, { name: 'operational scenarios' }],
        retentionDays: 90,
      }),
      201,
    );
    site = expectStatus(
      await manager.post('/sites', {
        trialId: trial.id,
        name: 'Up cess at 12m 40ch',
        route: 'East Coast',
        elr: 'ECM1',
        mileageFrom: 12.5,
        mileageTo: 13.25,
        environment: 'cutting',
      }),
      201,
    );
    scenario = expectStatus(
      await manager.post('/scenarios', {
        trialId: trial.id,
        name: 'Step out and back',
        steps: ['walk the cess', 'step 3 m towards the running line', 'return'],
      }),
      201,
    );
    criterion = expectStatus(
      await manager.post('/criteria', {
        trialId: trial.id,
        metric: 'exits alerted within 2 s',
        comparator: '>=',
        threshold: 95,
        unit: '%',
      }),
      201,
    );
    halves.push(await setUpHalf('Acme', trial.id), await setUpHalf('Bolt', trial.id));
    session = expectStatus(
      await manager.post('/sessions', {
        trialId: trial.id,
        siteId: site.id,
        scenarioId: scenario.id,
        plannedStart: '2026-12-01T09:00:00Z',
        plannedEnd: '2026-12-01T12:00:00Z',
        deviceIds: halves.map((half) => half.device.id),
        workerIds: halves.map((half) => half.worker.id),
      }),
      201,
    );
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('lets a manager set up the whole trial and read every resource back', async () => {
    expect(expectStatus(await manager.get(`/trials/${trial.id}`), 200)).toMatchObject({
      status: 'draft',
      retentionDays: 90,
      supplierIds: expect.arrayContaining(halves.map((half) => half.supplier.id)),
    });
    expect(expectStatus(await manager.get(`/sites/${site.id}`), 200)).toMatchObject({
      elr: 'ECM1',
      mileageFrom: 12.5,
      mileageTo: 13.25,
      environment: 'cutting',
    });
    expect(expectStatus(await manager.get(`/sites?trialId=${trial.id}`), 200)).toMatchObject({ total: 1 });
    expect(expectStatus(await manager.get(`/scenarios/${scenario.id}`), 200).steps).toHaveLength(3);
    expect(expectStatus(await manager.get(`/criteria?trialId=${trial.id}`), 200).items).toEqual([
      expect.objectContaining({ id: criterion.id, threshold: 95 }),
    ]);
    const workers = expectStatus(await manager.get(`/workers?trialId=${trial.id}`), 200);
    expect(workers.total).toBe(2);
    for (const worker of workers.items) expect(worker.code).toMatch(/^W-[0-9A-Z]{6}$/);
    expect(expectStatus(await manager.get(`/sessions/${session.id}`), 200).deviceIds).toHaveLength(2);
    expect(expectStatus(await manager.get(`/enrolments?trialId=${trial.id}`), 200).total).toBe(2);
    expect(expectStatus(await viewer.get('/live/config'), 200)).toEqual({ tileUrl: null });
    const page = expectStatus(await manager.get(`/devices?limit=1&offset=0`), 200);
    expect(page.items).toHaveLength(1);
    expect(page.total).toBeGreaterThanOrEqual(2);
  });

  it('updates resources and keeps names out of worker records', async () => {
    expect(
      expectStatus(await manager.patch(`/sites/${site.id}`, { name: 'Up cess 12m 40ch' }), 200).name,
    ).toBe('Up cess 12m 40ch');
    expect(
      expectStatus(
        await manager.patch(`/scenarios/${scenario.id}`, { description: 'Known breach of 10 s' }),
        200,
      ),
    ).toMatchObject({ description: 'Known breach of 10 s', steps: scenario.steps });
    const columns = await sql<{ column_name: string }>(
      runtime,
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'worker'`,
    );
    expect(columns.map((c) => c.column_name).sort()).toEqual(['code', 'created_at', 'id', 'trial_id']);
    // A worker cannot be given a name: the code is generated and the body takes nothing else.
    const named = await manager.post('/workers', { trialId: trial.id, name: 'John Smith' });
    expect(named.status).toBe(201);
    expect(JSON.stringify(named.body)).not.toContain('John');
  });

  it('shows each device credential once and stores only its hash', async () => {
    const [acme] = halves;
    expect(acme!.device.credential).toEqual({ username: acme!.device.id, password: expect.any(String) });
    expect(expectStatus(await manager.get(`/devices/${acme!.device.id}`), 200).credential).toBeUndefined();
    const [row] = await sql<{ credential_hash: string }>(
      runtime,
      'SELECT credential_hash FROM device WHERE id = $1',
      [acme!.device.id],
    );
    expect(row!.credential_hash).toMatch(/^\$argon2id\$/);
    expect(row!.credential_hash).not.toContain(acme!.device.credential.password);
  });

  it("flags configuration drift from the model's accepted configuration", async () => {
    const [acme] = halves;
    const path = `/devices/${acme!.device.id}/configs`;
    expectStatus(await acme!.api.post(path, { ...ACCEPTED, effectiveFrom: '2026-02-01T00:00:00Z' }), 201);
    const drifted = expectStatus(
      await acme!.api.post(path, {
        ...ACCEPTED,
        firmware: '4.2.0-beta',
        effectiveFrom: '2026-03-01T00:00:00Z',
      }),
      201,
    );
    expect(drifted.drift).toEqual(['firmware']);
    const configs = expectStatus(await manager.get(path), 200);
    expect(configs.map((config: any) => config.drift)).toEqual([[], ['firmware']]);
    expect(expectStatus(await manager.get(`/devices/${acme!.device.id}`), 200)).toMatchObject({
      currentConfig: { firmware: '4.2.0-beta' },
      drift: ['firmware'],
    });
    // Only a manager records what was accepted.
    expect(
      (await acme!.api.patch(`/device-models/${acme!.model.id}`, { acceptedConfig: ACCEPTED })).status,
    ).toBe(403);
  });

  it('keeps each supplier to its own half of the trial', async () => {
    const [acme, bolt] = halves as [Half, Half];
    for (const [mine, theirs] of [
      [acme, bolt],
      [bolt, acme],
    ] as const) {
      const devices = expectStatus(await mine.api.get('/devices'), 200);
      expect(devices.items.map((d: any) => d.id)).toEqual([mine.device.id]);
      expect((await mine.api.get(`/devices/${theirs.device.id}`)).status).toBe(404);
      expect((await mine.api.get(`/devices/${theirs.device.id}/configs`)).status).toBe(404);
      expect((await mine.api.patch(`/devices/${theirs.device.id}`, { name: 'mine now' })).status).toBe(404);
      expect((await mine.api.post(`/devices/${theirs.device.id}/credentials`, {})).status).toBe(404);
      expect(expectStatus(await mine.api.get('/device-models'), 200).items.map((m: any) => m.id)).toEqual([
        mine.model.id,
      ]);
      expect((await mine.api.get(`/device-models/${theirs.model.id}`)).status).toBe(404);
      expect(
        (await mine.api.post('/device-models', { supplierId: theirs.supplier.id, name: 'Forged' })).status,
      ).toBe(403);
      expect(
        (await mine.api.post('/devices', { id: `forged-${runId()}`, modelId: theirs.model.id, serial: 'X' }))
          .status,
      ).toBe(404);
      expect(expectStatus(await mine.api.get('/suppliers'), 200).items.map((s: any) => s.id)).toEqual([
        mine.supplier.id,
      ]);
      expect((await mine.api.get(`/suppliers/${theirs.supplier.id}`)).status).toBe(404);
      expect(expectStatus(await mine.api.get(`/enrolments?trialId=${trial.id}`), 200).items).toEqual([
        expect.objectContaining({ id: mine.enrolment.id }),
      ]);
      expect((await mine.api.get(`/enrolments/${theirs.enrolment.id}`)).status).toBe(404);
      expect(
        expectStatus(await mine.api.get(`/workers?trialId=${trial.id}`), 200).items.map((w: any) => w.id),
      ).toEqual([mine.worker.id]);
      expect((await mine.api.get(`/workers/${theirs.worker.id}`)).status).toBe(404);
      const visibleSession = expectStatus(await mine.api.get(`/sessions/${session.id}`), 200);
      expect(visibleSession.deviceIds).toEqual([mine.device.id]);
      expect(visibleSession.workerIds).toEqual([mine.worker.id]);
      const trialView = expectStatus(await mine.api.get(`/trials/${trial.id}`), 200);
      expect(trialView.supplierIds).toEqual([mine.supplier.id]);
      expect(
        (
          await mine.api.post('/enrolments', {
            trialId: trial.id,
            deviceId: theirs.device.id,
            validFrom: '2026-01-01T00:00:00Z',
          })
        ).status,
      ).toBe(404);
    }
  });

  it('hides trials a supplier does not take part in', async () => {
    const other = expectStatus(
      await manager.post('/trials', { name: `Other ${id}`, sponsor: 'Someone' }),
      201,
    );
    const [acme] = halves;
    expect(expectStatus(await acme!.api.get('/trials'), 200).items.map((t: any) => t.id)).toEqual([trial.id]);
    expect((await acme!.api.get(`/trials/${other.id}`)).status).toBe(404);
    expect(expectStatus(await acme!.api.get(`/sites?trialId=${other.id}`), 200).items).toEqual([]);
  });

  it('answers 400 with field-level issues on every write endpoint', async () => {
    const cases: [string, string, unknown, string[]][] = [
      ['POST', '/suppliers', { name: '' }, ['name']],
      ['POST', '/trials', { name: 'x', retentionDays: 0 }, ['sponsor', 'retentionDays']],
      ['PATCH', `/trials/${trial.id}`, { status: 'paused' }, ['status']],
      ['POST', `/trials/${trial.id}/suppliers`, { supplierId: 'nope' }, ['supplierId']],
      [
        'POST',
        '/sites',
        {
          trialId: trial.id,
          name: 'x',
          route: 'r',
          elr: 'ecm 1',
          mileageFrom: 3,
          mileageTo: 1,
          environment: 'moon',
        },
        ['elr', 'environment'],
      ],
      ['PATCH', `/sites/${site.id}`, { environment: 'sea' }, ['environment']],
      ['POST', '/scenarios', { trialId: 'x', name: '' }, ['trialId', 'name']],
      ['PATCH', `/scenarios/${scenario.id}`, { steps: 'walk' }, ['steps']],
      [
        'POST',
        '/criteria',
        { trialId: trial.id, metric: 'm', comparator: '~', threshold: 'high', unit: '%' },
        ['comparator', 'threshold'],
      ],
      ['PATCH', `/criteria/${criterion.id}`, { comparator: '!=' }, ['comparator']],
      ['POST', '/workers', {}, ['trialId']],
      [
        'POST',
        '/enrolments',
        { trialId: trial.id, deviceId: '', validFrom: 'soon' },
        ['deviceId', 'validFrom'],
      ],
      ['PATCH', `/enrolments/${halves[0]!.enrolment.id}`, { validTo: 'later' }, ['validTo']],
      [
        'POST',
        '/sessions',
        {
          trialId: trial.id,
          siteId: site.id,
          plannedStart: '2026-12-02T10:00:00Z',
          plannedEnd: '2026-12-02T09:00:00Z',
        },
        ['plannedEnd'],
      ],
      ['PATCH', `/sessions/${session.id}`, { status: 'paused' }, ['status']],
      [
        'POST',
        '/device-models',
        { supplierId: halves[0]!.supplier.id, name: 'x', codec: 'morse' },
        ['codec'],
      ],
      [
        'PATCH',
        `/device-models/${halves[0]!.model.id}`,
        { acceptedConfig: { firmware: '1' } },
        ['acceptedConfig.hardwareRevision'],
      ],
      ['POST', '/devices', { id: 'has space', modelId: halves[0]!.model.id, serial: '' }, ['id', 'serial']],
      ['PATCH', `/devices/${halves[0]!.device.id}`, { groups: 'all' }, ['groups']],
      [
        'POST',
        `/devices/${halves[0]!.device.id}/configs`,
        { firmware: '1', effectiveFrom: 'now' },
        ['hardwareRevision', 'effectiveFrom'],
      ],
      [
        'POST',
        '/users',
        { email: 'not-an-email', password: 'short', role: 'admin' },
        ['email', 'password', 'role'],
      ],
      ['POST', '/auth/login', { email: 'x' }, ['email', 'password']],
    ];
    for (const [method, path, body, fields] of cases) {
      const response = await manager.call(method, path, body);
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 400 });
      const paths = (response.body.issues as { path: string }[]).map((issue) => issue.path);
      for (const field of fields)
        expect({ path, issues: paths }).toEqual({ path, issues: expect.arrayContaining([field]) });
    }
    const malformed = await manager.call('POST', '/trials', '{"name": ');
    expect(malformed.status).toBe(400);
    const huge = await manager.call('POST', '/trials', { name: 'x'.repeat(2 * 1024 * 1024), sponsor: 's' });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ statusCode: 413, message: expect.stringMatching(/too large/i) });
  });

  it('refuses session starts without a DPIA and criteria changes once the trial is active', async () => {
    expect(
      expectStatus(await manager.patch(`/sessions/${session.id}`, { status: 'running' }), 409).message,
    ).toMatch(/data-protection impact assessment/);
    expect(
      expectStatus(await manager.patch(`/trials/${trial.id}`, { status: 'active' }), 409).message,
    ).toMatch(/dpiaReference/);
    expectStatus(
      await manager.patch(`/trials/${trial.id}`, { status: 'active', dpiaReference: 'DPIA-2026-014' }),
      200,
    );
    const started = expectStatus(await manager.patch(`/sessions/${session.id}`, { status: 'running' }), 200);
    expect(started.actualStart).toEqual(expect.any(String));
    expect(
      expectStatus(await manager.patch(`/criteria/${criterion.id}`, { threshold: 50 }), 409).message,
    ).toMatch(/fixed once the trial is active/);
    expect((await manager.delete(`/criteria/${criterion.id}`)).status).toBe(409);
    expect(
      (
        await manager.post('/criteria', {
          trialId: trial.id,
          metric: 'late',
          comparator: '<',
          threshold: 1,
          unit: 'n',
        })
      ).status,
    ).toBe(409);
    expect(
      expectStatus(await manager.patch(`/trials/${trial.id}`, { status: 'draft' }), 409).message,
    ).toMatch(/cannot become draft/);
  });

  it('records every write in the audit log, with secrets redacted', async () => {
    const log = expectStatus(await manager.get('/audit-log?resource=/users&limit=100'), 200);
    expect(log.items.length).toBeGreaterThanOrEqual(3);
    const entry = log.items.find((item: any) => item.detail.body.email === `viewer-${id}@lookout.test`);
    expect(entry).toMatchObject({ action: 'POST', status: 201, userEmail: 'manager@lookout.test' });
    expect(entry.detail.body.password).toBe('[redacted]');
    const refused = expectStatus(await manager.get('/audit-log?resource=/criteria/:id&limit=100'), 200);
    expect(refused.items.some((item: any) => item.status === 409)).toBe(true);
    expect((await halves[0]!.api.get('/audit-log')).status).toBe(403);
  });

  it('audits writes the auth guard refuses, with who tried', async () => {
    const supplierEmail = `acme-${id}@supplier.test`;
    expect((await halves[0]!.api.post('/trials', { name: 'Mine', sponsor: 'Me' })).status).toBe(403);
    expect((await anonymous.post('/trials', { name: 'Anon', sponsor: 'Me' })).status).toBe(401);
    const log = expectStatus(await manager.get('/audit-log?resource=/trials&limit=200'), 200);
    expect(log.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'POST', status: 403, userEmail: supplierEmail }),
        expect.objectContaining({ action: 'POST', status: 401, userEmail: null }),
      ]),
    );
  });

  describe('authorisation matrix', () => {
    type Role = 'manager' | 'supplier' | 'viewer' | 'anonymous';
    const READ = { manager: 200, supplier: 200, viewer: 200, anonymous: 401 };
    const MANAGER_WRITE = (status: number) => ({
      manager: status,
      supplier: 403,
      viewer: 403,
      anonymous: 401,
    });
    const SUPPLIER_WRITE = (status: number) => ({
      manager: status,
      supplier: status,
      viewer: 403,
      anonymous: 401,
    });
    // One row per endpoint; bodies are functions so each role's attempt creates something new.
    const rows: [string, () => string, (() => unknown) | undefined, Record<Role, number>][] = [
      ['GET', () => '/auth/me', undefined, READ],
      ['GET', () => '/users', undefined, { manager: 200, supplier: 403, viewer: 403, anonymous: 401 }],
      [
        'POST',
        () => '/users',
        () => ({ email: `m-${runId()}@x.test`, password: PASSWORD, role: 'viewer' }),
        MANAGER_WRITE(201),
      ],
      ['GET', () => '/audit-log', undefined, { manager: 200, supplier: 403, viewer: 403, anonymous: 401 }],
      ['GET', () => '/suppliers', undefined, READ],
      ['GET', () => `/suppliers/${halves[0]!.supplier.id}`, undefined, READ],
      ['POST', () => '/suppliers', () => ({ name: `S ${runId()}` }), MANAGER_WRITE(201)],
      ['GET', () => '/trials', undefined, READ],
      ['GET', () => `/trials/${trial.id}`, undefined, READ],
      ['POST', () => '/trials', () => ({ name: 'T', sponsor: 'S' }), MANAGER_WRITE(201)],
      ['PATCH', () => `/trials/${trial.id}`, () => ({ sponsor: 'Sponsor' }), MANAGER_WRITE(200)],
      [
        'POST',
        () => `/trials/${trial.id}/suppliers`,
        () => ({ supplierId: halves[0]!.supplier.id }),
        MANAGER_WRITE(201),
      ],
      ['GET', () => '/sites', undefined, READ],
      ['GET', () => `/sites/${site.id}`, undefined, READ],
      [
        'POST',
        () => '/sites',
        () => ({
          trialId: trial.id,
          name: 'S',
          route: 'R',
          elr: 'ECM1',
          mileageFrom: 1,
          mileageTo: 2,
          environment: 'open',
        }),
        MANAGER_WRITE(201),
      ],
      ['PATCH', () => `/sites/${site.id}`, () => ({ route: 'East Coast' }), MANAGER_WRITE(200)],
      ['GET', () => '/scenarios', undefined, READ],
      ['GET', () => `/scenarios/${scenario.id}`, undefined, READ],
      ['POST', () => '/scenarios', () => ({ trialId: trial.id, name: `Sc ${runId()}` }), MANAGER_WRITE(201)],
      ['PATCH', () => `/scenarios/${scenario.id}`, () => ({ description: 'd' }), MANAGER_WRITE(200)],
      ['GET', () => '/criteria', undefined, READ],
      ['GET', () => `/criteria/${criterion.id}`, undefined, READ],
      ['GET', () => '/workers', undefined, READ],
      ['POST', () => '/workers', () => ({ trialId: trial.id }), MANAGER_WRITE(201)],
      ['GET', () => '/enrolments', undefined, READ],
      ['GET', () => `/enrolments/${halves[0]!.enrolment.id}`, undefined, READ],
      [
        'PATCH',
        () => `/enrolments/${halves[0]!.enrolment.id}`,
        () => ({ validTo: null }),
        SUPPLIER_WRITE(200),
      ],
      [
        'POST',
        () => '/enrolments',
        () => ({ trialId: trial.id, deviceId: halves[0]!.device.id, validFrom: '2026-06-01T00:00:00Z' }),
        SUPPLIER_WRITE(201),
      ],
      ['GET', () => '/sessions', undefined, READ],
      ['GET', () => `/sessions/${session.id}`, undefined, READ],
      [
        'POST',
        () => '/sessions',
        () => ({
          trialId: trial.id,
          siteId: site.id,
          plannedStart: '2026-12-03T09:00:00Z',
          plannedEnd: '2026-12-03T10:00:00Z',
        }),
        MANAGER_WRITE(201),
      ],
      ['GET', () => '/device-models', undefined, READ],
      ['GET', () => `/device-models/${halves[0]!.model.id}`, undefined, READ],
      [
        'POST',
        () => '/device-models',
        () => ({ supplierId: halves[0]!.supplier.id, name: `M ${runId()}` }),
        SUPPLIER_WRITE(201),
      ],
      [
        'PATCH',
        () => `/device-models/${halves[0]!.model.id}`,
        () => ({ name: 'Acme Band' }),
        SUPPLIER_WRITE(200),
      ],
      ['GET', () => '/devices', undefined, READ],
      ['GET', () => `/devices/${halves[0]!.device.id}`, undefined, READ],
      [
        'POST',
        () => '/devices',
        () => ({ id: `d-${runId()}`, modelId: halves[0]!.model.id, serial: runId() }),
        SUPPLIER_WRITE(201),
      ],
      ['PATCH', () => `/devices/${halves[0]!.device.id}`, () => ({ name: 'Acme 1' }), SUPPLIER_WRITE(200)],
      ['GET', () => `/devices/${halves[0]!.device.id}/configs`, undefined, READ],
      [
        'POST',
        () => `/devices/${halves[0]!.device.id}/configs`,
        () => ({ ...ACCEPTED, effectiveFrom: new Date(Date.now() - Math.random() * 1e9).toISOString() }),
        SUPPLIER_WRITE(201),
      ],
    ];
    const clients = (): Record<Role, ApiClient> => ({
      manager,
      supplier: halves[0]!.api,
      viewer,
      anonymous,
    });

    it.each(
      rows.map(
        ([method, path, body, expected]) =>
          [`${method} ${path.toString().slice(6, 60)}`, method, path, body, expected] as const,
      ),
    )('%s', async (_name, method, path, body, expected) => {
      const actual: Record<string, number> = {};
      for (const [role, client] of Object.entries(clients())) {
        actual[role] = (await client.call(method, path(), body?.())).status;
      }
      expect(actual).toEqual(expected);
    });

    it('leaves /health open and every other route closed to anonymous callers', async () => {
      expect((await anonymous.get('/health')).status).toBe(200);
      const document = expectStatus(await manager.get('/docs/openapi.json'), 200);
      const open = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
        ([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
      );
      expect(open.length).toBeGreaterThan(40);
      for (const route of open) {
        const [method, path] = route.split(' ') as [string, string];
        const concrete = path.replace(/\{[^}]+\}/g, '00000000-0000-0000-0000-000000000000');
        const status = (await anonymous.call(method, concrete, method === 'GET' ? undefined : {})).status;
        const expected = route === 'GET /health' || route === 'POST /auth/login' ? status : 401;
        expect({ route, status }).toEqual({ route, status: expected });
      }
    });
  });
});
