import type { MqttClient } from 'mqtt';
import type { LookoutRuntime } from '../../apps/server/src/lookout.js';
import { apiClient, expectStatus, type ApiClient } from './api.js';
import { connectDevice, login } from './harness.js';

export const SUPPLIER_PASSWORD = 'a long enough password';

/** One supplier's side of a trial: its user, its API client and token, and one enrolled, connected device. */
export interface SupplierHalf {
  name: string;
  email: string;
  token: string;
  api: ApiClient;
  deviceId: string;
  device: MqttClient;
}

export interface SupplierWithUser {
  id: string;
  email: string;
  token: string;
  /** The supplier user's API client. */
  api: ApiClient;
  modelId: string;
}

/**
 * Through the API, as a manager would: a supplier organisation taking part in the trial, its user (logged
 * in, password SUPPLIER_PASSWORD) and one device model of its own.
 */
export async function addSupplierWithUser(
  runtime: LookoutRuntime,
  manager: ApiClient,
  options: { trialId: string; name: string; email: string; modelName: string },
): Promise<SupplierWithUser> {
  const { trialId, name, email, modelName } = options;
  const supplier = expectStatus(await manager.post('/suppliers', { name }), 201);
  expectStatus(await manager.post(`/trials/${trialId}/suppliers`, { supplierId: supplier.id }), 201);
  expectStatus(
    await manager.post('/users', {
      email,
      password: SUPPLIER_PASSWORD,
      role: 'supplier',
      supplierId: supplier.id,
    }),
    201,
  );
  const token = await login(runtime, email, SUPPLIER_PASSWORD);
  const api = apiClient(runtime, token);
  const model = expectStatus(
    await api.post('/device-models', { supplierId: supplier.id, name: modelName }),
    201,
  );
  return { id: supplier.id, email, token, api, modelId: model.id };
}

/**
 * Sets up a supplier in a trial entirely through the API, as a manager would: the organisation, its user,
 * a device model and a device (whose MQTT credential comes back once), enrolled in the trial.
 */
export async function setUpSupplierHalf(
  runtime: LookoutRuntime,
  manager: ApiClient,
  options: { trialId: string; name: string; runId: string; devicePrefix: string },
): Promise<SupplierHalf> {
  const { trialId, name, runId } = options;
  const { email, token, api, modelId } = await addSupplierWithUser(runtime, manager, {
    trialId,
    name: `${name} ${runId}`,
    email: `${name.toLowerCase()}-${runId}@supplier.test`,
    modelName: `${name} Band`,
  });
  const device = expectStatus(
    await api.post('/devices', {
      id: `${options.devicePrefix}-${name.toLowerCase()}-${runId}`,
      modelId,
      serial: `SN-${name}-${runId}`,
    }),
    201,
  );
  expectStatus(
    await api.post('/enrolments', { trialId, deviceId: device.id, validFrom: '2026-01-01T00:00:00Z' }),
    201,
  );
  return {
    name,
    email,
    token,
    api,
    deviceId: device.id,
    device: await connectDevice(runtime, device.credential),
  };
}

/**
 * A trial with two suppliers, Acme and Bolt, one enrolled device each, and one safe zone (a polygon ring)
 * that applies to both devices: the setting of the live and dashboard suites.
 */
export async function setUpTwoSupplierTrial(
  runtime: LookoutRuntime,
  manager: ApiClient,
  options: { name: string; runId: string; devicePrefix: string; safeRing: number[][] },
): Promise<{ trialId: string; halves: [SupplierHalf, SupplierHalf] }> {
  const { name, runId, devicePrefix } = options;
  const trialId = expectStatus(
    await manager.post('/trials', { name: `${name} ${runId}`, sponsor: 'Infrastructure owner' }),
    201,
  ).id as string;
  const half = (supplier: string) =>
    setUpSupplierHalf(runtime, manager, { trialId, name: supplier, runId, devicePrefix });
  const halves: [SupplierHalf, SupplierHalf] = [await half('Acme'), await half('Bolt')];
  expectStatus(
    await manager.post('/zones', {
      name: `${name.toLowerCase()} site ${runId}`,
      trialId,
      kind: 'safe',
      geometry: { type: 'Polygon', coordinates: [options.safeRing] },
      appliesTo: halves.map((h) => h.deviceId),
      provenance: { source: 'drawing', author: `${name.toLowerCase()} suite` },
    }),
    201,
  );
  return { trialId, halves };
}
