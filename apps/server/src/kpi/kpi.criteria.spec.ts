import { compare, evaluateCriterion, METRICS, unitFactor, type CriterionInput } from './kpi.criteria.js';
import type { KpiSummary } from './kpi.types.js';

const criterion = (over: Partial<CriterionInput>): CriterionInput => ({
  id: 'c1',
  metric: 'lookout.sensitivity',
  comparator: '>=',
  threshold: 1,
  unit: 'ratio',
  description: '',
  ...over,
});

const kpis = (sensitivity: number | null, falsePerHour = 0.5): KpiSummary => ({
  key: 's',
  label: 'S',
  detection: {
    key: 's',
    label: 'S',
    exposureHours: 2,
    workers: 1,
    devices: 1,
    crossings: 4,
    lookout: {
      trueAlerts: 4,
      missedAlerts: 0,
      falseAlerts: 0,
      sensitivity,
      falseAlertsPerWorkerHour: 0,
      breachMarginP50M: 1,
      breachMarginMaxM: 2,
      breachMarginsMeasured: 4,
    },
    device: {
      trueAlerts: 3,
      missedAlerts: 1,
      falseAlerts: 1,
      sensitivity: 0.75,
      falseAlertsPerWorkerHour: falsePerHour,
      breachMarginP50M: 2.5,
      breachMarginMaxM: 3.25,
      breachMarginsMeasured: 3,
    },
    latency: {
      crossingToDeviceAlert: { p50S: 1.5, p95S: 2, maxS: 2.1 },
      crossingToLookoutEvent: { p50S: 0.5, p95S: 1, maxS: 1 },
      crossingToLookoutDecision: { p50S: null, p95S: null, maxS: null },
      detectionToAcknowledgement: { p50S: null, p95S: null, maxS: null },
    },
  },
});

const link = (source: string) => `/trials/t/kpis/${source}`;

describe('criteria comparators', () => {
  it.each([
    [1, '<', 1, false],
    [0.999, '<', 1, true],
    [1, '<=', 1, true],
    [1.001, '<=', 1, false],
    [1, '>', 1, false],
    [1.001, '>', 1, true],
    [1, '>=', 1, true],
    [0.999, '>=', 1, false],
    [1, '=', 1, true],
    [1.0001, '=', 1, false],
  ] as const)('%p %s %p is %p', (value, comparator, threshold, expected) => {
    expect(compare(value, comparator, threshold)).toBe(expected);
  });

  it('treats floating-point noise at the edge as the edge', () => {
    expect(compare(0.1 + 0.2, '<=', 0.3)).toBe(true);
    expect(compare(0.1 + 0.2, '=', 0.3)).toBe(true);
    expect(compare(0.1 + 0.2, '>', 0.3)).toBe(false);
  });
});

describe('evaluateCriterion', () => {
  it('passes and fails at the threshold edge, with the figure and its KPI link', () => {
    expect(evaluateCriterion(criterion({}), kpis(1), link)).toMatchObject({
      verdict: 'pass',
      value: 1,
      link: '/trials/t/kpis/detection',
    });
    expect(evaluateCriterion(criterion({}), kpis(0.75), link).verdict).toBe('fail');
    expect(evaluateCriterion(criterion({ comparator: '>', threshold: 1 }), kpis(1), link).verdict).toBe(
      'fail',
    );
  });

  it('converts units: a ratio judged in percent, seconds in milliseconds', () => {
    expect(evaluateCriterion(criterion({ threshold: 75, unit: '%' }), kpis(0.75), link)).toMatchObject({
      verdict: 'pass',
      value: 75,
    });
    const latency = criterion({
      metric: 'device.alert_latency_p95_s',
      comparator: '<=',
      threshold: 2000,
      unit: 'ms',
    });
    expect(evaluateCriterion(latency, kpis(1), link)).toMatchObject({
      verdict: 'pass',
      value: 2000,
      link: '/trials/t/kpis/latency',
    });
    expect(evaluateCriterion({ ...latency, threshold: 1999 }, kpis(1), link).verdict).toBe('fail');
  });

  it("judges the device's distance past the boundary and check-point error, each with its own KPI link", () => {
    const margin = criterion({
      metric: 'device.breach_margin_max_m',
      comparator: '<=',
      threshold: 325,
      unit: 'cm',
    });
    expect(evaluateCriterion(margin, kpis(1), link)).toMatchObject({
      verdict: 'pass',
      value: 325,
      link: '/trials/t/kpis/detection',
    });
    expect(evaluateCriterion({ ...margin, threshold: 324 }, kpis(1), link).verdict).toBe('fail');
    const checkPoint = criterion({
      metric: 'checkpoint.error_p95_m',
      comparator: '<=',
      threshold: 2,
      unit: 'm',
    });
    expect(evaluateCriterion(checkPoint, kpis(1), link)).toMatchObject({
      verdict: 'no-data',
      link: '/trials/t/kpis/check-points',
    });
    const withPoints = { ...kpis(1), checkPoints: { p95M: 2 } as KpiSummary['checkPoints'] };
    expect(evaluateCriterion(checkPoint, withPoints, link)).toMatchObject({ verdict: 'pass', value: 2 });
    expect(evaluateCriterion({ ...checkPoint, threshold: 1.99 }, withPoints, link).verdict).toBe('fail');
  });

  it('says why it cannot judge: unknown metric, unit mismatch, no data', () => {
    expect(evaluateCriterion(criterion({ metric: 'exits alerted within 2 s' }), kpis(1), link).verdict).toBe(
      'unknown-metric',
    );
    expect(evaluateCriterion(criterion({ unit: 'm' }), kpis(1), link).verdict).toBe('unit-mismatch');
    expect(evaluateCriterion(criterion({}), kpis(null), link).verdict).toBe('no-data');
    expect(
      evaluateCriterion(criterion({ metric: 'positioning.error_p95_m', unit: 'm' }), kpis(1), link).verdict,
    ).toBe('no-data');
  });

  it('documents a unit for every metric', () => {
    for (const [name, definition] of Object.entries(METRICS)) {
      expect({
        name,
        fits: Object.keys({ ratio: 1, seconds: 1, metres: 1, count: 1, rate: 1 }).includes(
          definition.dimension,
        ),
      }).toEqual({ name, fits: true });
    }
    expect(unitFactor('metres', 'cm')).toBe(100);
    expect(unitFactor('ratio', 's')).toBeUndefined();
  });
});
