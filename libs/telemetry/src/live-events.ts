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

export interface LiveBreach {
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

export interface ServerToClientEvents {
  fix: (fix: LiveFix) => void;
  breach: (breach: LiveBreach) => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- clients send nothing yet.
export interface ClientToServerEvents {}
