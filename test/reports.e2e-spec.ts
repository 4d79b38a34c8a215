import type { LookoutRuntime } from '../apps/server/src/lookout.js';
import { apiClient, expectStatus, type ApiClient } from './support/api.js';
import { login, runId, sql, startTestLookout, external } from './support/harness.js';

const PASSWORD = 'a long enough password';

/** A complete version-1 supplier trial report. */
function completeSections(hazards: string[] = ['trip in the cess: walk the marked path']) {
  const body = (text: string) => ({ body: text });
  return {
    control: { documentReference: 'ACME-TR-001', issue: '1', authors: ['trial engineer'] },
    summary: body('The band alerted on every exit.'),
    configuration: {
      hardwareRevision: 'B2',
      firmware: '4.1.0',
      appVersion: '2.3.1',
      alertMode: 'vibrate+tone',
    },
    objectives: { objectives: ['alert within 2 s'], criteria: '95% of exits alerted within 2 s.' },
    method: body('Two sites, four scenarios.'),
    safety: { hazards, incidents: 'None.' },
    technicalResults: body('97% within 2 s.'),
    reliability: body('No failures.'),
    humanFactors: body('Comfortable.'),
    integration: body('Fits the safe system of work.'),
    deviations: body('None.'),
    trlSelfAssessment: { claimedLevel: 7, justification: 'All TRL 7 criteria met.' },
    recommendations: body('Proceed to qualification.'),
    annexes: { list: [] },
  };
}

describe(`supplier reports (${external ? 'DATABASE_URL' : 'embedded PostgreSQL'})`, () => {
  let runtime: LookoutRuntime;
  let manager: ApiClient;
  let acme: ApiClient;
  let bolt: ApiClient;
  let trial: any;
  let report: any;
  const id = runId();

  async function supplierApi(name: string): Promise<ApiClient> {
    const supplier = expectStatus(await manager.post('/suppliers', { name: `${name} ${id}` }), 201);
    expectStatus(await manager.post(`/trials/${trial.id}/suppliers`, { supplierId: supplier.id }), 201);
    const email = `${name.toLowerCase()}-rep-${id}@supplier.test`;
    expectStatus(
      await manager.post('/users', { email, password: PASSWORD, role: 'supplier', supplierId: supplier.id }),
      201,
    );
    return apiClient(runtime, await login(runtime, email, PASSWORD));
  }

  beforeAll(async () => {
    runtime = await startTestLookout({ external });
    manager = apiClient(runtime, await login(runtime));
    trial = expectStatus(await manager.post('/trials', { name: `Reports ${id}`, sponsor: 'Sponsor' }), 201);
    acme = await supplierApi('Acme');
    bolt = await supplierApi('Bolt');
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('publishes the versioned template with the DESIGN.md sections', async () => {
    const templates = expectStatus(await acme.get('/report-templates'), 200);
    const template = templates.find(
      (candidate: any) => candidate.name === 'supplier-trial-report' && candidate.version === 1,
    );
    expect(template.sections.map((section: any) => section.key)).toEqual(Object.keys(completeSections()));
  });

  it('refuses a report with missing required fields, naming each one', async () => {
    const { safety: _safety, ...sections } = completeSections();
    const refused = expectStatus(
      await acme.post('/reports', {
        trialId: trial.id,
        title: 'Acme trial report',
        sections: { ...sections, safety: { incidents: 'None.' }, summary: { body: '' } },
      }),
      400,
    );
    expect(refused.issues.map((issue: any) => issue.path).sort()).toEqual([
      'sections.safety.hazards',
      'sections.summary.body',
    ]);
  });

  it('runs submitted → changes-requested → resubmitted → accepted, keeping every version', async () => {
    report = expectStatus(
      await acme.post('/reports', {
        trialId: trial.id,
        title: 'Acme trial report',
        sections: completeSections(),
      }),
      201,
    );
    expect(report).toMatchObject({ status: 'submitted', currentVersion: 1 });
    expectStatus(
      await manager.post('/reports', { trialId: trial.id, title: 'x', sections: completeSections() }),
      403,
    );
    // Not yet: changes have not been requested.
    expectStatus(await acme.post(`/reports/${report.id}/versions`, { sections: completeSections() }), 409);
    expectStatus(
      await manager.post(`/reports/${report.id}/reviews`, { decision: 'changes-requested', comments: {} }),
      400,
    );
    expectStatus(
      await manager.post(`/reports/${report.id}/reviews`, {
        decision: 'changes-requested',
        comments: { nonsense: 'x' },
      }),
      400,
    );
    const review = expectStatus(
      await manager.post(`/reports/${report.id}/reviews`, {
        decision: 'changes-requested',
        comments: { safety: 'List the hazard at the tunnel portal.' },
      }),
      201,
    );
    expect(review).toMatchObject({ status: 'changes-requested', version: 1 });
    expectStatus(await manager.post(`/reports/${report.id}/reviews`, { decision: 'accepted' }), 409);
    expectStatus(await acme.post(`/reports/${report.id}/reviews`, { decision: 'accepted' }), 403);
    const resubmitted = expectStatus(
      await acme.post(`/reports/${report.id}/versions`, {
        sections: completeSections([
          'trip in the cess: walk the marked path',
          'tunnel portal: GNSS dropout, stand clear',
        ]),
      }),
      201,
    );
    expect(resubmitted).toMatchObject({ status: 'resubmitted', currentVersion: 2 });
    expectStatus(await manager.post(`/reports/${report.id}/reviews`, { decision: 'accepted' }), 201);
    expectStatus(await acme.post(`/reports/${report.id}/versions`, { sections: completeSections() }), 409);
    const full = expectStatus(await acme.get(`/reports/${report.id}`), 200);
    expect(full.status).toBe('accepted');
    expect(full.versions.map((version: any) => version.version)).toEqual([1, 2]);
    expect(full.reviews.map((entry: any) => [entry.version, entry.decision])).toEqual([
      [1, 'changes-requested'],
      [2, 'accepted'],
    ]);
    expect(full.reviews[0].comments).toEqual({ safety: 'List the hazard at the tunnel portal.' });
    const first = expectStatus(await acme.get(`/reports/${report.id}/versions/1`), 200);
    expect(first.sections.safety.hazards).toHaveLength(1);
    await expect(
      sql(runtime, `UPDATE report_version SET sections = '{}' WHERE report_id = $1`, [report.id]),
    ).rejects.toThrow(/append-only/);
  });

  it('diffs two versions section by section', async () => {
    const diff = expectStatus(await manager.get(`/reports/${report.id}/diff?from=1&to=2`), 200);
    expect(diff.changedSections).toEqual(['safety']);
    expect(diff.linesAdded).toBeGreaterThan(0);
    expect(diff.patch).toContain('+  "tunnel portal: GNSS dropout, stand clear"');
  });

  it('keeps each supplier to its own reports', async () => {
    expectStatus(await bolt.get(`/reports/${report.id}`), 404);
    expectStatus(await bolt.get(`/reports/${report.id}/versions/1`), 404);
    expectStatus(await bolt.get(`/reports/${report.id}/diff?from=1&to=2`), 404);
    expectStatus(await bolt.post(`/reports/${report.id}/versions`, { sections: completeSections() }), 404);
    expect(expectStatus(await bolt.get(`/reports?trialId=${trial.id}`), 200).items).toEqual([]);
    expect(expectStatus(await acme.get(`/reports?trialId=${trial.id}`), 200).items).toHaveLength(1);
  });
});
