import { decodeDeviceEvents, encodeDeviceEvents } from '../../../devices/src/index.js';
import { compileScenario, groundTruthDocument } from './scenario.compiler.js';
import { parseScenario, ScenarioFormatError } from './scenario.loader.js';

const START_MS = Date.parse('2026-05-01T08:00:00Z');

/** Two wearables standing in a cess for an hour: one named model given a battery, one inline model with its own. */
const BATTERY = `name: battery
origin: { lon: -1.5, lat: 52.9 }
durationS: 3600
seed: 7
zones:
  - id: cess
    kind: safe
    polygon: [[-50, -12], [50, -12], [50, -4], [-50, -4]]
devices:
  - id: named
    path: [[0, 0, -8]]
    fixIntervalS: 10
    wearable: reference
    battery: { initialPct: 90, drainPctPerHour: 12.5, reportIntervalS: 300 }
  - id: inline
    path: [[0, 10, -8]]
    fixIntervalS: 10
    wearable:
      name: inline/band
      battery: { drainPctPerHour: 20, resolutionPct: 0.1, noisePct: 0.5 }
  - id: plain
    path: [[0, -10, -8]]
    wearable: reference
`;

const compile = (text: string, seed?: string) =>
  compileScenario(parseScenario(text, 'battery.yaml'), { startMs: START_MS, ...(seed ? { seed } : {}) });

describe('scenario compiler: wearable batteries', () => {
  it("publishes each battery's readings as `battery` events at their interval, in the run's order", () => {
    const compiled = compile(BATTERY);
    const named = compiled.groundTruth.batteryReadings.filter((b) => b.deviceId === 'named');
    // A reading with the first fix, then every 300 s: 0, 300, ..., 3600 s.
    expect(named.map((b) => [(b.eventTimeMs - START_MS) / 1000, b.batteryPct])).toEqual(
      Array.from({ length: 13 }, (_, k) => [k * 300, Math.round(90 - (12.5 * k * 300) / 3600)]),
    );
    expect(compiled.devices.map((d) => [d.scenarioDeviceId, d.batteryReports])).toEqual([
      ['named', 13],
      ['inline', 61],
      ['plain', 0],
    ]);
    const events = compiled.publications.filter((p) => p.kind === 'event' && p.event.kind === 'battery');
    expect(events).toHaveLength(13 + 61);
    // Alerts are counted apart from battery reports (the ground truth's wearableAlerts are alerts only).
    expect(compiled.devices.reduce((sum, d) => sum + d.events, 0)).toBe(
      compiled.groundTruth.wearableAlerts.length,
    );
    const times = compiled.publications.map((p) => p.atMs);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const decoded = decodeDeviceEvents(
      encodeDeviceEvents(events.flatMap((p) => (p.kind === 'event' ? [p.event] : []))),
      { deviceId: 'named', receivedAtMs: START_MS + 7_200_000 },
    );
    expect(decoded.rejected).toEqual([]);
    expect(new Set(decoded.events.map((e) => e.kind))).toEqual(new Set(['battery']));
  });

  it('keeps the noisy gauge near the true charge, deterministically for a seed', () => {
    const compiled = compile(BATTERY);
    const inline = compiled.groundTruth.batteryReadings.filter((b) => b.deviceId === 'inline');
    expect(inline[0]!.trueChargePct).toBe(100);
    expect(inline.at(-1)!.trueChargePct).toBeCloseTo(80, 9);
    for (const reading of inline) {
      expect(Math.abs(reading.batteryPct - reading.trueChargePct)).toBeLessThanOrEqual(0.55);
    }
    expect(compile(BATTERY).publications).toEqual(compiled.publications);
    expect(compile(BATTERY, 'other').groundTruth.batteryReadings).not.toEqual(
      compiled.groundTruth.batteryReadings,
    );
  });

  it('writes the readings into the ground-truth file', () => {
    const document = groundTruthDocument(compile(BATTERY).groundTruth);
    expect(document.batteryReadings[0]).toEqual({
      deviceId: 'named',
      eventTime: '2026-05-01T08:00:00.000Z',
      publishTime: '2026-05-01T08:00:00.000Z',
      batteryPct: 90,
      trueChargePct: 90,
    });
  });

  it('refuses a battery on a device without a wearable, naming the line', () => {
    const noWearable = BATTERY.replace(
      '    path: [[0, -10, -8]]\n    wearable: reference\n',
      '    path: [[0, -10, -8]]\n    battery: { drainPctPerHour: 5 }\n',
    );
    expect(() => parseScenario(noWearable, 'battery.yaml')).toThrow(ScenarioFormatError);
    expect(() => parseScenario(noWearable, 'battery.yaml')).toThrow(
      /battery\.yaml: line 23, column \d+ \(devices\[2\]\.battery\): a battery needs a wearable/,
    );
  });
});
