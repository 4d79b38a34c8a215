import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { deviceTopic } from '../libs/telemetry/src/index.js';
import type { LookoutRuntime } from '../apps/server/src/lookout.js';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  ensureDashboardBuilt,
  openDashboard,
  waitForZonesDrawn,
} from './support/browser.js';
import { apiClient, expectStatus, type ApiClient } from './support/api.js';
import { setUpSupplierHalf, SUPPLIER_PASSWORD, type SupplierHalf } from './support/supplier-half.js';
import { eventually, login, runId, sql, startTestLookout, ADMIN, external } from './support/harness.js';

const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
// Around (-3.7, 54.7): away from every other suite's zones.
const CENTRE = { lon: -3.7, lat: 54.7 };
const HALF_SIDE_DEG = 0.002;
const SQUARE = [
  [CENTRE.lon - HALF_SIDE_DEG, CENTRE.lat - HALF_SIDE_DEG],
  [CENTRE.lon + HALF_SIDE_DEG, CENTRE.lat - HALF_SIDE_DEG],
  [CENTRE.lon + HALF_SIDE_DEG, CENTRE.lat + HALF_SIDE_DEG],
  [CENTRE.lon - HALF_SIDE_DEG, CENTRE.lat + HALF_SIDE_DEG],
  [CENTRE.lon - HALF_SIDE_DEG, CENTRE.lat - HALF_SIDE_DEG],
];
/** Fix spacing on the devices' clocks: short, so the session is a few seconds of wall time. */
const FIX_INTERVAL_MS = 300;
const ACCURACY_M = 3;

/**
 * Offsets (degrees) from the centre of each fix, in order. Acme walks east across the site, steps ~64 m
 * out of its east edge for fixes #4–#6, and comes back in; Bolt stays near the middle but steps ~64 m out
 * of the north edge for fixes #1–#2.
 */
const ACME_PATH: readonly [number, number][] = [
  [-0.001, 0],
  [-0.0005, 0],
  [0, 0],
  [0.0005, 0],
  [0.003, 0],
  [0.0032, 0.0001],
  [0.0031, -0.0001],
  [0.001, 0],
  [0.0008, 0],
  [0.0006, 0],
  [0.0004, 0],
];
const BOLT_PATH: readonly [number, number][] = [
  [0, 0.0005],
  [0, 0.003],
  [0.0001, 0.0031],
  [0, 0.0008],
  [0, 0.0006],
  [0, 0.0005],
  [0, 0.0004],
  [0, 0.0003],
  [0, 0.0002],
  [0, 0.0001],
  [0, 0],
];
/** Acme's first fix beyond the boundary (index in ACME_PATH). */
const ACME_BREACH_FIX = 4;

interface StoredFix {
  deviceId: string;
  fixTimeMs: number;
  lon: number;
  lat: number;
}

interface StoredStatus {
  deviceId: string;
  status: string;
  atMs: number;
}

/** The status a device had at `atMs` from its stored status detections (the last at or before it). */
function statusAt(statuses: readonly StoredStatus[], deviceId: string, atMs: number): string {
  let status = 'unknown';
  for (const s of statuses) if (s.deviceId === deviceId && s.atMs <= atMs) status = s.status;
  return status;
}

describe(`dashboard replay in Chromium (${external ? 'DATABASE_URL + MQTT_URL' : 'embedded PostgreSQL + aedes'})`, () => {
  let runtime: LookoutRuntime;
  let manager: ApiClient;
  let browser: Browser;
  let trialId: string;
  let sessionId: string;
  let acme: SupplierHalf;
  let bolt: SupplierHalf;
  /** The session's span as the API gives it (what the slider spans). */
  let span: { startMs: number; endMs: number };
  let fixes: StoredFix[];
  let statuses: StoredStatus[];
  let acmeBreachAtMs: number;
  const id = runId();

  const fixesOf = (deviceId: string) => fixes.filter((fix) => fix.deviceId === deviceId);
  /** The slider value (0–1000) halfway between a device's fix #k and #k+1, so rounding cannot cross either. */
  const valueBetween = (deviceId: string, k: number) => {
    const list = fixesOf(deviceId);
    const atMs = (list[k]!.fixTimeMs + list[k + 1]!.fixTimeMs) / 2;
    return Math.round(((atMs - span.startMs) / (span.endMs - span.startMs)) * 1000);
  };
  const timeOfValue = (value: number) => span.startMs + (value / 1000) * (span.endMs - span.startMs);

  async function openReplayAs(email: string, password: string): Promise<Page> {
    const page = await openDashboard(browser, runtime.httpUrl, { email, password }, trialId);
    await page.waitForSelector(`#session option[value="${sessionId}"]`, { state: 'attached' });
    await page.selectOption('#session', sessionId);
    await waitForZonesDrawn(page);
    await page.click('#mode-replay');
    await page.waitForSelector('#replay-bar:not([hidden])');
    await page.waitForSelector('.connection.ok:has-text("replay")');
    // Loaded: the feed holds the session's alerts (hidden until their time) and the clock shows the start.
    await page.waitForSelector('#feed li', { state: 'attached' });
    await page.waitForFunction(() => /\d/.test(document.getElementById('replay-time')!.textContent ?? ''));
    return page;
  }

  /** Moves the slider the way a pointer drag does: a new value, then an `input` event. */
  async function setSlider(page: Page, value: number): Promise<void> {
    await page.$eval(
      '#replay-slider',
      (slider, v) => {
        (slider as HTMLInputElement).value = String(v);
        slider.dispatchEvent(new Event('input', { bubbles: true }));
      },
      value,
    );
  }

  const sliderValue = async (page: Page) => Number(await page.inputValue('#replay-slider'));

  /**
   * Where a lon/lat is on screen, from the drawn safe zone's screen box and its known corners (the square is
   * a few hundred metres across, so the map projection is linear over it to well under a pixel).
   */
  async function screenPoint(page: Page, lon: number, lat: number): Promise<{ x: number; y: number }> {
    const box = await page.$eval('.leaflet-overlay-pane path.leaflet-interactive', (element) => {
      const shape = element as SVGGraphicsElement;
      const bbox = shape.getBBox();
      const matrix = shape.getScreenCTM()!;
      const corner = (x: number, y: number) => new DOMPoint(x, y).matrixTransform(matrix);
      const topLeft = corner(bbox.x, bbox.y);
      const bottomRight = corner(bbox.x + bbox.width, bbox.y + bbox.height);
      return { left: topLeft.x, top: topLeft.y, right: bottomRight.x, bottom: bottomRight.y };
    });
    const west = CENTRE.lon - HALF_SIDE_DEG;
    const south = CENTRE.lat - HALF_SIDE_DEG;
    return {
      x: box.left + ((lon - west) / (2 * HALF_SIDE_DEG)) * (box.right - box.left),
      y: box.bottom - ((lat - south) / (2 * HALF_SIDE_DEG)) * (box.bottom - box.top),
    };
  }

  /** The marker of a device: where its centre is on screen and the status its class names. */
  async function marker(page: Page, deviceId: string) {
    const element = page.locator(`.device-marker:has-text("${deviceId}")`);
    await element.waitFor();
    const rect = (await element.boundingBox())!;
    const status = (await element.getAttribute('class'))!.match(/status-(\w+)/)![1];
    return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2, status };
  }

  /** Asserts the device's marker is at the stored fix, in the stored status, to a pixel or two. */
  async function expectMarkerAt(page: Page, deviceId: string, fix: StoredFix, status: string) {
    const expected = await screenPoint(page, fix.lon, fix.lat);
    const shown = await marker(page, deviceId);
    expect({ deviceId, status: shown.status }).toEqual({ deviceId, status });
    expect(Math.abs(shown.x - expected.x)).toBeLessThan(2);
    expect(Math.abs(shown.y - expected.y)).toBeLessThan(2);
  }

  /** The feed items visible at the replay time: detection id and device. */
  const visibleFeed = (page: Page) =>
    page.locator('#feed li').evaluateAll((items) =>
      items
        .filter((item) => !(item as HTMLElement).hidden)
        .map((item) => ({
          deviceId: (item as HTMLElement).dataset.deviceId,
          kind: item.className.match(/alert-([a-z-]+)/)?.[1],
        })),
    );

  /** The timeline cursor's and ticks' positions, in percent of the session. */
  const timeline = (page: Page) =>
    page.$eval('#timeline', (element) => ({
      cursor: parseFloat((element.querySelector('.cursor') as HTMLElement).style.left),
      breachTicks: [...element.querySelectorAll('.tick-breach')].map((tick) =>
        parseFloat((tick as HTMLElement).style.left),
      ),
    }));

  beforeAll(async () => {
    ensureDashboardBuilt();
    mkdirSync(ARTIFACTS, { recursive: true });
    runtime = await startTestLookout({ external });
    manager = apiClient(runtime, await login(runtime));
    trialId = expectStatus(
      await manager.post('/trials', {
        name: `Replay ${id}`,
        sponsor: 'Infrastructure owner',
        dpiaReference: `DPIA-${id}`,
      }),
      201,
    ).id;
    expectStatus(await manager.patch(`/trials/${trialId}`, { status: 'active' }), 200);
    const site = expectStatus(
      await manager.post('/sites', {
        trialId,
        name: 'Replay cess',
        route: 'West Coast',
        elr: 'CGJ1',
        mileageFrom: 30,
        mileageTo: 31,
        environment: 'open',
      }),
      201,
    );
    const setUp = (name: string) =>
      setUpSupplierHalf(runtime, manager, { trialId, name, runId: id, devicePrefix: 'replay' });
    acme = await setUp('Acme');
    bolt = await setUp('Bolt');
    expectStatus(
      await manager.post('/zones', {
        name: `replay site ${id}`,
        trialId,
        kind: 'safe',
        geometry: { type: 'Polygon', coordinates: [SQUARE] },
        appliesTo: [acme.deviceId, bolt.deviceId],
        provenance: { source: 'drawing', author: 'replay suite' },
      }),
      201,
    );
    sessionId = expectStatus(
      await manager.post('/sessions', {
        trialId,
        siteId: site.id,
        plannedStart: new Date(Date.now() + 60_000).toISOString(),
        plannedEnd: new Date(Date.now() + 3_600_000).toISOString(),
        deviceIds: [acme.deviceId, bolt.deviceId],
      }),
      201,
    ).id;

    // Run the session: every fix is dated inside it, on the devices' own clocks.
    const running = expectStatus(await manager.patch(`/sessions/${sessionId}`, { status: 'running' }), 200);
    const startMs = Date.parse(running.actualStart);
    const publishPath = async (half: SupplierHalf, offsets: readonly [number, number][]) => {
      for (const [k, [dLon, dLat]] of offsets.entries()) {
        await half.device.publishAsync(
          deviceTopic(half.deviceId, 'fix'),
          JSON.stringify({
            fixTime: startMs + (k + 1) * FIX_INTERVAL_MS,
            lon: CENTRE.lon + dLon,
            lat: CENTRE.lat + dLat,
            accuracyM: ACCURACY_M,
            sequence: k,
          }),
          { qos: 1 },
        );
      }
    };
    await publishPath(acme, ACME_PATH);
    await publishPath(bolt, BOLT_PATH);
    const lastFixMs = startMs + ACME_PATH.length * FIX_INTERVAL_MS;
    await eventually(async () => {
      const [row] = await sql<{ fixes: string }>(
        runtime,
        'SELECT count(*) AS fixes FROM fix WHERE device_id = ANY($1)',
        [[acme.deviceId, bolt.deviceId]],
      );
      expect(Number(row!.fixes)).toBe(ACME_PATH.length + BOLT_PATH.length);
    });
    // Complete it once the devices' clocks have passed the last fix, so every fix lies inside its span.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastFixMs + 200 - Date.now())));
    const completed = expectStatus(
      await manager.patch(`/sessions/${sessionId}`, { status: 'completed' }),
      200,
    );
    span = { startMs: Date.parse(completed.actualStart), endMs: Date.parse(completed.actualEnd) };

    fixes = (
      await sql<{ device_id: string; time: Date; lon: number; lat: number }>(
        runtime,
        'SELECT device_id, time, lon, lat FROM fix WHERE device_id = ANY($1) ORDER BY time',
        [[acme.deviceId, bolt.deviceId]],
      )
    ).map((row) => ({ deviceId: row.device_id, fixTimeMs: row.time.getTime(), lon: row.lon, lat: row.lat }));
    statuses = await eventually(async () => {
      const rows = (
        await sql<{ device_id: string; status: string; at: Date }>(
          runtime,
          `SELECT device_id, status, at FROM detection_event
           WHERE device_id = ANY($1) AND type = 'status' AND at >= $2 AND at < $3 ORDER BY at`,
          [[acme.deviceId, bolt.deviceId], new Date(span.startMs), new Date(span.endMs)],
        )
      ).map((row) => ({ deviceId: row.device_id, status: row.status, atMs: row.at.getTime() }));
      // Each device: safe, breach, safe again (the detector de-escalates after a few fixes back inside).
      for (const deviceId of [acme.deviceId, bolt.deviceId]) {
        expect(rows.filter((r) => r.deviceId === deviceId).map((r) => r.status)).toEqual([
          'safe',
          'breach',
          'safe',
        ]);
      }
      return rows;
    });
    const acmeFixes = fixesOf(acme.deviceId);
    expect(acmeFixes).toHaveLength(ACME_PATH.length);
    acmeBreachAtMs = statuses.find((s) => s.deviceId === acme.deviceId && s.status === 'breach')!.atMs;
    expect(acmeBreachAtMs).toBe(acmeFixes[ACME_BREACH_FIX]!.fixTimeMs);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([acme?.device.endAsync(), bolt?.device.endAsync()]);
    await runtime?.close();
  });

  it('replays the stored fixes and detections at the slider time: position, status, feed and timeline', async () => {
    const page = await openReplayAs(ADMIN.email, ADMIN.password);
    const acmeFixes = fixesOf(acme.deviceId);

    // At the start of the session no fix has been taken: no marker, no alert shown.
    expect(await sliderValue(page)).toBe(0);
    expect(await page.locator('.device-marker').count()).toBe(0);
    expect(await visibleFeed(page)).toEqual([]);
    // The feed's count is the feed as it stood then, not the whole session's.
    expect(await page.textContent('#feed-count')).toBe('(0 open of 0)');

    // Just before the breach: safe, at fix #3 (the last one before the step out), nothing in the feed.
    const before = valueBetween(acme.deviceId, ACME_BREACH_FIX - 1);
    await setSlider(page, before);
    expect(statusAt(statuses, acme.deviceId, timeOfValue(before))).toBe('safe');
    await expectMarkerAt(page, acme.deviceId, acmeFixes[ACME_BREACH_FIX - 1]!, 'safe');
    expect((await visibleFeed(page)).filter((item) => item.deviceId === acme.deviceId)).toEqual([]);
    expect((await timeline(page)).cursor).toBeCloseTo(before / 10, 5);

    // After it: in breach at fix #5, with the breach in the feed and a tick on the timeline at its time.
    const after = valueBetween(acme.deviceId, ACME_BREACH_FIX + 1);
    await setSlider(page, after);
    expect(statusAt(statuses, acme.deviceId, timeOfValue(after))).toBe('breach');
    await expectMarkerAt(page, acme.deviceId, acmeFixes[ACME_BREACH_FIX + 1]!, 'breach');
    const acmeAlerts = (await visibleFeed(page)).filter((item) => item.deviceId === acme.deviceId);
    expect(acmeAlerts).toEqual([{ deviceId: acme.deviceId, kind: 'breach' }]);
    const shownNow = (await visibleFeed(page)).length;
    expect(await page.textContent('#feed-count')).toBe(`(${shownNow} open of ${shownNow})`);
    const breachItem = page.locator(`#feed li.alert-breach[data-device-id="${acme.deviceId}"]`);
    expect(Number(await breachItem.getAttribute('data-at-ms'))).toBe(acmeBreachAtMs);
    expect(await breachItem.locator('.evidence').textContent()).toMatch(
      /m beyond boundary · accuracy ±3\.0 m · zone/,
    );
    const { cursor, breachTicks } = await timeline(page);
    expect(cursor).toBeCloseTo(after / 10, 5);
    const breachPercent = ((acmeBreachAtMs - span.startMs) / (span.endMs - span.startMs)) * 100;
    // (CSS keeps about six significant digits of the percentage: 0.001 % is well under a millisecond here.)
    expect({ breachTicks, breachPercent }).toEqual({
      breachTicks: expect.arrayContaining([expect.closeTo(breachPercent, 3)]),
      breachPercent,
    });

    // Keyboard: End goes to the end of the session, where Acme is back inside and safe at its last fix.
    await page.focus('#replay-slider');
    await page.keyboard.press('End');
    expect(await sliderValue(page)).toBe(1000);
    expect(statusAt(statuses, acme.deviceId, span.endMs)).toBe('safe');
    await expectMarkerAt(page, acme.deviceId, acmeFixes.at(-1)!, 'safe');
    await expectMarkerAt(page, bolt.deviceId, fixesOf(bolt.deviceId).at(-1)!, 'safe');
    expect(new Set((await visibleFeed(page)).map((item) => item.deviceId))).toEqual(
      new Set([acme.deviceId, bolt.deviceId]),
    );
    // ...and arrow keys step back through the session: from the end back to between fixes #5 and #6.
    await setSlider(page, after + 3);
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
    expect(await sliderValue(page)).toBe(after);
    await expectMarkerAt(page, acme.deviceId, acmeFixes[ACME_BREACH_FIX + 1]!, 'breach');

    // Home: back before any fix, so no device is shown where it was later.
    await page.keyboard.press('Home');
    expect(await sliderValue(page)).toBe(0);
    expect(await page.locator('.device-marker').count()).toBe(0);
    expect(await visibleFeed(page)).toEqual([]);

    await setSlider(page, after);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-replay.png` });
    await page.context().close();
  });

  it('plays and pauses: the slider advances while playing and stays put when paused', async () => {
    const page = await openReplayAs(ADMIN.email, ADMIN.password);
    expect(await page.textContent('#replay-play')).toBe('Play');
    await page.click('#replay-play');
    expect(await page.textContent('#replay-play')).toBe('Pause');
    await page.waitForFunction(
      () => Number((document.getElementById('replay-slider') as HTMLInputElement).value) >= 6,
    );
    await page.click('#replay-play');
    expect(await page.textContent('#replay-play')).toBe('Play');
    const paused = await sliderValue(page);
    // The clock shows the slider's time.
    expect(await page.textContent('#replay-time')).toBe(
      await page.evaluate((atMs) => new Date(atMs).toLocaleString(), timeOfValue(paused)),
    );
    // A playing replay moves the slider every 100 ms; half a second paused must not move it.
    await page.waitForTimeout(500);
    expect(await sliderValue(page)).toBe(paused);
    await page.context().close();
  });

  it("shows a supplier only its own devices' fixes and alerts", async () => {
    const page = await openReplayAs(bolt.email, SUPPLIER_PASSWORD);
    await page.focus('#replay-slider');
    await page.keyboard.press('End');
    await expectMarkerAt(page, bolt.deviceId, fixesOf(bolt.deviceId).at(-1)!, 'safe');
    const labels = await page.locator('.device-marker .label').allTextContents();
    expect(labels.map((text) => text.split(' · ')[0])).toEqual([bolt.deviceId]);
    const feed = await visibleFeed(page);
    expect(feed.length).toBeGreaterThan(0);
    expect(new Set(feed.map((item) => item.deviceId))).toEqual(new Set([bolt.deviceId]));
    // At Acme's breach Bolt's view still has no Acme anywhere.
    await setSlider(page, valueBetween(acme.deviceId, ACME_BREACH_FIX + 1));
    expect(await page.locator(`.device-marker:has-text("${acme.deviceId}")`).count()).toBe(0);
    expect(await page.locator(`#feed li[data-device-id="${acme.deviceId}"]`).count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-replay-supplier.png` });
    await page.context().close();
  });
});
