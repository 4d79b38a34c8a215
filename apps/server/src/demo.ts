import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  LiveBreach,
  ServerToClientEvents,
} from '../../../libs/telemetry/src/index.js';
import { AuthService } from './auth/auth.service.js';
import { loadConfig } from './config/config.schema.js';
import { DevicesService } from './devices/devices.service.js';
import { ZonesService } from './geofences/zones.service.js';
import { startLookout, type LookoutRuntime } from './lookout.js';
import { runUntilSignalled } from './main.js';

/**
 * `npm run demo`: the whole system on embedded defaults. Starts Lookout, seeds a demo site (a safe zone
 * along a cess and two workers' devices), connects a WebSocket client as the manager, and replays the demo
 * traces through the simulator CLI as the devices would publish them: worker 1 steps out of the zone and
 * back, worker 2 stays inside. Lookout logs the breach and the WebSocket client prints it.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const traces = path.join(root, 'simulators/traces');
const cli = path.join(root, 'dist/simulators/src/cli.js');
const SPEED = 4;

interface TraceFeature {
  properties: { coordTimes: string[]; accuracyM?: number };
  geometry: { type: 'LineString'; coordinates: [number, number][] };
}

/** Worker 2 walks the first half-minute of the same cess walk: always well inside the zone. */
async function insideOnlyTrace(dir: string): Promise<string> {
  const walk = JSON.parse(await readFile(path.join(traces, 'demo-step-out.geojson'), 'utf8')) as {
    features: TraceFeature[];
  };
  const feature = walk.features[0]!;
  const rows = feature.geometry.coordinates
    .slice(0, 30)
    .map(
      ([lon, lat], i) =>
        `${feature.properties.coordTimes[i]},${lon},${lat},${feature.properties.accuracyM ?? 3}`,
    );
  const file = path.join(dir, 'demo-inside.csv');
  await writeFile(file, ['time,lon,lat,accuracy_m', ...rows].join('\n') + '\n');
  return file;
}

function replay(trace: string, runtime: LookoutRuntime, credential: { username: string; password: string }) {
  const args = [cli, 'replay', trace, '--device', credential.username, '--broker', runtime.config.mqttUrl];
  args.push('--speed', String(SPEED), '--username', credential.username, '--password', credential.password);
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`replay of ${trace} exited ${code}`)),
    );
  });
}

async function seed(runtime: LookoutRuntime) {
  const site = JSON.parse(await readFile(path.join(traces, 'demo-site.geojson'), 'utf8')) as {
    features: { properties: { name: string }; geometry: { type: 'Polygon'; coordinates: number[][][] } }[];
  };
  const zones = runtime.app.get(ZonesService);
  const existing = (await zones.listPublished()).find(
    (zone) => zone.name === site.features[0]!.properties.name,
  );
  if (!existing) {
    await zones.create({
      name: site.features[0]!.properties.name,
      kind: 'safe',
      geometry: site.features[0]!.geometry as never,
      appliesTo: ['demo-workers'],
      provenance: { source: 'drawing', author: 'Lookout demo', method: 'generated along the demo cess' },
    });
  }
  const devices = runtime.app.get(DevicesService);
  const credentials = [];
  for (const id of ['demo-worker-1', 'demo-worker-2']) {
    await devices.upsert({ id, name: `Demo wearable ${id.slice(-1)}`, groups: ['demo-workers'] });
    credentials.push(await devices.issueCredential(id));
  }
  return credentials;
}

async function main() {
  // The demo must work beside a running Mosquitto: its embedded broker takes any free port unless told.
  const env = { MQTT_PORT: '0', ...process.env };
  const runtime = await runUntilSignalled(async () => startLookout(loadConfig(env)));
  const [walker, stayer] = await seed(runtime);

  const token = await runtime.app.get(AuthService).tokenFor(runtime.config.auth.adminEmail);
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(runtime.httpUrl, {
    transports: ['websocket'],
    auth: { token },
  });
  socket.on('connect', () => console.log(`[ws client] connected to ${runtime.httpUrl} as the manager`));
  const breaches: LiveBreach[] = [];
  socket.on('breach', (breach) => {
    breaches.push(breach);
    console.log(
      `[ws client] breach: ${breach.deviceId} ${breach.severity} outside "${breach.zoneId}" v${breach.zoneVersion}, ` +
        `${breach.distanceBeyondBoundaryM.toFixed(1)} m beyond the boundary (accuracy ${breach.accuracyM} m)`,
    );
  });

  console.log(
    `\nReplaying the demo traces at ${SPEED}x: demo-worker-1 steps out of the safe zone and back.\n`,
  );
  const work = await mkdtemp(path.join(os.tmpdir(), 'lookout-demo-'));
  await Promise.all([
    replay(path.join(traces, 'demo-step-out.geojson'), runtime, walker!),
    replay(await insideOnlyTrace(work), runtime, stayer!),
  ]);
  await new Promise((resolve) => setTimeout(resolve, 500));
  console.log(
    breaches.length > 0
      ? `\nDemo done: ${breaches.length} breach(es) seen live. Dashboard: ${runtime.httpUrl}/ (log in as ` +
          `${runtime.config.auth.adminEmail}), health: ${runtime.httpUrl}/health, API docs: ${runtime.httpUrl}/docs.`
      : '\nDemo done, but no breach arrived on the WebSocket: see the server log above.',
  );
  console.log('Lookout keeps running; press Ctrl-C to stop it.');
}

await main();
