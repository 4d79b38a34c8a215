import type { LookoutRuntime } from '../apps/server/src/lookout.js';
import { apiClient, expectStatus, type ApiClient } from './support/api.js';
import { login, runId, startTestLookout, external } from './support/harness.js';

const PASSWORD = 'a long enough password';
const answers = (score: number) => ({
  comfort: score,
  alertNoticeability: score,
  nuisanceAlerts: score,
  battery: score,
  trust: score,
  comments: 'fine',
});

describe(`worker feedback (${external ? 'DATABASE_URL' : 'embedded PostgreSQL'})`, () => {
  let runtime: LookoutRuntime;
  let manager: ApiClient;
  let acme: ApiClient;
  let trial: any;
  let session: any;
  let acmeId: string;
  let boltId: string;
  const id = runId();

  beforeAll(async () => {
    runtime = await startTestLookout({ external });
    manager = apiClient(runtime, await login(runtime));
    trial = expectStatus(await manager.post('/trials', { name: `Feedback ${id}`, sponsor: 'Sponsor' }), 201);
    const suppliers = [];
    for (const name of ['Acme', 'Bolt']) {
      const supplier = expectStatus(await manager.post('/suppliers', { name: `${name} fb ${id}` }), 201);
      expectStatus(await manager.post(`/trials/${trial.id}/suppliers`, { supplierId: supplier.id }), 201);
      suppliers.push(supplier.id as string);
    }
    [acmeId, boltId] = suppliers as [string, string];
    const email = `acme-fb-${id}@supplier.test`;
    expectStatus(
      await manager.post('/users', { email, password: PASSWORD, role: 'supplier', supplierId: acmeId }),
      201,
    );
    acme = apiClient(runtime, await login(runtime, email, PASSWORD));
    const site = expectStatus(
      await manager.post('/sites', {
        trialId: trial.id,
        name: 'Cess',
        route: 'East Coast',
        elr: 'ECM1',
        mileageFrom: 1,
        mileageTo: 2,
        environment: 'open',
      }),
      201,
    );
    session = expectStatus(
      await manager.post('/sessions', {
        trialId: trial.id,
        siteId: site.id,
        plannedStart: '2026-12-01T09:00:00Z',
        plannedEnd: '2026-12-01T12:00:00Z',
      }),
      201,
    );
    // Five Acme wearers (a group that may be shown) and four Bolt wearers (one that may not).
    for (const [index, supplierId] of [
      acmeId,
      acmeId,
      acmeId,
      acmeId,
      acmeId,
      boltId,
      boltId,
      boltId,
      boltId,
    ].entries()) {
      const worker = expectStatus(await manager.post('/workers', { trialId: trial.id }), 201);
      expectStatus(
        await manager.post('/feedback', {
          sessionId: session.id,
          workerId: worker.id,
          supplierId,
          answers: answers((index % 5) + 1),
        }),
        201,
      );
    }
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('aggregates per question and hides groups smaller than five', async () => {
    const shown = expectStatus(
      await manager.get(`/feedback/aggregates?trialId=${trial.id}&supplierId=${acmeId}`),
      200,
    );
    expect(shown).toMatchObject({ suppressed: false, responses: 5, minGroupSize: 5 });
    expect(shown.questions).toHaveLength(5);
    expect(shown.questions[0]).toMatchObject({
      key: 'comfort',
      mean: 3,
      distribution: { 1: 1, 2: 1, 3: 1, 4: 1, 5: 1 },
    });
    expect(JSON.stringify(shown)).not.toContain('fine');
    const hidden = expectStatus(
      await manager.get(`/feedback/aggregates?trialId=${trial.id}&supplierId=${boltId}`),
      200,
    );
    expect(hidden).toMatchObject({ suppressed: true, responses: null });
    expect(
      hidden.questions.every((question: any) => question.suppressed && question.mean === undefined),
    ).toBe(true);
  });

  it('shows a supplier only its own group and never the raw responses', async () => {
    expect(expectStatus(await acme.get(`/feedback/aggregates?trialId=${trial.id}`), 200)).toMatchObject({
      supplierId: acmeId,
      responses: 5,
    });
    expectStatus(await acme.get(`/feedback/aggregates?trialId=${trial.id}&supplierId=${boltId}`), 404);
    expectStatus(await acme.get(`/feedback?trialId=${trial.id}`), 403);
    expect(expectStatus(await manager.get(`/feedback?trialId=${trial.id}`), 200).total).toBe(9);
  });

  it('refuses names, unknown workers, bad scores and duplicates', async () => {
    const worker = expectStatus(await manager.post('/workers', { trialId: trial.id }), 201);
    const base = { sessionId: session.id, workerId: worker.id };
    expectStatus(await manager.post('/feedback', { ...base, workerName: 'Alice', answers: answers(3) }), 400);
    const bad = expectStatus(
      await manager.post('/feedback', { ...base, answers: { ...answers(3), trust: 9, name: 'Alice' } }),
      400,
    );
    expect(bad.issues.map((issue: any) => issue.path).sort()).toEqual(['answers.name', 'answers.trust']);
    const otherTrial = expectStatus(
      await manager.post('/trials', { name: `Other ${id}`, sponsor: 'S' }),
      201,
    );
    const stranger = expectStatus(await manager.post('/workers', { trialId: otherTrial.id }), 201);
    expect(
      expectStatus(
        await manager.post('/feedback', { ...base, workerId: stranger.id, answers: answers(3) }),
        400,
      ).issues,
    ).toEqual([expect.objectContaining({ path: 'workerId' })]);
    expectStatus(await manager.post('/feedback', { ...base, answers: answers(3) }), 201);
    expectStatus(await manager.post('/feedback', { ...base, answers: answers(3) }), 409);
  });
});
