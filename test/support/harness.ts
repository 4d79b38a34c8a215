import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../libs/telemetry/src/index.js';
import { loadConfig } from '../../apps/server/src/config/config.schema.js';
import { DevicesService } from '../../apps/server/src/devices/devices.service.js';
import { startLookout, type LookoutRuntime } from '../../apps/server/src/lookout.js';

export type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestServices {
  /** Use DATABASE_URL / MQTT_URL from the environment when set; otherwise start the embedded ones. */
  external: boolean;
  dataDir?: string;
  /** More configuration on top of the test defaults (e.g. a limit under test). */
  env?: Record<string, string>;
}

/** The first manager account every test server is started with. */
export const ADMIN = { email: 'manager@lookout.test', password: 'correct horse battery staple' };

/** A unique suffix so runs against shared services (CI's Mosquitto and PostgreSQL) never collide. */
export const runId = () => randomUUID().slice(0, 8);

export async function tempDataDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'lookout-test-'));
}

/**
 * Whether the suites run against the real services (CI sets DATABASE_URL and MQTT_URL) rather than the
 * embedded PostgreSQL and aedes; pass it as `startTestLookout({ external })`.
 */
export const external = Boolean(process.env.DATABASE_URL && process.env.MQTT_URL);

/** Boots the real application on ephemeral ports. */
export async function startTestLookout(services: TestServices): Promise<LookoutRuntime> {
  const env: Record<string, string | undefined> = {
    HTTP_PORT: '0',
    MQTT_PORT: '0',
    DATA_DIR: services.dataDir ?? (await tempDataDir()),
    MQTT_CLIENT_ID: `lookout-test-${runId()}`,
    MQTT_SESSION_EXPIRY_S: '30',
    LOG_LEVEL: 'error',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  };
  if (services.external) {
    env.DATABASE_URL = process.env.DATABASE_URL;
    env.MQTT_URL = process.env.MQTT_URL;
  }
  return startLookout(loadConfig({ ...env, ...services.env }));
}

export interface DeviceCredential {
  username: string;
  password: string;
}

/** Registers a device (no model: visible to managers only) and issues its MQTT credential. */
export async function registerDevice(runtime: LookoutRuntime, id: string, groups: string[] = []) {
  const devices = runtime.app.get(DevicesService);
  await devices.upsert({ id, groups });
  return devices.issueCredential(id);
}

/** Connects as a device with its credential (the embedded broker checks it; CI's Mosquitto allows anonymous). */
export async function connectDevice(
  runtime: LookoutRuntime,
  credential: DeviceCredential,
  options: Pick<IClientOptions, 'will'> = {},
): Promise<MqttClient> {
  return mqtt.connectAsync(runtime.config.mqttUrl, {
    clientId: `device-${credential.username}-${runId()}`,
    username: credential.username,
    password: credential.password,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    ...options,
  });
}

/** A client with the server's own broker login, to inject what a misconfigured external broker would let through. */
export async function connectAsServer(runtime: LookoutRuntime): Promise<MqttClient> {
  return mqtt.connectAsync(runtime.config.mqttUrl, {
    clientId: `test-injector-${runId()}`,
    username: runtime.config.mqtt.username,
    password: runtime.config.mqtt.password,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
  });
}

export async function login(
  runtime: LookoutRuntime,
  email = ADMIN.email,
  password = ADMIN.password,
): Promise<string> {
  const response = await fetch(`${runtime.httpUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200)
    throw new Error(`login as ${email} failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/**
 * A live client as the manager (or with `token`). Tests ask for the per-fix `fix` events unless they say
 * otherwise; `trialId` watches one trial's room instead of the whole fleet's.
 */
export async function connectLive(
  runtime: LookoutRuntime,
  token?: string,
  options: { trialId?: string; fixEvents?: boolean } = {},
): Promise<LiveClient> {
  const socket: LiveClient = io(runtime.httpUrl, {
    transports: ['websocket'],
    reconnection: false,
    auth: { token: token ?? (await login(runtime)), fixEvents: options.fixEvents ?? true, ...options },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

export async function sql<T extends pg.QueryResultRow>(
  runtime: LookoutRuntime,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: runtime.config.databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Polls until the check passes or the time is up; the last failure is what the test reports. */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
