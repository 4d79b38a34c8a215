import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LookoutRuntime } from '../apps/server/src/lookout.js';
import { apiClient, expectStatus, type ApiClient } from './support/api.js';
import { login, runId, sql, startTestLookout, external } from './support/harness.js';

const PASSWORD = 'a long enough password';
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a6d3e0c50000000049454e44ae426082',
  'hex',
);
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120, 1)]);

interface Party {
  supplier: any;
  api: ApiClient;
  token: string;
  model: any;
  config: any;
}

describe(`evidence log, attachments, assessments (${external ? 'DATABASE_URL' : 'embedded PostgreSQL'})`, () => {
  let runtime: LookoutRuntime;
  let manager: ApiClient;
  let managerToken: string;
  let trial: any;
  let a: Party;
  let b: Party;
  const id = runId();

  async function party(name: string): Promise<Party> {
    const supplier = expectStatus(await manager.post('/suppliers', { name: `${name} ${id}` }), 201);
    expectStatus(await manager.post(`/trials/${trial.id}/suppliers`, { supplierId: supplier.id }), 201);
    const email = `${name.toLowerCase()}-ev-${id}@supplier.test`;
    expectStatus(
      await manager.post('/users', { email, password: PASSWORD, role: 'supplier', supplierId: supplier.id }),
      201,
    );
    const token = await login(runtime, email, PASSWORD);
    const api = apiClient(runtime, token);
    const model = expectStatus(
      await api.post('/device-models', { supplierId: supplier.id, name: `${name} Band` }),
      201,
    );
    const device = expectStatus(
      await api.post('/devices', {
        id: `${name.toLowerCase()}-ev-${id}`,
        modelId: model.id,
        serial: `SN-${name}-${id}`,
      }),
      201,
    );
    const config = expectStatus(
      await api.post(`/devices/${device.id}/configs`, {
        hardwareRevision: 'B2',
        firmware: '4.1.0',
        appVersion: '2.3.1',
        gnssReceiver: 'u-blox F9P',
        correctionService: 'RTK network',
        alertMode: 'vibrate+tone',
        effectiveFrom: '2026-01-01T00:00:00Z',
      }),
      201,
    );
    return { supplier, api, token, model, config };
  }

  async function upload(
    token: string,
    fields: Record<string, string>,
    bytes: Buffer,
    filename: string,
    type = '',
  ) {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) form.append(key, value);
    form.append('file', new Blob([new Uint8Array(bytes)], { type }), filename);
    const response = await fetch(`${runtime.httpUrl}/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async function download(token: string, sha256: string) {
    const response = await fetch(`${runtime.httpUrl}/attachments/${sha256}/content`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  }

  beforeAll(async () => {
    runtime = await startTestLookout({ external });
    managerToken = await login(runtime);
    manager = apiClient(runtime, managerToken);
    trial = expectStatus(await manager.post('/trials', { name: `Evidence ${id}`, sponsor: 'Sponsor' }), 201);
    a = await party('Acme');
    b = await party('Bolt');
  });

  afterAll(async () => {
    await runtime?.close();
  });

  describe('evidence log', () => {
    let first: any;

    it('appends items to a per-trial hash chain', async () => {
      first = expectStatus(
        await a.api.post('/evidence', {
          trialId: trial.id,
          type: 'measurement',
          deviceConfigId: a.config.id,
          scaleId: 'uk-trl',
          level: 4,
          criterionId: 'trl4.bench-geofence-logic',
          content: { crossings: 40, detected: 40, falseAlerts: 0 },
        }),
        201,
      );
      expect(first).toMatchObject({
        sequence: 1,
        supplierId: a.supplier.id,
        deviceModelId: a.model.id,
        previousHash: '0'.repeat(64),
      });
      const second = expectStatus(
        await b.api.post('/evidence', {
          trialId: trial.id,
          type: 'observation',
          content: { note: 'strap broke' },
        }),
        201,
      );
      expect(second).toMatchObject({ sequence: 2, previousHash: first.hash, supplierId: b.supplier.id });
    });

    it('seals a KPI snapshot through the same endpoint, managers only', async () => {
      const kpis = {
        supplierId: a.supplier.id,
        missedAlertRate: 0.02,
        latencyP95S: 1.4,
        measuredAt: '2026-12-01T12:00:00Z',
      };
      expectStatus(
        await a.api.post('/evidence', { trialId: trial.id, type: 'kpi-snapshot', content: kpis }),
        403,
      );
      const sealed = expectStatus(
        await manager.post('/evidence', {
          trialId: trial.id,
          type: 'kpi-snapshot',
          supplierId: a.supplier.id,
          content: kpis,
        }),
        201,
      );
      expect(sealed).toMatchObject({ type: 'kpi-snapshot', sequence: 3, content: kpis });
    });

    it('serialises concurrent appends: no fork, no gap', async () => {
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, index) =>
          manager.post('/evidence', { trialId: trial.id, type: 'observation', content: { index } }),
        ),
      );
      const sequences = responses
        .map((response) => expectStatus(response, 201).sequence)
        .sort((x, y) => x - y);
      expect(sequences).toEqual(Array.from({ length: 12 }, (_, index) => index + 4));
      const verified = expectStatus(await manager.get(`/evidence/verify?trialId=${trial.id}`), 200);
      expect(verified).toMatchObject({ ok: true, itemsChecked: 15, firstBroken: null });
    });

    it('keeps suppliers to their own evidence', async () => {
      expectStatus(await b.api.get(`/evidence/${first.id}`), 404);
      const listed = expectStatus(await b.api.get(`/evidence?trialId=${trial.id}`), 200);
      expect(listed.items.every((item: any) => item.supplierId === b.supplier.id)).toBe(true);
      expectStatus(await b.api.get(`/evidence/verify?trialId=${trial.id}`), 403);
      const refused = expectStatus(
        await b.api.post('/evidence', {
          trialId: trial.id,
          type: 'measurement',
          deviceModelId: a.model.id,
          content: {},
        }),
        400,
      );
      expect(refused.issues[0].path).toBe('deviceModelId');
    });

    it('refuses UPDATE, DELETE and TRUNCATE in the database', async () => {
      await expect(
        sql(runtime, `UPDATE evidence SET content = '{}' WHERE id = $1`, [first.id]),
      ).rejects.toThrow(/append-only/);
      await expect(sql(runtime, `DELETE FROM evidence WHERE id = $1`, [first.id])).rejects.toThrow(
        /append-only/,
      );
      await expect(sql(runtime, `TRUNCATE evidence CASCADE`)).rejects.toThrow(/append-only/);
    });

    it('names the first broken link after a row is edited around the trigger', async () => {
      const around = (statement: string) =>
        sql(
          runtime,
          `BEGIN; ALTER TABLE evidence DISABLE TRIGGER evidence_append_only; ${statement};
           ALTER TABLE evidence ENABLE TRIGGER evidence_append_only; COMMIT`,
        );
      await around(
        `UPDATE evidence SET content = '{"crossings":40,"detected":40,"falseAlerts":3}' WHERE id = '${first.id}'`,
      );
      try {
        const verified = expectStatus(await manager.get(`/evidence/verify?trialId=${trial.id}`), 200);
        expect(verified.ok).toBe(false);
        expect(verified.firstBroken).toMatchObject({
          trialId: trial.id,
          itemId: first.id,
          sequence: 1,
          reason: 'hash-mismatch',
          storedHash: first.hash,
        });
        expect(verified.firstBroken.expectedHash).not.toBe(first.hash);
      } finally {
        await around(
          `UPDATE evidence SET content = '${JSON.stringify(first.content)}' WHERE id = '${first.id}'`,
        );
      }
      expect(expectStatus(await manager.get(`/evidence/verify?trialId=${trial.id}`), 200).ok).toBe(true);
    });
  });

  describe('attachments', () => {
    let png: any;

    it('stores by content hash under DATA_DIR/attachments, typed from the bytes', async () => {
      png = expectStatus(await upload(a.token, { trialId: trial.id }, PNG, 'photo.bin'), 201);
      expect(png).toMatchObject({ mediaType: 'image/png', sizeBytes: PNG.length, supplierId: a.supplier.id });
      const stored = await readFile(
        path.join(runtime.config.dataDir, 'attachments', png.sha256.slice(0, 2), png.sha256),
      );
      expect(stored.equals(PNG)).toBe(true);
      const csv = expectStatus(
        await upload(a.token, { trialId: trial.id }, Buffer.from('t,err\n1,0.4\n'), 'e.csv', 'text/csv'),
        201,
      );
      expect(csv.mediaType).toBe('text/csv');
    });

    it('refuses a renamed executable, contradicting types and broken JSON', async () => {
      const elf = await upload(a.token, { trialId: trial.id }, ELF, 'report.pdf', 'application/pdf');
      expect(elf.status).toBe(400);
      expect(elf.body.message).toMatch(/report\.pdf refused: .*executable \(elf\)/);
      const pe = Buffer.concat([
        Buffer.from('MZ'),
        Buffer.alloc(62),
        Buffer.from('PE\0\0'),
        Buffer.alloc(200, 7),
      ]);
      expect((await upload(a.token, { trialId: trial.id }, pe, 'data.csv', 'text/csv')).status).toBe(400);
      expect(
        (await upload(a.token, { trialId: trial.id }, Buffer.from('a,b'), 'x.pdf', 'application/pdf')).status,
      ).toBe(400);
      expect(
        (await upload(a.token, { trialId: trial.id }, Buffer.from('{"a":'), 'x.json', 'application/json'))
          .status,
      ).toBe(400);
      expect(
        (await upload(a.token, { trialId: trial.id }, Buffer.alloc(0), 'empty.csv', 'text/csv')).status,
      ).toBe(400);
    });

    it('refuses more than 20 MB with 413', async () => {
      const big = Buffer.alloc(20 * 1024 * 1024 + 1, 0x61);
      expect((await upload(a.token, { trialId: trial.id }, big, 'big.csv', 'text/csv')).status).toBe(413);
    });

    it('serves downloads only within the supplier scope', async () => {
      const own = await download(a.token, png.sha256);
      expect(own).toMatchObject({ status: 200, type: 'image/png' });
      expect(own.bytes.equals(PNG)).toBe(true);
      expect((await download(b.token, png.sha256)).status).toBe(404);
      expect((await download(managerToken, png.sha256)).status).toBe(200);
      expectStatus(await b.api.get(`/attachments/${png.sha256}`), 404);
    });

    it('links attachments to evidence only within the same owner', async () => {
      const item = expectStatus(
        await a.api.post('/evidence', {
          trialId: trial.id,
          type: 'test-certificate',
          content: { title: 'IP67' },
          attachments: [png.sha256],
        }),
        201,
      );
      expect(item.attachmentHashes).toEqual([png.sha256]);
      const refused = expectStatus(
        await b.api.post('/evidence', {
          trialId: trial.id,
          type: 'observation',
          content: {},
          attachments: [png.sha256],
        }),
        400,
      );
      expect(refused.issues).toEqual([expect.objectContaining({ path: 'attachments.0' })]);
      expect(expectStatus(await manager.get(`/evidence/verify?trialId=${trial.id}`), 200).ok).toBe(true);
    });
  });

  describe('TRL assessments', () => {
    let criteria: { id: string; level: number }[];
    const responsesUpTo = (level: number, overrides: Record<string, string> = {}) =>
      criteria
        .filter((criterion) => criterion.level <= level)
        .map((criterion) => ({ criterionId: criterion.id, response: overrides[criterion.id] ?? 'met' }));

    beforeAll(async () => {
      const sets = expectStatus(await manager.get('/trl/criteria-sets'), 200);
      criteria = sets.find((set: any) => set.id === 'wearable-safety-v1').criteria;
    });

    it('computes the level reached, keeps records immutable and shows a progression', async () => {
      const evidence = expectStatus(await a.api.get(`/evidence?trialId=${trial.id}`), 200).items[0];
      const first = expectStatus(
        await manager.post('/assessments', {
          deviceModelId: a.model.id,
          deviceConfigId: a.config.id,
          trialId: trial.id,
          claimedLevel: 5,
          assessedAt: '2026-06-01T00:00:00Z',
          responses: responsesUpTo(5, { 'trl5.surveyed-area-alerts': 'partial' }).map((response) => ({
            ...response,
            evidenceIds: [evidence.id],
          })),
        }),
        201,
      );
      expect(first).toMatchObject({
        levelReached: 4,
        claimedLevel: 5,
        result: { claimSupported: false, nextLevel: 5 },
      });
      const second = expectStatus(
        await manager.post('/assessments', {
          deviceModelId: a.model.id,
          config: { firmware: '4.2.0' },
          claimedLevel: 7,
          assessedAt: '2026-09-01T00:00:00Z',
          responses: responsesUpTo(7),
        }),
        201,
      );
      expect(second).toMatchObject({ levelReached: 7, result: { claimSupported: true } });
      const history = expectStatus(await a.api.get(`/assessments/history/${a.model.id}`), 200);
      expect(history).toMatchObject({ path: [4, 7], currentLevel: 7 });
      await expect(
        sql(runtime, `UPDATE assessment SET level_reached = 9 WHERE id = $1`, [first.id]),
      ).rejects.toThrow(/append-only/);
      await expect(sql(runtime, `DELETE FROM assessment WHERE id = $1`, [first.id])).rejects.toThrow(
        /append-only/,
      );
      expectStatus(await b.api.get(`/assessments/${first.id}`), 404);
      expectStatus(await b.api.get(`/assessments/history/${a.model.id}`), 404);
    });

    it('refuses bad input naming the field, and suppliers cannot assess', async () => {
      const bad = expectStatus(
        await manager.post('/assessments', {
          deviceModelId: a.model.id,
          config: { firmware: '4.2.0' },
          claimedLevel: 4,
          responses: [
            { criterionId: 'trl9.invented', response: 'met' },
            {
              criterionId: 'trl4.power-budget',
              response: 'met',
              evidenceIds: ['00000000-0000-4000-8000-000000000000'],
            },
          ],
        }),
        400,
      );
      expect(bad.issues.map((issue: any) => issue.path).sort()).toEqual([
        'responses.0.criterionId',
        'responses.1.evidenceIds.0',
      ]);
      expectStatus(
        await a.api.post('/assessments', {
          deviceModelId: a.model.id,
          config: {},
          claimedLevel: 4,
          responses: responsesUpTo(4),
        }),
        403,
      );
    });
  });
});
