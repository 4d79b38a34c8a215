/**
 * The live dashboard under load: 1,000 devices report at 1 Hz through the broker, each with its own MQTT
 * credential, while Chromium shows the page. Prints, per drawn frame, the time from applying the positions
 * to the task after paint (p50/p99) and, per position, the delay from publishing to that moment (p50/p99).
 * Target: p99 < 250 ms.
 *
 *   npm run bench:dashboard                       # embedded PostgreSQL and broker
 *   BENCH_DEVICES=200 BENCH_SECONDS=10 npm run bench:dashboard
 *   DATABASE_URL=… MQTT_URL=… npm run bench:dashboard
 *
 * Each device has its own MQTT connection and credential (ingest refuses a device's fix published under
 * another login). Issuing and checking 1,000 argon2id credentials takes a few minutes on a small machine;
 * the measurement starts only once every device is connected.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { chromium } from 'playwright-core';
import { loadConfig } from '../../server/src/config/config.schema.js';
import { DevicesService } from '../../server/src/devices/devices.service.js';
import { startLookout } from '../../server/src/lookout.js';
import { deviceTopic } from '../../../libs/telemetry/src/index.js';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 1000);
const WARMUP_S = 5;
const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 20);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN = { email: 'bench@lookout.test', password: 'bench password, long enough' };
const CENTRE = { lon: -1.5, lat: 52.9 };
/** A fixed seed so every run walks the same paths. */
let seed = 42;
const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

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
  const clients: MqttClient[] = [];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
  try {
    const devices = runtime.app.get(DevicesService);
    const ids = Array.from(
      { length: DEVICES },
      (_, i) => `bench-${String(i).padStart(4, '0')}-${process.pid}`,
    );
    const positions = ids.map(() => ({
      lon: CENTRE.lon + (random() - 0.5) * 0.01,
      lat: CENTRE.lat + (random() - 0.5) * 0.006,
    }));
    let started = Date.now();
    const connect = (clientId: string, credential: { username?: string; password?: string }) =>
      mqtt.connectAsync(runtime.config.mqttUrl, {
        clientId,
        ...credential,
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 0,
      });
    const clientOf = new Map<string, MqttClient>();
    await inBatches(ids, 10, async (id) => {
      await devices.upsert({ id });
      const client = await connect(`bench-${id}`, await devices.issueCredential(id));
      clients.push(client);
      clientOf.set(id, client);
    });
    console.log(
      `${DEVICES} devices registered and connected in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(runtime.httpUrl);
    await page.fill('#email', ADMIN.email);
    await page.fill('#password', ADMIN.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('.connection.ok');

    // Each device reports once a second, spread evenly over the second; the fix time is the publish time.
    let failed = 0;
    let published = 0;
    const tick = (i: number) => {
      const position = positions[i]!;
      position.lon += (random() - 0.5) * 2e-5;
      position.lat += (random() - 0.5) * 1.2e-5;
      const id = ids[i]!;
      clientOf
        .get(id)!
        .publishAsync(
          deviceTopic(id, 'fix'),
          JSON.stringify({ fixTime: Date.now(), ...position, accuracyM: 2 + random() * 6 }),
          { qos: 1 },
        )
        .then(
          () => published++,
          () => failed++,
        );
    };
    const timers = ids.map((_, i) =>
      setTimeout(
        () => {
          tick(i);
          timers[i] = setInterval(() => tick(i), 1000);
        },
        (i * 1000) / DEVICES,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, WARMUP_S * 1000));
    await page.evaluate(() =>
      (window as unknown as { lookoutStats: { reset(): void } }).lookoutStats.reset(),
    );
    started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, MEASURE_S * 1000));
    const stats = await page.evaluate(() => {
      const s = (
        window as unknown as { lookoutStats: { renderMs: number[]; delayMs: number[]; positions: number } }
      ).lookoutStats;
      return { renderMs: s.renderMs, delayMs: s.delayMs, positions: s.positions };
    });
    for (const timer of timers) clearInterval(timer);
    const markers = await page.locator('.device-marker').count();
    const seconds = (Date.now() - started) / 1000;
    console.log(
      [
        `devices ${DEVICES} at 1 Hz, measured ${seconds.toFixed(1)} s after ${WARMUP_S} s warm-up; markers on the map: ${markers}`,
        `published ${published} (failed ${failed}); positions drawn ${stats.positions} (${(stats.positions / seconds).toFixed(0)}/s) in ${stats.renderMs.length} frames`,
        `frame render time   p50 ${percentile(stats.renderMs, 50).toFixed(1)} ms   p99 ${percentile(stats.renderMs, 99).toFixed(1)} ms`,
        `publish-to-screen   p50 ${percentile(stats.delayMs, 50).toFixed(1)} ms   p99 ${percentile(stats.delayMs, 99).toFixed(1)} ms   (target p99 < 250 ms)`,
      ].join('\n'),
    );
  } finally {
    await browser.close();
    await Promise.all(clients.map((client) => client.endAsync()));
    await runtime.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
