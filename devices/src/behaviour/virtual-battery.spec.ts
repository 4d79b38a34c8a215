import { decodeDeviceEvents, encodeDeviceEvents } from '../codecs/canonical-event-json.codec.js';
import { LocalFrame } from './local-frame.js';
import { CESS } from '../testing/zones.js';
import { SeededRandom } from './seeded-random.js';
import { batteryModelSchema, VirtualBattery, type BatteryModelInput } from './virtual-battery.js';
import { VirtualWearable, type ObservedFix } from './virtual-wearable.js';
import { wearableModelSchema, type WearableModelInput } from './wearable-model.js';

const T0 = Date.parse('2026-05-01T10:00:00Z');
const HOUR_MS = 3_600_000;

/** Readings of a battery given one fix every `intervalMs` for `hours` hours (device clock from T0). */
function readings(model: BatteryModelInput, hours: number, intervalMs = 1000, seed: string | number = 1) {
  const battery = new VirtualBattery(batteryModelSchema.parse(model), new SeededRandom(seed));
  const out: { atMs: number; pct: number }[] = [];
  for (let t = 0; t <= hours * HOUR_MS; t += intervalMs) {
    const pct = battery.observe(T0 + t);
    if (pct !== undefined) out.push({ atMs: t, pct });
  }
  return out;
}

/** Least-squares slope in % per hour: what the reliability KPI fits (regr_slope over every reading). */
function slopePctPerHour(points: readonly { atMs: number; pct: number }[]): number {
  const n = points.length;
  const meanX = points.reduce((sum, p) => sum + p.atMs, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.pct, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.atMs - meanX) * (p.pct - meanY);
    sxx += (p.atMs - meanX) ** 2;
  }
  return (sxy / sxx) * HOUR_MS;
}

describe('virtual battery', () => {
  it('reports its initial charge with the first fix, then drains linearly, one reading per interval', () => {
    const points = readings(
      { initialPct: 90, drainPctPerHour: 12, reportIntervalS: 600, resolutionPct: 0 },
      1,
    );
    expect(points.map((p) => [p.atMs / 60_000, p.pct])).toEqual([
      [0, 90],
      [10, 88],
      [20, 86],
      [30, 84],
      [40, 82],
      [50, 80],
      [60, 78],
    ]);
  });

  it('reports with the first fix at least the interval after the last reading (sparse fixes)', () => {
    const points = readings({ drainPctPerHour: 10, reportIntervalS: 60 }, 0.1, 25_000);
    // Fixes every 25 s: the readings fall on the 0 s, 75 s, 150 s, 225 s, 300 s fixes.
    expect(points.map((p) => p.atMs / 1000)).toEqual([0, 75, 150, 225, 300]);
  });

  it('rounds to the gauge step and never leaves 0..100', () => {
    const whole = readings({ initialPct: 100, drainPctPerHour: 12.5, reportIntervalS: 60 }, 9);
    expect(whole.every((p) => Number.isInteger(p.pct))).toBe(true);
    expect(whole[0]!.pct).toBe(100);
    expect(whole.find((p) => p.atMs === 4 * HOUR_MS)!.pct).toBe(50);
    expect(whole.at(-1)!.pct).toBe(0); // flat after 8 h
    const tenths = readings({ drainPctPerHour: 7, reportIntervalS: 60, resolutionPct: 0.1 }, 1);
    expect(tenths.every((p) => Math.abs(p.pct * 10 - Math.round(p.pct * 10)) < 1e-9)).toBe(true);
    const noisyFull = readings({ initialPct: 100, drainPctPerHour: 1, noisePct: 3 }, 0.5, 1000, 'cap');
    expect(Math.max(...noisyFull.map((p) => p.pct))).toBe(100);
  });

  it('fits to 100 / drain hours per charge from whole-percent readings, as the KPI does', () => {
    for (const drainPctPerHour of [5, 12.5, 20]) {
      const hours = 60 / drainPctPerHour; // 60 % of a charge
      const points = readings({ drainPctPerHour, reportIntervalS: 60 }, hours, 10_000);
      const fittedHours = 100 / -slopePctPerHour(points);
      expect({ drainPctPerHour, error: Math.abs(fittedHours / (100 / drainPctPerHour) - 1) < 0.01 }).toEqual({
        drainPctPerHour,
        error: true,
      });
    }
  });

  it('adds seeded gauge noise within its bounds: the same seed gives the same readings', () => {
    const model = { drainPctPerHour: 10, reportIntervalS: 60, resolutionPct: 0, noisePct: 2 };
    const a = readings(model, 2, 1000, 'seed-a');
    expect(readings(model, 2, 1000, 'seed-a')).toEqual(a);
    expect(readings(model, 2, 1000, 'seed-b')).not.toEqual(a);
    const exact = readings({ ...model, noisePct: 0 }, 2);
    const errors = a.map((p, i) => p.pct - exact[i]!.pct);
    expect(Math.max(...errors.map(Math.abs))).toBeLessThanOrEqual(2);
    expect(new Set(errors.filter((e) => e !== 0).map((e) => Math.sign(e)))).toEqual(new Set([-1, 1]));
  });

  it('refuses a model without a drain rate or with unknown keys, naming the field', () => {
    expect(() => batteryModelSchema.parse({ initialPct: 80 })).toThrow(/drainPctPerHour/);
    expect(() => batteryModelSchema.parse({ drainPctPerHour: 0 })).toThrow('drainPctPerHour must be > 0');
    expect(() => batteryModelSchema.parse({ drainPctPerHour: 5, capacityMah: 900 })).toThrow(/capacityMah/);
  });
});

describe('virtual wearable with a battery', () => {
  const frame = new LocalFrame({ lon: -1.5, lat: 52.9 });
  const zones = [CESS];

  /** Ten minutes of one fix a second, stepping out of the cess for a few seconds every minute. */
  const fixes: ObservedFix[] = Array.from({ length: 600 }, (_, i) => {
    const { lon, lat } = frame.toLonLat(0, i % 60 < 5 ? -16 : -8);
    return { fixTimeMs: T0 + 250 + i * 1000, atMs: T0 + i * 1000, lon, lat, accuracyM: 2 };
  });

  function run(model: WearableModelInput, seed = 'w') {
    const wearable = new VirtualWearable({
      deviceId: 'w',
      model: wearableModelSchema.parse(model),
      zones,
      frame,
      random: new SeededRandom(seed),
    });
    const alerts = [];
    const batteries = [];
    for (const fix of fixes) {
      alerts.push(...wearable.observe(fix));
      const report = wearable.reportBattery(fix);
      if (report) batteries.push(report);
    }
    return { alerts, batteries };
  }

  const NOISY = { name: 'm', missRate: 0.3, alertLatencyJitterMs: 400, falseAlertsPerHour: 20 };

  it('reports `battery` events on the device clock, published when the fix is taken', () => {
    const { batteries } = run({
      ...NOISY,
      battery: { initialPct: 80, drainPctPerHour: 6, reportIntervalS: 120 },
    });
    expect(batteries.map((b) => [b.event.eventTimeMs - T0, b.publishAtMs - T0, b.event.batteryPct])).toEqual([
      [250, 0, 80],
      [120_250, 120_000, 80],
      [240_250, 240_000, 80],
      [360_250, 360_000, 79],
      [480_250, 480_000, 79],
    ]);
    expect(batteries[3]!.trueChargePct).toBeCloseTo(79.4, 9);
    const decoded = decodeDeviceEvents(encodeDeviceEvents(batteries.map((b) => b.event)), {
      deviceId: 'w',
      receivedAtMs: T0 + HOUR_MS,
    });
    expect(decoded.rejected).toEqual([]);
    expect(decoded.events.map((e) => [e.kind, e.batteryPct, e.detail])).toEqual(
      batteries.map((b) => ['battery', b.event.batteryPct, 'm']),
    );
  });

  it('leaves the alert decisions of the seed unchanged, and reports nothing without a battery', () => {
    const without = run(NOISY);
    const withBattery = run({ ...NOISY, battery: { drainPctPerHour: 10, noisePct: 1 } });
    expect(without.alerts.length).toBeGreaterThan(0);
    expect(withBattery.alerts).toEqual(without.alerts);
    expect(without.batteries).toEqual([]);
    expect(withBattery.batteries).toHaveLength(10);
  });
});
