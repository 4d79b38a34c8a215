import { encodeDeviceEvents } from '../../devices/src/index.js';
import { deviceTopic } from '../../libs/telemetry/src/index.js';
import { loadConfig } from '../../apps/server/src/config/config.schema.js';
import { DevicesService } from '../../apps/server/src/devices/devices.service.js';
import { startLookout, type LookoutRuntime } from '../../apps/server/src/lookout.js';
import { connectMqttPublisher, type FixPublisher } from '../../simulators/src/broker/mqtt.publisher.js';
import { apiClient, expectStatus, type ApiClient } from './api.js';
import { ADMIN, login, runId, tempDataDir } from './harness.js';

/** Boots Lookout on the embedded services (or DATABASE_URL/MQTT_URL when both set) with extra environment. */
export async function startKpiLookout(extraEnv: Record<string, string> = {}): Promise<LookoutRuntime> {
  const external = Boolean(process.env.DATABASE_URL && process.env.MQTT_URL);
  return startLookout(
    loadConfig({
      HTTP_PORT: '0',
      MQTT_PORT: '0',
      DATA_DIR: await tempDataDir(),
      MQTT_CLIENT_ID: `lookout-test-${runId()}`,
      MQTT_SESSION_EXPIRY_S: '30',
      LOG_LEVEL: 'error',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      ...(external ? { DATABASE_URL: process.env.DATABASE_URL, MQTT_URL: process.env.MQTT_URL } : {}),
      ...extraEnv,
    }),
  );
}

export const SUPPLIER_PASSWORD = 'a long enough password';

export interface KpiSupplier {
  id: string;
  name: string;
  api: ApiClient;
  modelId: string;
}

/** A supplier in the trial with a login, one device model and the given firmware as its accepted one. */
export async function addSupplier(
  runtime: LookoutRuntime,
  manager: ApiClient,
  trialId: string,
  name: string,
): Promise<KpiSupplier> {
  const supplier = expectStatus(await manager.post('/suppliers', { name }), 201);
  expectStatus(await manager.post(`/trials/${trialId}/suppliers`, { supplierId: supplier.id }), 201);
  const email = `${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}@supplier.test`;
  expectStatus(
    await manager.post('/users', {
      email,
      password: SUPPLIER_PASSWORD,
      role: 'supplier',
      supplierId: supplier.id,
    }),
    201,
  );
  const api = apiClient(runtime, await login(runtime, email, SUPPLIER_PASSWORD));
  const model = expectStatus(
    await api.post('/device-models', { supplierId: supplier.id, name: 'Band' }),
    201,
  );
  return { id: supplier.id, name, api, modelId: model.id };
}

export interface KpiDevice {
  id: string;
  supplier: KpiSupplier;
  publisher: FixPublisher;
}

/** A device of the supplier's model, with a configuration, enrolled on a worker, connected to the broker. */
export async function addDevice(
  runtime: LookoutRuntime,
  manager: ApiClient,
  trialId: string,
  supplier: KpiSupplier,
  id: string,
  firmware: string,
  sinceMs: number,
): Promise<KpiDevice> {
  expectStatus(
    await supplier.api.post('/devices', { id, modelId: supplier.modelId, serial: `SN-${id}` }),
    201,
  );
  expectStatus(
    await supplier.api.post(`/devices/${id}/configs`, {
      hardwareRevision: 'B2',
      firmware,
      appVersion: '1.0',
      gnssReceiver: 'u-blox M10',
      correctionService: 'none',
      alertMode: 'vibrate',
      effectiveFrom: new Date(sinceMs).toISOString(),
    }),
    201,
  );
  const worker = expectStatus(await manager.post('/workers', { trialId }), 201);
  expectStatus(
    await supplier.api.post('/enrolments', {
      trialId,
      deviceId: id,
      workerId: worker.id,
      validFrom: new Date(sinceMs).toISOString(),
    }),
    201,
  );
  const credential = await runtime.app.get(DevicesService).issueCredential(id);
  const publisher = await connectMqttPublisher({ brokerUrl: runtime.config.mqttUrl, ...credential });
  return { id, supplier, publisher };
}

export interface PlainFix {
  timeMs: number;
  lon: number;
  lat: number;
  accuracyM?: number;
  batteryPct?: number;
}

/** Publishes fixes in canonical JSON (QoS 1), one message each. */
export async function publishFixes(device: KpiDevice, fixes: readonly PlainFix[]): Promise<void> {
  for (const fix of fixes) {
    const payload = {
      fixTime: new Date(fix.timeMs).toISOString(),
      lon: fix.lon,
      lat: fix.lat,
      accuracyM: fix.accuracyM ?? 2,
      ...(fix.batteryPct === undefined ? {} : { batteryPct: fix.batteryPct }),
    };
    await device.publisher.publish(
      deviceTopic(device.id, 'fix'),
      new TextEncoder().encode(JSON.stringify(payload)),
      1,
    );
  }
}

/** Publishes `battery` device events (canonical event JSON, QoS 1). */
export async function publishBattery(
  device: KpiDevice,
  readings: readonly { timeMs: number; batteryPct: number }[],
): Promise<void> {
  for (const reading of readings) {
    await device.publisher.publish(
      deviceTopic(device.id, 'event'),
      encodeDeviceEvents([{ eventTimeMs: reading.timeMs, kind: 'battery', batteryPct: reading.batteryPct }]),
      1,
    );
  }
}

const EARTH_RADIUS_M = 6371008.8;
const RAD = Math.PI / 180;

/** The point `distanceM` from (lon, lat) on `bearingDeg` (great circle; exact enough for metres). */
export function offset(lon: number, lat: number, distanceM: number, bearingDeg: number) {
  const d = distanceM / EARTH_RADIUS_M;
  const b = bearingDeg * RAD;
  const lat1 = lat * RAD;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b));
  const lon2 =
    lon * RAD +
    Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
  return { lon: lon2 / RAD, lat: lat2 / RAD };
}

/** Haversine distance in metres, as the KPI SQL computes it. */
export function haversineM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const a =
    Math.sin(((lat2 - lat1) * RAD) / 2) ** 2 +
    Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(((lon2 - lon1) * RAD) / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(a));
}

/** percentile_cont over a sorted list, as PostgreSQL computes it. */
export function percentileCont(sorted: readonly number[], fraction: number): number {
  const position = (sorted.length - 1) * fraction;
  const low = sorted[Math.floor(position)]!;
  const high = sorted[Math.ceil(position)]!;
  return low + (high - low) * (position - Math.floor(position));
}
