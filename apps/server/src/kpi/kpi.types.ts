/** One slice's figures; `key` is the slice's id (supplier id, site id, firmware, …), `label` its name. */
export interface KpiGroup {
  key: string;
  label: string;
}

export interface PositioningGroup extends KpiGroup {
  fixesMatched: number;
  devices: number;
  medianM: number | null;
  p95M: number | null;
  maxM: number | null;
  cep50M: number | null;
  cep95M: number | null;
  /** The error CDF: the error at each quantile 0, 0.05, …, 1. */
  cdf: { quantile: number; errorM: number }[];
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

export interface DetectionGroup extends KpiGroup {
  exposureHours: number;
  workers: number;
  devices: number;
  crossings: number;
  lookout: Confusion & { breachMarginP50M: number | null; breachMarginMaxM: number | null };
  device: Confusion;
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
  batteryHoursP50: number | null;
  batteryHoursMin: number | null;
}

/** All KPIs of one slice, the input to criteria. */
export interface KpiSummary {
  key: string;
  label: string;
  positioning?: PositioningGroup;
  availability?: AvailabilityGroup;
  detection?: DetectionGroup;
  reliability?: ReliabilityGroup;
}
