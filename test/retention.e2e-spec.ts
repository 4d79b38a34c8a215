import type { LookoutRuntime } from '../apps/server/src/lookout.js';
import { RetentionService } from '../apps/server/src/trials/retention.service.js';
import { apiClient, expectStatus } from './support/api.js';
import { login, registerDevice, runId, sql, startTestLookout } from './support/harness.js';

const DAY_MS = 24 * 3600 * 1000;

describe('retention', () => {
  let runtime: LookoutRuntime;

  beforeAll(async () => {
    runtime = await startTestLookout({ external: Boolean(process.env.DATABASE_URL && process.env.MQTT_URL) });
  });
  afterAll(async () => runtime?.close());

  it("deletes location data past its trial's retention, and outside any trial past the default", async () => {
    const manager = apiClient(runtime, await login(runtime));
    const now = new Date();
    const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const trial = expectStatus(
      await manager.post('/trials', { name: 'Short', sponsor: 'S', retentionDays: 10 }),
      201,
    );
    const enrolled = `kept-${runId()}`;
    const loose = `loose-${runId()}`;
    await registerDevice(runtime, enrolled);
    await registerDevice(runtime, loose);
    await sql(runtime, 'INSERT INTO enrolment (trial_id, device_id, valid_from) VALUES ($1, $2, $3)', [
      trial.id,
      enrolled,
      ago(60),
    ]);
    const insertFix = (device: string, time: Date) =>
      sql(
        runtime,
        'INSERT INTO fix (time, device_id, lon, lat, accuracy_m, received_at) VALUES ($1, $2, 0, 0, 1, $1)',
        [time, device],
      );
    for (const days of [20, 5]) await insertFix(enrolled, ago(days));
    for (const days of [40, 10]) await insertFix(loose, ago(days));
    await sql(
      runtime,
      `INSERT INTO device_event (time, device_id, kind, received_at) VALUES ($1, $2, 'sos', $1)`,
      [ago(11), enrolled],
    );

    const result = await runtime.app.get(RetentionService).run(now);

    const left = await sql<{ device_id: string; time: Date }>(
      runtime,
      'SELECT device_id, time FROM fix WHERE device_id = ANY($1) ORDER BY device_id, time',
      [[enrolled, loose]],
    );
    expect(left).toEqual([
      { device_id: enrolled, time: ago(5) },
      { device_id: loose, time: ago(10) },
    ]);
    expect(await sql(runtime, 'SELECT 1 FROM device_event WHERE device_id = $1', [enrolled])).toEqual([]);
    expect(result.fixes).toBeGreaterThanOrEqual(2);
    expect(result.deviceEvents).toBeGreaterThanOrEqual(1);
  });
});
