import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LookoutRuntime } from '../apps/server/src/lookout.js';
import { apiClient, expectStatus, type ApiClient } from './support/api.js';
import { login, runId, sql, startTestLookout, external } from './support/harness.js';

const PASSWORD = 'a long enough password';
const CONFIG = {
  hardwareRevision: 'B2',
  firmware: '4.1.0',
  appVersion: '2.3.1',
  gnssReceiver: 'u-blox F9P',
  correctionService: 'RTK network',
  alertMode: 'vibrate+tone',
};
const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

interface Bidder {
  supplier: { id: string; name: string };
  api: ApiClient;
  submission?: { id: string };
}

/**
 * The whole thread through the API: a challenge, its SBRI competition, three suppliers' submissions, a blind
 * and conflicted jury, moderation and a tied ranking, selection into a trial, the outcome and the notices.
 */
describe(`challenges and competitions (${external ? 'DATABASE_URL' : 'embedded PostgreSQL'})`, () => {
  let runtime: LookoutRuntime;
  let manager: ApiClient;
  let juror1: ApiClient; // a viewer, conflicted with supplier C
  let juror2: ApiClient; // a manager
  let juror1Id: string;
  let juror2Id: string;
  const bidders: Record<'a' | 'b' | 'c', Bidder> = {} as never;
  let challenge: any;
  let competition: any;
  let phase: any;
  let fit: any;
  let cost: any;
  let trial: any;
  const id = runId();

  async function user(role: 'viewer' | 'manager' | 'supplier', name: string, supplierId?: string) {
    const email = `${name}-${id}@challenge.test`;
    const created = expectStatus(
      await manager.post('/users', { email, password: PASSWORD, role, supplierId }),
      201,
    );
    return { id: created.id as string, api: apiClient(runtime, await login(runtime, email, PASSWORD)) };
  }

  function submission(phaseId: string, productName: string, claimedTrl: number) {
    return {
      phaseId,
      productName,
      solutionSummary: `${productName}: a wrist-worn geofence alarm with RTK positioning`,
      claimedTrl,
      trlEvidenceRefs: ['lab report LR-12'],
      attachmentSha256: ['a'.repeat(64)],
      deviceConfiguration: CONFIG,
      eligibilityAnswers: { 'uk-entity': 'yes, registered in England' },
    };
  }

  beforeAll(async () => {
    runtime = await startTestLookout({ external });
    manager = apiClient(runtime, await login(runtime));
    ({ id: juror1Id, api: juror1 } = await user('viewer', 'juror1'));
    ({ id: juror2Id, api: juror2 } = await user('manager', 'juror2'));
    for (const key of ['a', 'b', 'c'] as const) {
      const supplier = expectStatus(await manager.post('/suppliers', { name: `Supplier ${key} ${id}` }), 201);
      bidders[key] = { supplier, api: (await user('supplier', `supplier-${key}`, supplier.id)).api };
    }
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('publishes a challenge and validates criteria weights (400 naming the field)', async () => {
    challenge = expectStatus(
      await manager.post('/challenges', {
        title: `Trackside warning ${id}`,
        statement: 'Workers in the cess need a reliable warning when they leave the safe zone.',
        ownerOrganisation: 'Infrastructure owner',
        outcomesWanted: ['95% of exits from the safe zone alerted within 2 s'],
        constraints: ['must work in cuttings'],
        budgetGbp: 250000,
        timeline: [{ milestone: 'trial starts', date: '2026-09-01' }],
      }),
      201,
    );
    expect(challenge.status).toBe('draft');
    // Suppliers do not see drafts.
    expectStatus(await bidders.a.api.get(`/challenges/${challenge.id}`), 404);
    expectStatus(await manager.patch(`/challenges/${challenge.id}`, { status: 'published' }), 200);
    expectStatus(await manager.patch(`/challenges/${challenge.id}`, { title: 'changed' }), 409);

    const body = {
      challengeId: challenge.id,
      title: `Geofence wearables SBRI ${id}`,
      type: 'sbri',
      phases: [
        {
          name: 'Feasibility',
          opensAt: minutesFromNow(-60),
          closesAt: minutesFromNow(60),
          budgetPerAwardGbp: 50000,
          awards: 2,
        },
      ],
      criteria: [
        { name: 'Fit to the outcomes', weight: 60 },
        { name: 'Cost', weight: 30 },
      ],
      eligibilityQuestions: [{ key: 'uk-entity', question: 'Is the applicant a UK entity?' }],
    };
    const bad = expectStatus(await manager.post('/competitions', body), 400);
    expect(bad.issues).toEqual([
      { path: 'criteria', message: 'criteria weights must sum to 100, they sum to 90' },
    ]);
    competition = expectStatus(
      await manager.post('/competitions', { ...body, criteria: [{ name: 'Fit', weight: 100 }] }),
      201,
    );
    const updated = expectStatus(
      await manager.put(`/competitions/${competition.id}/criteria`, {
        criteria: [
          { name: 'Fit to the outcomes', weight: 60, description: 'meets the outcomes wanted' },
          { name: 'Cost', weight: 40 },
        ],
      }),
      200,
    );
    [fit, cost] = updated.criteria;
    phase = updated.phases[0];
    expect([fit.weight, cost.weight]).toEqual([60, 40]);
  });

  it('freezes criteria once the competition opens (API 409, database refuses)', async () => {
    expectStatus(await bidders.a.api.get(`/competitions/${competition.id}`), 404);
    expectStatus(await manager.post(`/competitions/${competition.id}/open`, {}), 200);
    const refused = expectStatus(
      await manager.put(`/competitions/${competition.id}/criteria`, {
        criteria: [{ name: 'Fit', weight: 100 }],
      }),
      409,
    );
    expect(refused.message).toMatch(/frozen/);
    await expect(
      sql(runtime, `UPDATE competition_criterion SET weight = 50 WHERE competition_id = $1`, [
        competition.id,
      ]),
    ).rejects.toThrow(/frozen once it opens/);
    expectStatus(await bidders.a.api.get(`/competitions/${competition.id}`), 200);
  });

  it('takes submissions until the deadline and refuses late ones naming the deadline', async () => {
    bidders.a.submission = expectStatus(
      await bidders.a.api.post('/submissions', submission(phase.id, 'Halo Band', 4)),
      201,
    );
    bidders.b.submission = expectStatus(
      await bidders.b.api.post('/submissions', submission(phase.id, 'Cess Guard', 5)),
      201,
    );
    const missing = expectStatus(
      await bidders.c.api.post('/submissions', { ...submission(phase.id, 'X', 5), eligibilityAnswers: {} }),
      400,
    );
    expect(missing.issues[0].path).toBe('eligibilityAnswers.uk-entity');

    const deadline = minutesFromNow(-1);
    expectStatus(await manager.patch(`/competition-phases/${phase.id}`, { closesAt: deadline }), 200);
    const late = expectStatus(
      await bidders.c.api.post('/submissions', submission(phase.id, 'Rail Sense', 6)),
      409,
    );
    expect(late.message).toContain(`closed at ${new Date(deadline).toISOString()}`);
    expect(late.message).toMatch(/this one arrived at \d{4}-\d\d-\d\dT/);

    expectStatus(
      await manager.patch(`/competition-phases/${phase.id}`, { closesAt: minutesFromNow(60) }),
      200,
    );
    bidders.c.submission = expectStatus(
      await bidders.c.api.post('/submissions', submission(phase.id, 'Rail Sense', 6)),
      201,
    );
    expectStatus(await bidders.c.api.post('/submissions', submission(phase.id, 'Again', 6)), 409);
  });

  it('shows a supplier only its own submissions', async () => {
    const own = expectStatus(await bidders.a.api.get(`/submissions?competitionId=${competition.id}`), 200);
    expect(own.items.map((s: any) => s.id)).toEqual([bidders.a.submission!.id]);
    expectStatus(await bidders.a.api.get(`/submissions/${bidders.b.submission!.id}`), 404);
    expectStatus(await bidders.a.api.get(`/submissions/${bidders.b.submission!.id}/scores`), 404);
    const all = expectStatus(await manager.get(`/submissions?competitionId=${competition.id}`), 200);
    expect(all.total).toBe(3);
  });

  it('blinds jurors to each other and blocks a conflicted juror', async () => {
    expectStatus(await manager.post(`/competitions/${competition.id}/jurors`, { userId: juror1Id }), 201);
    expectStatus(await manager.post(`/competitions/${competition.id}/jurors`, { userId: juror2Id }), 201);
    const scoresFor = (fitScore: number, costScore: number) => ({
      scores: [
        { criterionId: fit.id, score: fitScore, comment: 'fit' },
        { criterionId: cost.id, score: costScore, comment: 'cost' },
      ],
    });
    // No scoring before the conflict-of-interest declaration.
    expectStatus(await juror1.put(`/submissions/${bidders.a.submission!.id}/scores`, scoresFor(7, 7)), 409);
    const declaration = { conflictSupplierIds: [bidders.c.supplier.id], statement: 'former employee of C' };
    expectStatus(await juror1.put(`/competitions/${competition.id}/jurors/me/declaration`, declaration), 200);
    expectStatus(
      await juror2.put(`/competitions/${competition.id}/jurors/me/declaration`, {
        conflictSupplierIds: [],
        statement: 'none',
      }),
      200,
    );
    expectStatus(await juror1.put(`/submissions/${bidders.a.submission!.id}/scores`, scoresFor(7, 4)), 200);
    expectStatus(await juror1.put(`/submissions/${bidders.b.submission!.id}/scores`, scoresFor(5, 7)), 200);
    const conflicted = expectStatus(
      await juror1.put(`/submissions/${bidders.c.submission!.id}/scores`, scoresFor(1, 1)),
      403,
    );
    expect(conflicted.message).toContain('conflict of interest');
    for (const key of ['a', 'b', 'c'] as const) {
      expectStatus(
        await juror2.put(`/submissions/${bidders[key].submission!.id}/scores`, scoresFor(9, 6)),
        200,
      );
    }

    const seenByJuror1 = expectStatus(
      await juror1.get(`/submissions/${bidders.a.submission!.id}/scores`),
      200,
    );
    expect(seenByJuror1.moderated).toBe(false);
    expect(seenByJuror1.jurorScores.map((s: any) => s.jurorId)).toEqual([juror1Id, juror1Id]);
    const seenByModerator = expectStatus(
      await manager.get(`/submissions/${bidders.a.submission!.id}/scores`),
      200,
    );
    expect(seenByModerator.jurorScores).toHaveLength(4);
    const seenBySupplier = expectStatus(
      await bidders.a.api.get(`/submissions/${bidders.a.submission!.id}/scores`),
      200,
    );
    expect(seenBySupplier).toMatchObject({ jurorScores: [], moderatedScores: [] });

    expectStatus(await juror1.get(`/competition-phases/${phase.id}/ranking`), 403);
    const provisional = expectStatus(await manager.get(`/competition-phases/${phase.id}/ranking`), 200);
    expect(provisional.basis).toBe('juror-mean');
  });

  it('moderates, ranks by the weights and shows ties as ties', async () => {
    const agreed = (key: 'a' | 'b' | 'c', fitScore: number, costScore: number) => [
      { submissionId: bidders[key].submission!.id, criterionId: fit.id, score: fitScore, reason: 'agreed' },
      { submissionId: bidders[key].submission!.id, criterionId: cost.id, score: costScore, reason: 'agreed' },
    ];
    const incomplete = expectStatus(
      await manager.post(`/competition-phases/${phase.id}/moderation`, { scores: agreed('a', 8, 5) }),
      400,
    );
    expect(incomplete.message).toContain('missing');
    // 0.6 × 8 + 0.4 × 5 = 6.8 = 0.6 × 6 + 0.4 × 8; C: 9.0.
    const ranking = expectStatus(
      await manager.post(`/competition-phases/${phase.id}/moderation`, {
        scores: [...agreed('a', 8, 5), ...agreed('b', 6, 8), ...agreed('c', 9, 9)],
      }),
      201,
    );
    expect(ranking.basis).toBe('moderated');
    const bySupplier = Object.fromEntries(
      ranking.items.map((r: any) => [r.supplierId, [r.rank, r.tied, r.weightedScore]]),
    );
    expect(ranking.items[0].supplierId).toBe(bidders.c.supplier.id);
    expect(bySupplier).toEqual({
      [bidders.c.supplier.id]: [1, false, 9],
      [bidders.a.supplier.id]: [2, true, 6.8],
      [bidders.b.supplier.id]: [2, true, 6.8],
    });
    const unblinded = expectStatus(await juror1.get(`/submissions/${bidders.a.submission!.id}/scores`), 200);
    expect(unblinded.jurorScores).toHaveLength(4);
    const forSupplier = expectStatus(
      await bidders.a.api.get(`/submissions/${bidders.a.submission!.id}/scores`),
      200,
    );
    expect(forSupplier.jurorScores).toEqual([]);
    expect(forSupplier.moderatedScores.map((s: any) => s.score).sort()).toEqual([5, 8]);
    expectStatus(
      await juror2.put(`/submissions/${bidders.a.submission!.id}/scores`, {
        scores: [{ criterionId: fit.id, score: 1, comment: 'late change' }],
      }),
      409,
    );
  });

  it('selects submissions into a trial: suppliers, device models and entry TRL in one step', async () => {
    trial = expectStatus(
      await manager.post('/trials', { name: `Challenge trial ${id}`, sponsor: 'Infrastructure owner' }),
      201,
    );
    const selections = expectStatus(
      await manager.post(`/competitions/${competition.id}/selection`, {
        trialId: trial.id,
        submissions: [
          { submissionId: bidders.c.submission!.id },
          { submissionId: bidders.a.submission!.id, entryTrl: 5 },
        ],
      }),
      201,
    );
    expect(selections.map((s: any) => [s.supplierId, s.claimedTrl, s.entryTrl])).toEqual([
      [bidders.c.supplier.id, 6, 6],
      [bidders.a.supplier.id, 4, 5],
    ]);
    const linked = expectStatus(await manager.get(`/trials/${trial.id}`), 200);
    expect([...linked.supplierIds].sort()).toEqual([bidders.a.supplier.id, bidders.c.supplier.id].sort());
    const models = await sql<{ name: string; supplier_id: string }>(
      runtime,
      `SELECT m.name, m.supplier_id FROM device_model m JOIN challenge_selection s ON s.device_model_id = m.id
       WHERE s.trial_id = $1 ORDER BY m.name`,
      [trial.id],
    );
    expect(models).toEqual([
      { name: 'Halo Band', supplier_id: bidders.a.supplier.id },
      { name: 'Rail Sense', supplier_id: bidders.c.supplier.id },
    ]);
    // The supplier now takes part in the trial and sees it.
    expectStatus(await bidders.a.api.get(`/trials/${trial.id}`), 200);
  });

  it('records the outcome once the trial closes and shows the scoped thread', async () => {
    const outcome = {
      trialId: trial.id,
      results: [
        {
          supplierId: bidders.a.supplier.id,
          results: '97% of exits alerted within 2 s',
          exitTrl: 7,
          recommendation: 'service-contract',
          acceptanceReferences: ['PA-2026-014'],
        },
        {
          supplierId: bidders.c.supplier.id,
          results: 'missed alerts in cuttings',
          exitTrl: 6,
          recommendation: 'further-development',
        },
      ],
    };
    expectStatus(await manager.post(`/challenges/${challenge.id}/outcomes`, outcome), 409);
    expectStatus(
      await manager.patch(`/trials/${trial.id}`, { status: 'active', dpiaReference: 'DPIA-7' }),
      200,
    );
    expectStatus(await manager.patch(`/trials/${trial.id}`, { status: 'closed' }), 200);
    const recorded = expectStatus(await manager.post(`/challenges/${challenge.id}/outcomes`, outcome), 201);
    expect(recorded.map((o: any) => [o.entryTrl, o.exitTrl, o.recommendation])).toEqual([
      [5, 7, 'service-contract'],
      [6, 6, 'further-development'],
    ]);

    const full = expectStatus(await manager.get(`/challenges/${challenge.id}/thread`), 200);
    expect(full.competitions[0].submissions).toHaveLength(3);
    expect(full.competitions[0].selections).toHaveLength(2);
    expect(full.trials.map((t: any) => t.id)).toEqual([trial.id]);
    expect(full.outcomes).toHaveLength(2);
    const scoped = expectStatus(await bidders.a.api.get(`/challenges/${challenge.id}/thread`), 200);
    expect(scoped.competitions[0].submissions.map((s: any) => s.supplierId)).toEqual([bidders.a.supplier.id]);
    expect(scoped.competitions[0].selections.map((s: any) => s.supplierId)).toEqual([bidders.a.supplier.id]);
    expect(scoped.outcomes.map((o: any) => o.supplierId)).toEqual([bidders.a.supplier.id]);
    const b = expectStatus(await bidders.b.api.get(`/challenges/${challenge.id}/thread`), 200);
    expect(b.trials).toEqual([]);
    expect(b.outcomes).toEqual([]);
  });

  it('generates the contest and results notices as HTML and PDF', async () => {
    const html = async (path: string) => {
      const response = await fetch(`${runtime.httpUrl}${path}`, {
        headers: { authorization: `Bearer ${await login(runtime)}` },
      });
      expect(response.status).toBe(200);
      return { type: response.headers.get('content-type'), body: Buffer.from(await response.arrayBuffer()) };
    };
    const notice = await html(`/competitions/${competition.id}/notice?format=html`);
    expect(notice.type).toMatch(/^text\/html/);
    const noticeText = notice.body.toString();
    for (const figure of [
      '£250,000',
      '£50,000',
      'Fit to the outcomes',
      '60%',
      '40%',
      'Is the applicant a UK entity?',
    ]) {
      expect(noticeText).toContain(figure);
    }
    const results = (
      await html(`/competitions/${competition.id}/results-notice?format=html`)
    ).body.toString();
    for (const figure of ['9.00', '6.80', '2=', 'entry TRL 5', `Challenge trial ${id}`])
      expect(results).toContain(figure);

    const pdf = await html(`/competitions/${competition.id}/results-notice?format=pdf`);
    expect(pdf.type).toBe('application/pdf');
    expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'lookout-notice-')), 'results.pdf');
    writeFileSync(file, pdf.body);
    expect(execFileSync('pdftotext', [file, '-']).toString()).toContain(`Geofence wearables SBRI ${id}`);
    const contestPdf = await html(`/competitions/${competition.id}/notice?format=pdf`);
    expect(contestPdf.body.subarray(0, 5).toString()).toBe('%PDF-');
  });
});
