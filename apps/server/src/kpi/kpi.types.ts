/** One slice's figures; `key` is the slice's id (supplier id, site id, firmware, …), `label` its name. */
export interface KpiGroup {
  key: string;
  label: string;
}

/** Horizontal error of matched fixes (positions against ground truth, or against a surveyed point). */
export interface HorizontalErrorFigures {
  fixesMatched: number;
  devices: number;
  medianM: number | null;
  p95M: number | null;
  maxM: number | null;
  /** Radial horizontal error: CEP50/CEP95 are its 50th/95th percentiles. */
  cep50M: number | null;
  cep95M: number | null;
  /** The error CDF: the error at each quantile 0, 0.05, …, 1. */
  cdf: { quantile: number; errorM: number }[];
}

export interface PositioningGroup extends KpiGroup, HorizontalErrorFigures {}

/** Horizontal error of fixes taken while the device was held on a surveyed check point (a recorded visit). */
export interface CheckPointErrorGroup extends KpiGroup, HorizontalErrorFigures {
  visits: number;
  checkPoints: number;
  /** The largest survey accuracy of the points behind the figures: errors below it are not resolved. */
  surveyAccuracyMaxM: number | null;
}

export interface AvailabilityGroup extends KpiGroup {
  expectedFixes: number;
  receivedFixes: number;
  accurateFixes: number;
  /** accurate / expected, 0..1. */
  availability: number | null;
  fixIntervalP50S: number | null;
  fixIntervalP95S: number | null;
  fixIntervalMaxS: number | null;
  dropouts: number;
  regainP50S: number | null;
  regainP95S: number | null;
  regainMaxS: number | null;
}

export interface Confusion {
  trueAlerts: number;
  missedAlerts: number;
  falseAlerts: number;
  sensitivity: number | null;
  falseAlertsPerWorkerHour: number | null;
}

export interface LatencyFigures {
  p50S: number | null;
  p95S: number | null;
  maxS: number | null;
}

/**
 * How far past the boundary the worker was when alerted, metres (negative: already back on the safe side).
 * Lookout's is the margin its detector recorded; the device's is measured at its alert time (see kpi.breach.ts).
 */
export interface BreachMargins {
  breachMarginP50M: number | null;
  breachMarginMaxM: number | null;
  /** True alerts the margin could be measured for. */
  breachMarginsMeasured: number;
}

export interface DetectionGroup extends KpiGroup {
  exposureHours: number;
  workers: number;
  devices: number;
  crossings: number;
  lookout: Confusion & BreachMargins;
  device: Confusion & BreachMargins;
  latency: {
    crossingToDeviceAlert: LatencyFigures;
    crossingToLookoutEvent: LatencyFigures;
    crossingToLookoutDecision: LatencyFigures;
    detectionToAcknowledgement: LatencyFigures;
  };
}

export interface CrossingScore {
  key: string;
  deviceId: string;
  zoneRef: string | null;
  timeOut: string;
  timeBackIn: string | null;
  durationMs: number;
  lookoutAt: string | null;
  lookoutDetectedAt: string | null;
  breachMarginM: number | null;
  deviceAlertAt: string | null;
  /** Distance past the boundary at the device's alert, and what the position came from. */
  deviceBreachMarginM: number | null;
  deviceBreachPositionSource: 'ground-truth' | 'fix' | null;
  ackLatencyMs: number | null;
}

export interface FalseAlert {
  key: string;
  source: 'lookout' | 'device';
  deviceId: string;
  at: string;
}

export interface ReliabilityGroup extends KpiGroup {
  deviceSessions: number;
  driftSessions: number;
  /** Share of session minutes with at least one fix, 0..1. */
  uptime: number | null;
  /**
   * Hours per full charge, 100 % over the device-session's drain rate (least-squares slope of every battery
   * reading, from fixes' `batteryPct` and `battery` device events): median and lowest over device-sessions.
   */
  batteryHoursP50: number | null;
  batteryHoursMin: number | null;
  /** Device-sessions with at least two readings and a falling charge (the ones behind the battery figures). */
  batterySessions: number;
}

/** All KPIs of one slice, the input to criteria. */
export interface KpiSummary {
  key: string;
  label: string;
  positioning?: PositioningGroup;
  checkPoints?: CheckPointErrorGroup;
  availability?: AvailabilityGroup;
  detection?: DetectionGroup;
  reliability?: ReliabilityGroup;
}

/** A device held on a surveyed check point during a session, as recorded in the field. */
export interface CheckPointVisit {
  id: string;
  sessionId: string;
  checkPointId: string;
  checkPointName: string;
  zoneId: string;
  surveyedLon: number;
  surveyedLat: number;
  surveyAccuracyM: number;
  deviceId: string;
  from: string;
  to: string;
  notes: string;
  recordedBy: string;
  recordedAt: string;
}
