import { decodeDeviceEvents } from '../codecs/canonical-event-json.codec.js';
import { encodeDeviceEvents } from '../codecs/canonical-event-json.codec.js';
import { LocalFrame } from './local-frame.js';
import { SeededRandom } from './seeded-random.js';
import { CESS } from '../testing/zones.js';
import { VirtualWearable, type ObservedFix } from './virtual-wearable.js';
import {
  WEARABLE_MODELS,
  wearableModelByName,
  wearableModelSchema,
  type WearableModelInput,
} from './wearable-model.js';

const frame = new LocalFrame({ lon: -1.5, lat: 52.9 });
const T0 = Date.parse('2026-05-01T10:00:00Z');

/** One fix a second at y(t) metres across the cess, accuracy 2 m. */
function fixes(ys: number[], accuracyM = 2): ObservedFix[] {
  return ys.map((y, i) => {
    const { lon, lat } = frame.toLonLat(0, y);
    return { fixTimeMs: T0 + i * 1000, atMs: T0 + i * 1000, lon, lat, accuracyM };
  });
}

function run(model: WearableModelInput, ys: number[], seed: number | string = 1, accuracyM = 2) {
  const wearable = new VirtualWearable({
    deviceId: 'w',
    model: wearableModelSchema.parse(model),
    zones: [CESS],
    frame,
    random: new SeededRandom(seed),
  });
  const alerts = fixes(ys, accuracyM).flatMap((fix) => wearable.observe(fix));
  return { wearable, alerts };
}

const STEP_OUT = [-8, -8, -10, -14, -16, -16, -14, -10, -8, -8, -8];

describe('virtual wearable', () => {
  it('alerts on the first fix beyond the boundary after its latency, and clears when back', () => {
    const { alerts } = run({ name: 'm', alertLatencyMs: 1500, clearLatencyMs: 500 }, STEP_OUT);
    expect(
      alerts.map((a) => [
        a.event.kind,
        a.event.eventTimeMs - T0,
        a.publishAtMs - T0,
        a.cause,
        a.event.zoneRef,
      ]),
    ).toEqual([
      ['alert-raised', 4500, 4500, 'breach', 'cess'],
      ['alert-cleared', 7500, 7500, 'breach', 'cess'],
    ]);
    expect(alerts[0]?.event).toMatchObject({ detail: 'm', accuracyM: 2 });
  });

  it('publishes events the canonical event codec reads back', () => {
    const { alerts } = run({ name: 'supplier-x' }, STEP_OUT);
    const decoded = decodeDeviceEvents(encodeDeviceEvents(alerts.map((a) => a.event)), {
      deviceId: 'w',
      receivedAtMs: T0 + 60_000,
    });
    expect(decoded.rejected).toEqual([]);
    expect(decoded.events.map((e) => e.kind)).toEqual(['alert-raised', 'alert-cleared']);
  });

  it('with the error-circle rule, alerts only once the whole accuracy circle is out', () => {
    const centre = run({ name: 'm', alertLatencyMs: 0 }, STEP_OUT, 1, 3);
    const circle = run({ name: 'm', alertLatencyMs: 0, rule: 'error-circle' }, STEP_OUT, 1, 3);
    expect(centre.alerts[0]?.event.eventTimeMs).toBe(T0 + 3000); // y = -14: 2 m out
    expect(circle.alerts[0]?.event.eventTimeMs).toBe(T0 + 4000); // y = -16: 4 m out, beyond 3 m accuracy
  });

  it('debounces clearing over clearAfterFixes safe fixes', () => {
    const { alerts } = run(
      { name: 'm', alertLatencyMs: 0, clearLatencyMs: 0, clearAfterFixes: 3 },
      [-8, -14, -8, -14, -8, -8, -8],
    );
    expect(alerts.map((a) => [a.event.kind, a.event.eventTimeMs - T0])).toEqual([
      ['alert-raised', 1000],
      ['alert-cleared', 6000],
    ]);
  });

  it('misses whole episodes at its miss rate (seeded)', () => {
    const ys = Array.from({ length: 2000 }, (_, i) => (i % 4 < 2 ? -8 : -16)); // 500 episodes
    const { wearable, alerts } = run({ name: 'm', missRate: 0.2 }, ys, 'miss');
    expect(wearable.breachEpisodes).toBe(500);
    expect(wearable.missedEpisodes).toBeGreaterThan(70); // 100 expected, sd 9
    expect(wearable.missedEpisodes).toBeLessThan(130);
    expect(alerts.filter((a) => a.event.kind === 'alert-raised')).toHaveLength(500 - wearable.missedEpisodes);
    expect(run({ name: 'm', missRate: 0.2 }, ys, 'miss').alerts).toEqual(alerts);
  });

  it('raises false alerts at its hourly rate while safe, each cleared after its duration', () => {
    const ys = Array.from({ length: 36_000 }, () => -8); // ten hours inside
    const { alerts } = run(
      { name: 'm', falseAlertsPerHour: 6, falseAlertDurationMs: 2000, alertLatencyMs: 0 },
      ys,
      'fa',
    );
    const raised = alerts.filter((a) => a.event.kind === 'alert-raised');
    expect(raised.every((a) => a.cause === 'false-alert')).toBe(true);
    expect(raised.length).toBeGreaterThan(40); // Poisson, mean 60, sd 7.7
    expect(raised.length).toBeLessThan(80);
    const cleared = alerts.filter((a) => a.event.kind === 'alert-cleared');
    expect(cleared).toHaveLength(raised.length);
    cleared.forEach((c, i) => expect(c.event.eventTimeMs - raised[i]!.event.eventTimeMs).toBe(2000));
  });

  it('has named models, and refuses an unknown name listing the known ones', () => {
    expect(Object.keys(WEARABLE_MODELS)).toEqual(['reference', 'supplier-a', 'supplier-b', 'supplier-c']);
    expect(wearableModelByName('supplier-b').rule).toBe('error-circle');
    expect(() => wearableModelByName('acme')).toThrow(
      'unknown wearable model "acme"; known models: reference, supplier-a, supplier-b, supplier-c',
    );
  });
});
