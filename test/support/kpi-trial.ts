import { encodeDeviceEvents } from '../../devices/src/index.js';
import { deviceTopic } from '../../libs/telemetry/src/index.js';
import { DevicesService } from '../../apps/server/src/devices/devices.service.js';
import type { LookoutRuntime } from '../../apps/server/src/lookout.js';
import { connectMqttPublisher, type FixPublisher } from '../../simulators/src/broker/mqtt.publisher.js';
import { expectStatus, type ApiClient } from './api.js';
import { addSupplierWithUser } from './supplier-half.js';

export interface KpiSupplier {
  id: string;
  name: string;
  api: ApiClient;
  modelId: string;
}

/** A supplier in the trial with a login and one device model (see addSupplierWithUser). */
export async function addSupplier(
  runtime: LookoutRuntime,
  manager: ApiClient,
  trialId: string,
  name: string,
): Promise<KpiSupplier> {
  const { id, api, modelId } = await addSupplierWithUser(runtime, manager, {
    trialId,
    name,
    email: `${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}@supplier.test`,
    modelName: 'Band',
  });
  return { id, name, api, modelId };
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
