import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DASHBOARD_INDEX = path.join(ROOT, 'dist/dashboard/index.html');

/** Debian's Chromium and its flags: the same the server's PDF renderer launches. */
export { CHROMIUM_ARGS, CHROMIUM_PATH as CHROMIUM } from '../../apps/server/src/rendering/pdf.renderer.js';

function newestMtimeMs(target: string): number {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(target).map((name) => newestMtimeMs(path.join(target, name))));
}

/**
 * Builds the dashboard with Vite when the build is missing or older than its sources, so a browser suite
 * always tests the code in the tree (a stale `dist/dashboard` would test yesterday's page).
 */
export function ensureDashboardBuilt(): void {
  const sourcesMs = Math.max(
    newestMtimeMs(path.join(ROOT, 'apps/dashboard/src')),
    newestMtimeMs(path.join(ROOT, 'apps/dashboard/index.html')),
    newestMtimeMs(path.join(ROOT, 'libs/telemetry/src/live-events.ts')),
  );
  if (existsSync(DASHBOARD_INDEX) && statSync(DASHBOARD_INDEX).mtimeMs >= sourcesMs) return;
  execFileSync(
    path.join(ROOT, 'node_modules/.bin/vite'),
    ['build', '--config', 'apps/dashboard/vite.config.ts'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}

/**
 * A new page at 1366×768, logged in through the dashboard's own form, with `trialId` picked in the trial
 * picker. Page errors are printed, so a failing suite shows what the page complained of.
 */
export async function openDashboard(
  browser: Browser,
  url: string,
  login: { email: string; password: string },
  trialId: string,
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  await page.goto(url);
  await page.fill('#email', login.email);
  await page.fill('#password', login.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('#dashboard-screen:not([hidden])');
  await page.waitForSelector(`#trial option[value="${trialId}"]`, { state: 'attached' });
  await page.selectOption('#trial', trialId);
  return page;
}

/**
 * Waits until the map has drawn a zone (a visible SVG path). On a timeout it prints what the map looked like
 * — its size, scale and the paths' outlines — so a failure says whether the zones were missing, clipped out
 * of the drawn area (`M0 0`) or drawn too small to see.
 */
export async function waitForZonesDrawn(page: Page, timeout = 30_000): Promise<void> {
  try {
    await page.waitForSelector('.leaflet-overlay-pane path.leaflet-interactive', { timeout });
  } catch (error) {
    const state = await page
      .evaluate(() => {
        const map = document.querySelector<HTMLElement>('#map');
        return {
          trial: document.querySelector<HTMLSelectElement>('#trial')?.value,
          mapSize: map ? [map.clientWidth, map.clientHeight] : null,
          scale: document.querySelector('.leaflet-control-scale')?.textContent,
          paths: [...document.querySelectorAll('.leaflet-overlay-pane path')].map((path) =>
            (path.getAttribute('d') ?? '').slice(0, 80),
          ),
        };
      })
      .catch((evaluateError: unknown) => String(evaluateError));
    console.error('the map drew no visible zone:', JSON.stringify(state));
    throw error;
  }
}
