import type { DetectionPolicy } from './geofence.policy.js';

/**
 * Public input and output types of the breach detector.
 * Units are in the names: `...M` metres, `...Ms` epoch milliseconds (or a duration in ms).
 */

/** A GeoJSON position: [longitude, latitude] in WGS84 degrees (a third value, altitude, is ignored). */
export type Position = readonly number[];

export interface PolygonGeometry {
  type: 'Polygon';
  /** RFC 7946: first ring is the shell, the others are holes; each ring closed (first = last). */
  coordinates: readonly (readonly Position[])[];
}

export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: readonly (readonly (readonly Position[])[])[];
}

/**
 * A corridor along a linear asset: every point within `halfWidthM` metres of the centreline
 * (round ends). Chainage is reported along the centreline, from its first position.
 */
export interface CorridorGeometry {
  type: 'Corridor';
  /** GeoJSON LineString coordinates of the track centreline. */
  centreline: readonly Position[];
  halfWidthM: number;
}

export type ZoneGeometryInput = PolygonGeometry | MultiPolygonGeometry | CorridorGeometry;

export type ZoneKind = 'safe' | 'danger';

/** An absolute validity interval, [startMs, endMs). */
export interface AbsoluteWindow {
  startMs: number;
  endMs: number;
}

/**
 * A daily recurrence: active every day from `startMinute` to `endMinute` (minutes after local
 * midnight, `endMinute < startMinute` wraps past midnight), local time being UTC plus
 * `utcOffsetMinutes` (a fixed offset: no DST rules in the core), optionally bounded by
 * [fromMs, untilMs).
 */
export interface DailyWindow {
  daily: { startMinute: number; endMinute: number };
  utcOffsetMinutes?: number;
  fromMs?: number;
  untilMs?: number;
}

export type ValidityWindow = AbsoluteWindow | DailyWindow;

export interface ZoneAppliesTo {
  deviceIds?: readonly string[];
  groups?: readonly string[];
}

export interface ZoneInput {
  id: string;
  /** Monotonic version of this zone's definition (carried into every event it decides). */
  version: number;
  kind: ZoneKind;
  geometry: ZoneGeometryInput;
  /** Absent or empty: always active. Otherwise active while any window is. */
  validity?: readonly ValidityWindow[];
  /** Absent or both lists empty: applies to every device. */
  appliesTo?: ZoneAppliesTo;
}

export interface FixInput {
  deviceId: string;
  /** Fix time on the device's clock (epoch ms). All dwell and order rules use this clock. */
  fixTimeMs: number;
  lon: number;
  lat: number;
  /** Horizontal accuracy, metres (95% radius). */
  accuracyM: number;
  sequence?: number;
  /** When given, replaces the device's group memberships (used for zone applicability). */
  groups?: readonly string[];
  /** Server receive time; silence (`lost`) is measured on it when given, else on fixTimeMs. */
  receivedAtMs?: number;
}

export type DeviceStatus = 'unknown' | 'safe' | 'approaching' | 'breach' | 'lost';
export type BreachLevel = 'confirmed' | 'probable';

/** Which rule produced a point classification. */
export type PointRule =
  | 'inside-danger-zone'
  | 'on-danger-boundary'
  | 'outside-safe-union'
  | 'on-safe-boundary'
  | 'inside-safe-zone'
  | 'near-danger-zone'
  | 'no-applicable-zone';

export interface ZoneRef {
  zoneId: string;
  zoneVersion: number;
  zoneKind: ZoneKind;
}

/** The answer of a point query (also the core of every event's evidence). */
export interface PointQueryResult {
  /** Centre-point status: `breach` when the fix position itself breaches. */
  breach: boolean;
  rule: PointRule;
  /** The zone that decided, or null when no zone applies near the point. */
  decidingZone: ZoneRef | null;
  /** Signed distance to the deciding zone's boundary, metres, negative inside it. */
  signedDistanceM: number | null;
  /**
   * Distance the position lies beyond the safe side: > 0 breaching, < 0 safe, metres.
   * `null` when no zone constrains the device at all.
   */
  breachMarginM: number | null;
  /** Chainage along the deciding corridor's centreline, metres (null for polygons). */
  chainageM: number | null;
  /** The nearest boundary of any active zone within the warning distance (null if none). */
  nearestBoundary: (ZoneRef & { distanceM: number; chainageM: number | null }) | null;
}

export interface FixSnapshot {
  deviceId: string;
  fixTimeMs: number;
  lon: number;
  lat: number;
  accuracyM: number;
  sequence: number | null;
}

/** Thresholds applied to a decision: the engine's (frozen) policy, shared by reference. */
export type AppliedThresholds = Readonly<DetectionPolicy>;

export type StatusCause = 'fix' | 'zone-change' | 'window-change' | 'silence';

export interface StatusEvidence extends PointQueryResult {
  fix: FixSnapshot;
  accuracyM: number;
  thresholds: AppliedThresholds;
  /** Evaluation time (fix time, or the time of the zone/window change). */
  evaluatedAtMs: number;
}

export interface StatusEvent {
  type: 'status';
  eventSeq: number;
  deviceId: string;
  atMs: number;
  status: DeviceStatus;
  /** Set when status is `breach`. */
  breachLevel: BreachLevel | null;
  previousStatus: DeviceStatus;
  previousBreachLevel: BreachLevel | null;
  cause: StatusCause;
  /** Null only for `lost` (silence has no position evidence beyond the last fix, in lastFix). */
  evidence: StatusEvidence | null;
  lastFix: FixSnapshot | null;
  silenceMs: number | null;
}

export type CrossingRule = 'segment-enters-danger-zone' | 'segment-leaves-safe-union';

export interface CrossingEvent {
  type: 'crossing';
  eventSeq: number;
  deviceId: string;
  /** Interpolated (linearly in time along the straight segment) time of the first breaching point. */
  atMs: number;
  rule: CrossingRule;
  zone: ZoneRef;
  from: FixSnapshot;
  to: FixSnapshot;
  /** Fraction of the segment (0..1) where the breach starts and ends. */
  entryFraction: number;
  exitFraction: number;
  entry: { lon: number; lat: number; timeMs: number };
  exit: { lon: number; lat: number; timeMs: number };
  maxGapMs: number;
  previousStatus: DeviceStatus;
}

export type FixFlagReason = 'out-of-order' | 'duplicate' | 'invalid';

export interface FixFlaggedEvent {
  type: 'fix-flagged';
  eventSeq: number;
  deviceId: string;
  /** The flagged fix's time (null when it was not a finite number). */
  atMs: number | null;
  reason: FixFlagReason;
  detail: string;
  fix: FixSnapshot;
  /** The fix time of the newest fix already processed for this device (null if none). */
  lastProcessedFixTimeMs: number | null;
  /** For out-of-order fixes: what the fix would have said (it changes nothing). */
  evaluation: PointQueryResult | null;
  currentStatus: DeviceStatus;
}

export type DetectionEvent = StatusEvent | CrossingEvent | FixFlaggedEvent;
