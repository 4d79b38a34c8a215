import type { KpiSummary } from './kpi.types.js';

export type Comparator = '<' | '<=' | '>' | '>=' | '=';
/** What a metric measures, for unit conversion. */
type Dimension = 'ratio' | 'seconds' | 'metres' | 'count' | 'rate';

interface MetricDefinition {
  dimension: Dimension;
  /** The KPI endpoint (under /trials/:trialId/kpis/) the figure comes from. */
  source: 'positioning' | 'check-points' | 'availability' | 'detection' | 'latency' | 'reliability';
  description: string;
  value: (kpis: KpiSummary) => number | null | undefined;
}

/**
 * The metric names a criterion may use (`criterion.metric`). Ratios are 0..1 (criteria may state `%`);
 * seconds may be stated in `ms`; metres in `cm`. Figures are per supplier (the product under test).
 */
export const METRICS: Readonly<Record<string, MetricDefinition>> = {
  'positioning.error_median_m': m(
    'metres',
    'positioning',
    'median horizontal error vs ground truth',
    (k) => k.positioning?.medianM,
  ),
  'positioning.error_p95_m': m(
    'metres',
    'positioning',
    '95th percentile horizontal error',
    (k) => k.positioning?.p95M,
  ),
  'positioning.error_max_m': m(
    'metres',
    'positioning',
    'largest horizontal error',
    (k) => k.positioning?.maxM,
  ),
  'positioning.cep50_m': m(
    'metres',
    'positioning',
    'circular error probable, 50%',
    (k) => k.positioning?.cep50M,
  ),
  'positioning.cep95_m': m(
    'metres',
    'positioning',
    'circular error probable, 95%',
    (k) => k.positioning?.cep95M,
  ),
  'checkpoint.error_median_m': m(
    'metres',
    'check-points',
    'median horizontal error vs surveyed check points',
    (k) => k.checkPoints?.medianM,
  ),
  'checkpoint.error_p95_m': m(
    'metres',
    'check-points',
    '95th percentile horizontal error vs surveyed check points',
    (k) => k.checkPoints?.p95M,
  ),
  'checkpoint.error_max_m': m(
    'metres',
    'check-points',
    'largest horizontal error vs surveyed check points',
    (k) => k.checkPoints?.maxM,
  ),
  'checkpoint.cep50_m': m(
    'metres',
    'check-points',
    'circular error probable about surveyed check points, 50%',
    (k) => k.checkPoints?.cep50M,
  ),
  'checkpoint.cep95_m': m(
    'metres',
    'check-points',
    'circular error probable about surveyed check points, 95%',
    (k) => k.checkPoints?.cep95M,
  ),
  'availability.ratio': m(
    'ratio',
    'availability',
    'expected fixes received within the accuracy threshold',
    (k) => k.availability?.availability,
  ),
  'availability.fix_interval_p95_s': m(
    'seconds',
    'availability',
    '95th percentile fix interval',
    (k) => k.availability?.fixIntervalP95S,
  ),
  'availability.regain_p95_s': m(
    'seconds',
    'availability',
    '95th percentile time to regain a fix after a dropout',
    (k) => k.availability?.regainP95S,
  ),
  'lookout.sensitivity': m(
    'ratio',
    'detection',
    'true crossings Lookout detected',
    (k) => k.detection?.lookout.sensitivity,
  ),
  'lookout.missed': m(
    'count',
    'detection',
    'true crossings Lookout missed',
    (k) => k.detection?.lookout.missedAlerts,
  ),
  'lookout.false_alerts_per_worker_hour': m(
    'rate',
    'detection',
    'Lookout breaches outside any true crossing per worker-hour',
    (k) => k.detection?.lookout.falseAlertsPerWorkerHour,
  ),
  'lookout.breach_margin_max_m': m(
    'metres',
    'detection',
    'largest distance past the boundary at a Lookout detection',
    (k) => k.detection?.lookout.breachMarginMaxM,
  ),
  'lookout.latency_p50_s': m(
    'seconds',
    'latency',
    'crossing → Lookout event (event time), median',
    (k) => k.detection?.latency.crossingToLookoutEvent.p50S,
  ),
  'lookout.latency_p95_s': m(
    'seconds',
    'latency',
    'crossing → Lookout event (event time), p95',
    (k) => k.detection?.latency.crossingToLookoutEvent.p95S,
  ),
  'lookout.latency_max_s': m(
    'seconds',
    'latency',
    'crossing → Lookout event (event time), max',
    (k) => k.detection?.latency.crossingToLookoutEvent.maxS,
  ),
  'lookout.decision_latency_p95_s': m(
    'seconds',
    'latency',
    'crossing → Lookout decision (server clock), p95',
    (k) => k.detection?.latency.crossingToLookoutDecision.p95S,
  ),
  'dashboard.ack_latency_p95_s': m(
    'seconds',
    'latency',
    'detection → acknowledgement, p95',
    (k) => k.detection?.latency.detectionToAcknowledgement.p95S,
  ),
  'device.sensitivity': m(
    'ratio',
    'detection',
    'true crossings the device alerted',
    (k) => k.detection?.device.sensitivity,
  ),
  'device.missed': m(
    'count',
    'detection',
    'true crossings the device did not alert',
    (k) => k.detection?.device.missedAlerts,
  ),
  'device.false_alerts_per_worker_hour': m(
    'rate',
    'detection',
    'device alerts outside any true crossing per worker-hour',
    (k) => k.detection?.device.falseAlertsPerWorkerHour,
  ),
  'device.breach_margin_p50_m': m(
    'metres',
    'detection',
    'median distance past the boundary when the device alerted',
    (k) => k.detection?.device.breachMarginP50M,
  ),
  'device.breach_margin_max_m': m(
    'metres',
    'detection',
    'largest distance past the boundary when the device alerted',
    (k) => k.detection?.device.breachMarginMaxM,
  ),
  'device.alert_latency_p50_s': m(
    'seconds',
    'latency',
    'crossing → device alert, median',
    (k) => k.detection?.latency.crossingToDeviceAlert.p50S,
  ),
  'device.alert_latency_p95_s': m(
    'seconds',
    'latency',
    'crossing → device alert, p95',
    (k) => k.detection?.latency.crossingToDeviceAlert.p95S,
  ),
  'device.alert_latency_max_s': m(
    'seconds',
    'latency',
    'crossing → device alert, max',
    (k) => k.detection?.latency.crossingToDeviceAlert.maxS,
  ),
  'reliability.uptime_ratio': m(
    'ratio',
    'reliability',
    'session minutes with a fix',
    (k) => k.reliability?.uptime,
  ),
  'reliability.battery_hours': m(
    'rate',
    'reliability',
    'median hours per full charge (extrapolated)',
    (k) => k.reliability?.batteryHoursP50,
  ),
  'reliability.drift_sessions': m(
    'count',
    'reliability',
    'device-sessions run with a configuration other than the accepted one',
    (k) => k.reliability?.driftSessions,
  ),
};

function m(
  dimension: Dimension,
  source: MetricDefinition['source'],
  description: string,
  value: MetricDefinition['value'],
): MetricDefinition {
  return { dimension, source, description, value };
}

/** Factor from the metric's own unit to the criterion's unit, or undefined when they do not fit. */
export function unitFactor(dimension: Dimension, unit: string): number | undefined {
  const u = unit.trim().toLowerCase();
  const table: Record<Dimension, Record<string, number>> = {
    ratio: { ratio: 1, '': 1, '%': 100, percent: 100 },
    seconds: { s: 1, sec: 1, seconds: 1, ms: 1000 },
    metres: { m: 1, metres: 1, meters: 1, cm: 100 },
    count: { count: 1, '': 1, n: 1, sessions: 1, crossings: 1 },
    rate: { '/h': 1, 'per hour': 1, 'per worker-hour': 1, '/worker-hour': 1, h: 1, hours: 1, count: 1 },
  };
  return table[dimension][u];
}

/** Equality for measured figures: within a part in 10⁹ (figures come through floating point). */
const EPSILON = 1e-9;

/** Whether `value` satisfies `comparator threshold`; the edge itself passes for `<=`, `>=` and `=`. */
export function compare(value: number, comparator: Comparator, threshold: number): boolean {
  const tolerance = EPSILON * Math.max(1, Math.abs(threshold));
  switch (comparator) {
    case '<':
      return value < threshold - tolerance;
    case '<=':
      return value <= threshold + tolerance;
    case '>':
      return value > threshold + tolerance;
    case '>=':
      return value >= threshold - tolerance;
    case '=':
      return Math.abs(value - threshold) <= tolerance;
  }
}

export interface CriterionInput {
  id: string;
  metric: string;
  comparator: Comparator;
  threshold: number;
  unit: string;
  description: string;
}

export type Verdict = 'pass' | 'fail' | 'no-data' | 'unknown-metric' | 'unit-mismatch';

export interface CriterionResult extends CriterionInput {
  verdict: Verdict;
  /** The figure in the criterion's unit (null when there is none). */
  value: number | null;
  reason: string;
  /** The KPI endpoint behind the figure. */
  link: string | null;
}

/** Judges one criterion against one slice's KPIs. */
export function evaluateCriterion(
  criterion: CriterionInput,
  kpis: KpiSummary,
  link: (source: string) => string,
): CriterionResult {
  const definition = Object.hasOwn(METRICS, criterion.metric) ? METRICS[criterion.metric] : undefined;
  if (!definition) {
    return {
      ...criterion,
      verdict: 'unknown-metric',
      value: null,
      link: null,
      reason: `metric "${criterion.metric}" is not one Lookout measures; known: ${Object.keys(METRICS).join(', ')}`,
    };
  }
  const factor = unitFactor(definition.dimension, criterion.unit);
  if (factor === undefined) {
    return {
      ...criterion,
      verdict: 'unit-mismatch',
      value: null,
      link: link(definition.source),
      reason: `unit "${criterion.unit}" does not fit ${criterion.metric} (${definition.dimension})`,
    };
  }
  const raw = definition.value(kpis);
  if (raw === null || raw === undefined || !Number.isFinite(raw)) {
    return {
      ...criterion,
      verdict: 'no-data',
      value: null,
      link: link(definition.source),
      reason: 'no data in scope',
    };
  }
  const value = raw * factor;
  const pass = compare(value, criterion.comparator, criterion.threshold);
  return {
    ...criterion,
    verdict: pass ? 'pass' : 'fail',
    value,
    link: link(definition.source),
    reason: `${definition.description}: ${round(value)} ${criterion.unit} ${pass ? 'meets' : 'does not meet'} ${criterion.comparator} ${criterion.threshold} ${criterion.unit}`,
  };
}

const round = (value: number) => Math.round(value * 1000) / 1000;
