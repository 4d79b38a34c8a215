import { canonicalJsonCodec } from '../../../devices/src/index.js';
import { LocalFrame } from '../../../devices/src/behaviour/index.js';
import type { FixPublisher, QoS } from '../broker/mqtt.publisher.js';
import { parseFleetArgs } from './fleet.command.js';
import { FleetPlan } from './fleet.model.js';
import { runFleet } from './fleet.runner.js';
import { LatencySample } from './fleet.stats.js';

class RecordingPublisher implements FixPublisher {
  readonly messages: { topic: string; payload: Uint8Array; qos: QoS }[] = [];
  async publish(topic: string, payload: Uint8Array, qos: QoS): Promise<void> {
    this.messages.push({ topic, payload, qos });
  }
  async close(): Promise<void> {}
}

describe('fleet', () => {
  it('walks each device along its corridor at walking pace, reproducibly', () => {
    const plan = new FleetPlan({ devices: 200, seed: 3 });
    const again = new FleetPlan({ devices: 200, seed: 3 });
    const frame = new LocalFrame({ lon: -1.5, lat: 52.9 });
    expect(plan.deviceIds[0]).toBe('fleet-000');
    for (let i = 0; i < 200; i += 17) {
      const a = { ...plan.positionAt(i, 10) };
      expect({ ...again.positionAt(i, 10) }).toEqual(a);
      const b = { ...plan.positionAt(i, 11) };
      const pa = frame.toXY(a.lon, a.lat);
      const pb = frame.toXY(b.lon, b.lat);
      const step = Math.hypot(pb.x - pa.x, pb.y - pa.y);
      expect(step).toBeGreaterThan(0.5);
      expect(step).toBeLessThan(2); // 0.8..1.8 m/s, a little more on a turn back
    }
    // Going back in time (a cursor moving backwards) gives the same answer as a fresh plan.
    expect({ ...plan.positionAt(5, 3) }).toEqual({
      ...new FleetPlan({ devices: 200, seed: 3 }).positionAt(5, 3),
    });
  });

  it('gives its corridor centrelines, along which every worker walks 3 to 6 m to one side', () => {
    const plan = new FleetPlan({ devices: 50, seed: 9 });
    const frame = new LocalFrame({ lon: -1.5, lat: 52.9 });
    const lines = plan.centrelines().map((line) => line.map(([lon, lat]) => frame.toXY(lon, lat)));
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line).toHaveLength(61); // 3 km, a vertex every 50 m
      for (let v = 1; v < line.length; v++) {
        expect(Math.hypot(line[v]!.x - line[v - 1]!.x, line[v]!.y - line[v - 1]!.y)).toBeCloseTo(50, 3);
      }
    }
    const distanceToLines = (x: number, y: number) =>
      Math.min(
        ...lines.flatMap((line) =>
          line.slice(1).map((b, v) => {
            const a = line[v]!;
            const [dx, dy] = [b.x - a.x, b.y - a.y];
            const t = Math.max(0, Math.min(1, ((x - a.x) * dx + (y - a.y) * dy) / (dx * dx + dy * dy)));
            return Math.hypot(x - a.x - t * dx, y - a.y - t * dy);
          }),
        ),
      );
    for (let i = 0; i < 50; i++) {
      const { lon, lat } = plan.positionAt(i, 100);
      const { x, y } = frame.toXY(lon, lat);
      const d = distanceToLines(x, y);
      expect(d).toBeGreaterThan(2.5);
      expect(d).toBeLessThan(6.1);
    }
  });

  it('publishes devices × rate × duration fixes on a flat schedule, one topic per device', async () => {
    const publishers = [new RecordingPublisher(), new RecordingPublisher()];
    const summary = await runFleet({
      plan: new FleetPlan({ devices: 50, seed: 1 }),
      rateHz: 4,
      durationS: 0.5,
      publishers,
      startTimeMs: Date.parse('2026-06-01T08:00:00Z'),
    });
    expect(summary).toMatchObject({ scheduled: 100, sent: 100, failed: 0, devices: 50, targetRate: 200 });
    expect(summary.elapsedMs).toBeGreaterThan(400);
    expect(summary.publishLatency.count).toBe(100);
    const all = publishers.flatMap((p) => p.messages);
    expect(new Set(all.map((m) => m.topic)).size).toBe(50);
    expect(publishers[0]!.messages.every((m) => /fleet-\d[02468]\/fix$/.test(m.topic))).toBe(true);
    const fix = canonicalJsonCodec.decode(all[99]!.payload, { deviceId: 'x', receivedAtMs: Date.now() })
      .fixes[0]!;
    expect(fix.sequence).toBe(1);
    expect(fix.fixTimeMs).toBe(Date.parse('2026-06-01T08:00:00Z') + 495);
  });

  it('parses its options', () => {
    expect(parseFleetArgs(['--devices', '10000', '--rate', '1', '--duration', '60'])).toMatchObject({
      devices: 10_000,
      rateHz: 1,
      durationS: 60,
      connections: 4,
      qos: 1,
    });
    expect(() => parseFleetArgs(['--devices', '0'])).toThrow(
      '--devices must be an integer >= 1 and <= 65535, got "0"',
    );
    expect(() => parseFleetArgs(['--id-prefix', 'a/b'])).toThrow(/--id-prefix may contain only/);
  });

  it('summarises latencies with percentiles', () => {
    const sample = new LatencySample(1000);
    for (let i = 1; i <= 2000; i++) sample.add(i % 100);
    const summary = sample.summary();
    expect(summary.count).toBe(2000);
    expect(summary.maxMs).toBe(99);
    expect(summary.p50Ms).toBeGreaterThan(35);
    expect(summary.p50Ms).toBeLessThan(65);
  });
});
