/**
 * The typed event map of the live WebSocket gateway, shared by the server and its clients
 * (dashboard, tests, demo). Event names are never bare strings elsewhere.
 */
export interface LiveFix {
  deviceId: string;
  fixTimeMs: number;
  receivedAtMs: number;
  lon: number;
  lat: number;
  accuracyM: number;
  sequence?: number;
}

export type BreachSeverity = 'confirmed' | 'probable';

/**
 * A breach as the dashboard shows it: a device entering breach (`breach`), or a crossing of a danger zone
 * or out of the safe union between two fixes that were both safe (`crossing`).
 */
export interface LiveBreach {
  type: 'breach' | 'crossing';
  /** The detection's id (detection_event.id), to acknowledge it by. */
  detectionId: string;
  /** The rule that decided, e.g. `outside-safe-union`, `segment-enters-danger-zone`. */
  rule: string;
  deviceId: string;
  zoneId: string;
  zoneVersion: number;
  zoneKind: 'safe' | 'danger';
  severity: BreachSeverity;
  /** Signed distance from the fix to the zone boundary in metres; positive means on the wrong side. */
  distanceBeyondBoundaryM: number;
  accuracyM: number;
  fix: LiveFix;
}

export type LiveDeviceStatus = 'unknown' | 'safe' | 'approaching' | 'breach' | 'lost';

/** Every detection, summarised: status changes (including `lost`), crossings and flagged fixes. */
export interface LiveDetection {
  id: string;
  type: 'status' | 'crossing' | 'fix-flagged';
  deviceId: string;
  /** When it happened: the fix time, the interpolated crossing time, or the time silence was noticed. */
  atMs: number;
  /** When Lookout decided it (server clock). */
  detectedAtMs: number;
  status: LiveDeviceStatus | null;
  previousStatus: LiveDeviceStatus | null;
  breachLevel: BreachSeverity | null;
  /** What led to it: `fix`, `zone-change`, `window-change`, `silence`; or the flag reason. */
  cause: string | null;
  rule: string | null;
  zone: { zoneId: string; zoneVersion: number; zoneKind: 'safe' | 'danger' } | null;
  fix: LiveFix | null;
  breachMarginM: number | null;
  chainageM: number | null;
}

/** A manager's acknowledgement of a detection, persisted in `detection_acknowledgement`. */
export interface LiveAcknowledgement {
  detectionId: string;
  deviceId: string;
  acknowledgedBy: string;
  acknowledgedByEmail: string;
  acknowledgedAtMs: number;
  /** Acknowledgement time minus the detection's `detectedAtMs` (server clock both). */
  latencyMs: number;
}

/** A device came online or went offline (its retained status, or its last will sent by the broker). */
export interface LiveDeviceConnection {
  deviceId: string;
  online: boolean;
  /** When the state began: the device's own time when it gave one, else when Lookout received it. */
  atMs: number;
}

/** One supplier's live figures in a `kpis` frame (a supplier's socket gets only its own). */
export interface LiveSupplierKpi {
  /** Null: devices with no supplier (no model), seen by managers only. */
  supplierId: string | null;
  /** Devices that reported a fix in the last hour or a connection state. */
  devices: number;
  /** Devices whose last fix reached the server within the last 30 s. */
  reporting: number;
  /** Devices whose last status (retained status / last will) says online, and offline. */
  online: number;
  offline: number;
  /** Fixes received in the last 60 s, over all the supplier's devices. */
  fixesLastMinute: number;
  /** Lookout's alerts in the last hour, by kind. */
  alertsLastHour: { breach: number; crossing: number; approaching: number; lost: number };
}

/** Every few seconds, per room: the live KPIs of the devices that room may see, per supplier. */
export interface LiveKpiFrame {
  atMs: number;
  suppliers: LiveSupplierKpi[];
}

export interface ServerToClientEvents {
  /** Every stored fix, one event each: only for sockets that ask at the handshake (`auth.fixEvents: true`). */
  fix: (fix: LiveFix) => void;
  /**
   * Batched positions for the dashboard: one frame per interval (about 100 ms), holding at most the latest
   * fix of each device seen in that interval. Each entry is a fix the detector used, never a smoothed one.
   */
  positions: (fixes: LiveFix[]) => void;
  acknowledgement: (acknowledgement: LiveAcknowledgement) => void;
  breach: (breach: LiveBreach) => void;
  detection: (detection: LiveDetection) => void;
  /** Immediately, when a device's connection state changes. */
  deviceStatus: (status: LiveDeviceConnection) => void;
  /** Every KPI frame interval (5 s), to each watched room. */
  kpis: (frame: LiveKpiFrame) => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- clients send nothing yet.
export interface ClientToServerEvents {}
