import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../libs/telemetry/src/index.js';
import { loadConfig } from '../../apps/server/src/config/config.schema.js';
import { startLookout, type LookoutRuntime } from '../../apps/server/src/lookout.js';

export type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestServices {
  /** Use DATABASE_URL / MQTT_URL from the environment when set; otherwise start the embedded ones. */
  external: boolean;
  dataDir?: string;
}

/** A unique suffix so runs against shared services (CI's Mosquitto and PostgreSQL) never collide. */
export const runId = () => randomUUID().slice(0, 8);

export async function tempDataDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'lookout-test-'));
}

/** Boots the real application on ephemeral ports. */
export async function startTestLookout(services: TestServices): Promise<LookoutRuntime> {
  const env: Record<string, string | undefined> = {
    HTTP_PORT: '0',
    MQTT_PORT: '0',
    DATA_DIR: services.dataDir ?? (await tempDataDir()),
    MQTT_CLIENT_ID: `lookout-test-${runId()}`,
    MQTT_SESSION_EXPIRY_S: '30',
    LOG_LEVEL: 'error',
  };
  if (services.external) {
    env.DATABASE_URL = process.env.DATABASE_URL;
    env.MQTT_URL = process.env.MQTT_URL;
  }
  return startLookout(loadConfig(env));
}

export async function connectDevice(runtime: LookoutRuntime, clientId: string): Promise<MqttClient> {
  return mqtt.connectAsync(runtime.config.mqttUrl, {
    clientId,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
  });
}

export async function connectLive(runtime: LookoutRuntime): Promise<LiveClient> {
  const socket: LiveClient = io(runtime.httpUrl, { transports: ['websocket'], reconnection: false });
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
