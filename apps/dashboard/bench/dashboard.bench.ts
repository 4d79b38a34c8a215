/**
 * The live dashboard under load: 1,000 devices report at 1 Hz through the broker while Chromium shows the
 * page. Prints, per drawn frame, the time from applying the positions to the task after paint (p50/p99)
 * and, per position, the delay from publishing to that moment (p50/p99). Target: p99 < 250 ms.
 *
 *   npm run bench:dashboard                       # embedded PostgreSQL and broker
 *   BENCH_DEVICES=200 BENCH_SECONDS=10 npm run bench:dashboard
 *   DATABASE_URL=… MQTT_URL=… npm run bench:dashboard
 *
 * The devices are the simulators' `fleet` command in a process of its own (walkers along track corridors,
 * each fix dated when it is published), as a real fleet is not inside the server: the server, the broker
 * and Chromium then compete for the machine as they would in a trial, not with 1,000 MQTT clients in the
 * server's own event loop. On the embedded broker the fleet logs in with the server's broker credential
 * (devices' own credentials are tested elsewhere; issuing 1,000 argon2id hashes is not the dashboard's cost).
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { loadConfig } from '../../server/src/config/config.schema.js';
import { CHROMIUM_ARGS } from '../../server/src/rendering/pdf.renderer.js';
import { DevicesService } from '../../server/src/devices/devices.service.js';
import { startLookout } from '../../server/src/lookout.js';
import { runFleetProcess } from '../../../simulators/src/index.js';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 1000);
const WARMUP_S = 5;
const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 20);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN = { email: 'bench@lookout.test', password: 'bench password, long enough' };

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs the fleet for `durationS`; resolves with what it reports once it is done. */
async function main(): Promise<void> {
  const env: Record<string, string | undefined> = {
    HTTP_PORT: '0',
    MQTT_PORT: '0',
    DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'lookout-dashboard-bench-')),
    LOG_LEVEL: 'error',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    MQTT_CLIENT_ID: `lookout-dashboard-bench-${process.pid}`,
    DATABASE_URL: process.env.DATABASE_URL,
    MQTT_URL: process.env.MQTT_URL,
  };
  const runtime = await startLookout(loadConfig(env));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  });
  try {
    const devices = runtime.app.get(DevicesService);
    const prefix = `bench-${process.pid}-`;
    const width = String(DEVICES - 1).length;
    for (let i = 0; i < DEVICES; i++)
      await devices.upsert({ id: `${prefix}${String(i).padStart(width, '0')}` });

    const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(runtime.httpUrl);
    await page.fill('#email', ADMIN.email);
    await page.fill('#password', ADMIN.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('.connection.ok', { timeout: 120_000 });

    // The fleet's devices are named <prefix><index>, zero-padded, as registered above.
    const { username, password } = runtime.config.mqtt;
    const fleet = runFleetProcess([
      ...['--devices', String(DEVICES), '--rate', '1', '--duration', String(WARMUP_S + MEASURE_S + 2)],
      ...['--broker', runtime.config.mqttUrl, '--id-prefix', prefix, '--connections', '4', '--seed', prefix],
      ...(username && password ? ['--username', username, '--password', password] : []),
    ]);
    await new Promise((resolve) => setTimeout(resolve, WARMUP_S * 1000));
    await page.evaluate(() =>
      (window as unknown as { lookoutStats: { reset(): void } }).lookoutStats.reset(),
    );
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, MEASURE_S * 1000));
    const stats = await page.evaluate(() => {
      const s = (
        window as unknown as {
          lookoutStats: {
            renderMs: number[];
            delayMs: number[];
            receiptMs: number[];
            arrivalMs: number[];
            positions: number;
          };
        }
      ).lookoutStats;
      return {
        renderMs: s.renderMs,
        delayMs: s.delayMs,
        receiptMs: s.receiptMs,
        arrivalMs: s.arrivalMs,
        positions: s.positions,
      };
    });
    const seconds = (Date.now() - started) / 1000;
    loopDelay.disable();
    const quarter = Math.ceil(stats.receiptMs.length / 4);
    const quarters = [0, 1, 2, 3].map((q) =>
      percentile(stats.receiptMs.slice(q * quarter, (q + 1) * quarter), 99).toFixed(0),
    );
    console.log(`publish-to-server p99 per quarter of the run: ${quarters.join(' / ')} ms`);
    const markers = await page.locator('.device-marker').count();
    const { sent, failed, scheduleLag, publishLatency } = await fleet;
    console.log(
      [
        `devices ${DEVICES} at 1 Hz, measured ${seconds.toFixed(1)} s after ${WARMUP_S} s warm-up; markers on the map: ${markers}`,
        `fleet: schedule lag p99 ${scheduleLag.p99Ms.toFixed(1)} ms, max ${scheduleLag.maxMs.toFixed(1)} ms; publish to PUBACK p50 ${publishLatency.p50Ms.toFixed(1)} ms, p99 ${publishLatency.p99Ms.toFixed(1)} ms`,
        `server event loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`,
        `published ${sent} (failed ${failed}); positions drawn ${stats.positions} (${(stats.positions / seconds).toFixed(0)}/s) in ${stats.renderMs.length} frames`,
        `frame render time   p50 ${percentile(stats.renderMs, 50).toFixed(1)} ms   p99 ${percentile(stats.renderMs, 99).toFixed(1)} ms`,
        `publish-to-server   p50 ${percentile(stats.receiptMs, 50).toFixed(1)} ms   p99 ${percentile(stats.receiptMs, 99).toFixed(1)} ms   (MQTT: fleet, broker, ingest queue)`,
        `publish-to-socket   p50 ${percentile(stats.arrivalMs, 50).toFixed(1)} ms   p99 ${percentile(stats.arrivalMs, 99).toFixed(1)} ms   (+ detection, 100 ms frames, WebSocket)`,
        `publish-to-screen   p50 ${percentile(stats.delayMs, 50).toFixed(1)} ms   p99 ${percentile(stats.delayMs, 99).toFixed(1)} ms   (target p99 < 250 ms)`,
      ].join('\n'),
    );
  } finally {
    await browser.close();
    await runtime.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
