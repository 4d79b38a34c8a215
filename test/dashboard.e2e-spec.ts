import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { deviceTopic } from '../libs/telemetry/src/index.js';
import type { LookoutRuntime } from '../apps/server/src/lookout.js';
import { apiClient, type ApiClient } from './support/api.js';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  ensureDashboardBuilt,
  openDashboard,
  waitForZonesDrawn,
} from './support/browser.js';
import { setUpTwoSupplierTrial, SUPPLIER_PASSWORD, type SupplierHalf } from './support/supplier-half.js';
import { eventually, login, runId, sql, startTestLookout, ADMIN, external } from './support/harness.js';

const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const PASSWORD = SUPPLIER_PASSWORD;
// Around (-3.6, 54.6): away from every other suite's zones.
const CENTRE = { lon: -3.6, lat: 54.6 };
const SQUARE = [
  [CENTRE.lon - 0.002, CENTRE.lat - 0.002],
  [CENTRE.lon + 0.002, CENTRE.lat - 0.002],
  [CENTRE.lon + 0.002, CENTRE.lat + 0.002],
  [CENTRE.lon - 0.002, CENTRE.lat + 0.002],
  [CENTRE.lon - 0.002, CENTRE.lat - 0.002],
];

describe(`dashboard in Chromium (${external ? 'DATABASE_URL + MQTT_URL' : 'embedded PostgreSQL + aedes'})`, () => {
  let runtime: LookoutRuntime;
  let manager: ApiClient;
  let browser: Browser;
  let trialId: string;
  const halves: SupplierHalf[] = [];
  const id = runId();

  const publish = (half: SupplierHalf, lon: number, lat: number, fixTime = Date.now()) =>
    half.device.publishAsync(
      deviceTopic(half.deviceId, 'fix'),
      JSON.stringify({ fixTime, lon, lat, accuracyM: 4 }),
      { qos: 1 },
    );

  async function openAs(email: string, password: string): Promise<Page> {
    const page = await openDashboard(browser, runtime.httpUrl, { email, password }, trialId);
    await page.waitForSelector('.connection.ok');
    return page;
  }

  beforeAll(async () => {
    ensureDashboardBuilt();
    mkdirSync(ARTIFACTS, { recursive: true });
    runtime = await startTestLookout({ external });
    manager = apiClient(runtime, await login(runtime));
    const trial = await setUpTwoSupplierTrial(runtime, manager, {
      name: 'Dashboard',
      runId: id,
      devicePrefix: 'dash',
      safeRing: SQUARE,
    });
    trialId = trial.trialId;
    halves.push(...trial.halves);
    for (const half of halves) await publish(half, CENTRE.lon, CENTRE.lat, Date.now() - 2000);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(halves.map((half) => half.device.endAsync()));
    await runtime?.close();
  });

  it('serves the dashboard at / without shadowing the API, /health or /docs', async () => {
    const index = await fetch(`${runtime.httpUrl}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('Lookout');
    expect((await fetch(`${runtime.httpUrl}/health`)).status).toBe(200);
    expect((await fetch(`${runtime.httpUrl}/docs/openapi.json`)).status).toBe(200);
    expect((await fetch(`${runtime.httpUrl}/trials`)).status).toBe(401);
  });

  it('shows a manager the zones, a breach within 2 s with its evidence, and persists the acknowledgement', async () => {
    const [acme, bolt] = halves as [SupplierHalf, SupplierHalf];
    const page = await openAs(ADMIN.email, ADMIN.password);
    await waitForZonesDrawn(page);
    for (const half of halves) await page.waitForSelector(`.device-marker:has-text("${half.deviceId}")`);

    const publishedAt = Date.now();
    await publish(acme, CENTRE.lon + 0.01, CENTRE.lat);
    const item = page.locator(`#feed li.alert-breach[data-device-id="${acme.deviceId}"]`);
    await item.waitFor({ timeout: 2000 });
    const elapsedMs = Date.now() - publishedAt;
    expect(elapsedMs).toBeLessThan(2000);
    expect(await item.locator('.evidence').textContent()).toMatch(
      /m beyond boundary · accuracy ±4\.0 m · zone/,
    );
    expect(await page.locator('#cue').isVisible()).toBe(true);
    expect(await page.locator(`.device-marker.status-breach:has-text("${acme.deviceId}")`).count()).toBe(1);

    // Keyboard: focus the button and press Enter.
    await item.locator('button.ack').focus();
    await page.keyboard.press('Enter');
    await item.locator('.ack-note').waitFor();
    const detectionId = await item.getAttribute('data-id');
    const rows = await eventually(async () => {
      const found = await sql<{ acknowledged_by: string; latency_ms: number; email: string }>(
        runtime,
        `SELECT a.acknowledged_by, a.latency_ms, u.email FROM detection_acknowledgement a
         JOIN app_user u ON u.id = a.acknowledged_by WHERE a.detection_id = $1`,
        [detectionId],
      );
      expect(found).toHaveLength(1);
      return found;
    });
    expect(rows[0]!.email).toBe(ADMIN.email);
    expect(rows[0]!.latency_ms).toBeGreaterThanOrEqual(0);
    await page.waitForSelector('.kpi');
    // The server's own KPI frame (every 5 s) adds what it measured to the cards: here Acme's breach. A frame
    // sent before the breach counts none, so wait for the next ones (two frame periods and a margin).
    await page.waitForSelector('.kpi dt:text("Reporting (server)")', { timeout: 8000 });
    const breachesLastHour = () =>
      page
        .locator('.kpi', { has: page.locator('dt:text("Reporting (server)")') })
        .locator('dt:text("Breaches last hour") + dd')
        .allInnerTexts()
        .then((texts) => texts.map(Number).reduce((a, b) => a + b, 0));
    const deadline = Date.now() + 12_000;
    while ((await breachesLastHour()) < 1 && Date.now() < deadline) await page.waitForTimeout(250);
    expect(await breachesLastHour()).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-manager.png` });
    console.log(`dashboard: breach in the feed ${elapsedMs} ms after publishing (bolt: ${bolt.deviceId})`);
    await page.context().close();
  });

  it('shows a supplier only its own devices, and no Acknowledge button', async () => {
    const [acme, bolt] = halves as [SupplierHalf, SupplierHalf];
    const page = await openAs(bolt.email, PASSWORD);
    await publish(acme, CENTRE.lon, CENTRE.lat);
    await publish(bolt, CENTRE.lon + 0.0001, CENTRE.lat);
    await page.waitForSelector(`.device-marker:has-text("${bolt.deviceId}")`);
    await publish(bolt, CENTRE.lon + 0.01, CENTRE.lat);
    await page.waitForSelector(`#feed li[data-device-id="${bolt.deviceId}"]`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const markers = await page.locator('.device-marker .label').allTextContents();
    expect(markers.map((text) => text.split(' · ')[0])).toEqual([bolt.deviceId]);
    const feedDevices = await page
      .locator('#feed li')
      .evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.deviceId));
    expect(new Set(feedDevices)).toEqual(new Set([bolt.deviceId]));
    expect(await page.locator('#feed button.ack').count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-supplier.png` });
    await page.context().close();
  });
});
