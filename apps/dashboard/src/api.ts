import type { LiveAcknowledgement, LiveDetection, LiveFix } from '../../../libs/telemetry/src/live-events.js';

/** The token lives in sessionStorage only: closing the tab logs out, nothing persists on the machine. */
const TOKEN_KEY = 'lookout.token';
const USER_KEY = 'lookout.user';

export type Role = 'manager' | 'supplier' | 'viewer';
export interface User {
  id: string;
  email: string;
  role: Role;
  supplierId: string | null;
}

export interface Trial {
  id: string;
  name: string;
  status: string;
}
export interface Session {
  id: string;
  trialId: string;
  plannedStart: string;
  plannedEnd: string;
  actualStart: string | null;
  actualEnd: string | null;
  status: string;
  deviceIds: string[];
}
export interface Zone {
  id: string;
  name: string;
  version: {
    version: number;
    kind: 'safe' | 'danger';
    geometry: { type: 'Polygon' | 'MultiPolygon' | 'LineString'; coordinates: unknown[] };
    halfWidthM: number | null;
  };
}
export interface Device {
  id: string;
  name: string;
  modelId: string | null;
}
export interface DeviceModel {
  id: string;
  supplierId: string;
  name: string;
}
export interface Supplier {
  id: string;
  name: string;
}
export type DetectionView = LiveDetection & { acknowledgement: LiveAcknowledgement | null };
export interface Snapshot {
  atMs: number;
  positions: LiveFix[];
  statuses: { deviceId: string; status: LiveDetection['status']; atMs: number }[];
  connections: { deviceId: string; online: boolean; atMs: number }[];
  openDetections: DetectionView[];
}
interface Page<T> {
  items: T[];
  total: number;
}
/** The server's largest page of detections (detectionQuerySchema). */
export const DETECTION_PAGE = 5000;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const session = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  get user(): User | null {
    const raw = sessionStorage.getItem(USER_KEY);
    return raw ? (JSON.parse(raw) as User) : null;
  },
  save(token: string, user: User): void {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
};

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  const response = await fetch(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const message = (parsed as { message?: string } | undefined)?.message ?? response.statusText;
    throw new ApiError(response.status, message);
  }
  return parsed as T;
}

const query = (params: Record<string, string | undefined>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
};

export const api = {
  login: (email: string, password: string) =>
    call<{ accessToken: string; user: User }>('POST', '/auth/login', { email, password }),
  trials: () => call<Page<Trial>>('GET', '/trials?limit=500').then((page) => page.items),
  sessions: (trialId: string) =>
    call<Page<Session>>('GET', `/sessions${query({ trialId, limit: '500' })}`).then((page) => page.items),
  zones: (trialId?: string) =>
    call<Page<Zone>>('GET', `/zones${query({ trialId, limit: '500' })}`).then((page) => page.items),
  devices: () => call<Page<Device>>('GET', '/devices?limit=500').then((page) => page.items),
  models: () => call<Page<DeviceModel>>('GET', '/device-models?limit=500').then((page) => page.items),
  suppliers: () => call<Page<Supplier>>('GET', '/suppliers?limit=500').then((page) => page.items),
  snapshot: (trialId?: string) => call<Snapshot>('GET', `/live/snapshot${query({ trialId })}`),
  config: () => call<{ tileUrl: string | null }>('GET', '/live/config'),
  /** One page of stored detections, oldest first: the feed's alerts only, or every status change too. */
  detections: (params: {
    trialId?: string;
    from?: string;
    to?: string;
    alertsOnly: boolean;
    offset?: number;
  }) =>
    call<Page<DetectionView>>(
      'GET',
      `/detections${query({
        trialId: params.trialId,
        from: params.from,
        to: params.to,
        alertsOnly: String(params.alertsOnly),
        limit: String(DETECTION_PAGE),
        offset: String(params.offset ?? 0),
      })}`,
    ),
  fixes: (params: { trialId?: string; from?: string; to?: string }) =>
    call<{ items: LiveFix[]; truncated: boolean }>('GET', `/fixes${query({ ...params, limit: '50000' })}`),
  acknowledge: (detectionId: string) =>
    call<LiveAcknowledgement>('POST', `/detections/${detectionId}/acknowledge`, {}),
};
