import { canonicalJsonCodec } from '../../../devices/src/index.js';
import type { FixCodec } from '../../../libs/telemetry/src/index.js';
import { BrokerConnectionLostError, type FixPublisher, type QoS } from '../broker/mqtt.publisher.js';
import type { Trace, TracePoint } from '../trace/trace.model.js';
import { planReplay, replayThrough, ReplayOptionsError } from './replay.service.js';

/**
 * Records what the replay hands to its publisher. These tests cover pacing, batching and numbering;
 * replay.mqtt.spec.ts checks the same against a real broker.
 */
class RecordingPublisher implements FixPublisher {
  readonly messages: { topic: string; payload: Uint8Array; qos: QoS; atMs: number }[] = [];
  private readonly startedAt = performance.now();
  constructor(private readonly outcome: (index: number) => Promise<void> = () => Promise.resolve()) {}

  publish(topic: string, payload: Uint8Array, qos: QoS): Promise<void> {
    this.messages.push({ topic, payload, qos, atMs: performance.now() - this.startedAt });
    return this.outcome(this.messages.length - 1);
  }

  async close(): Promise<void> {}

  /** Each message decoded as the server would, with its device from the topic. */
  decoded() {
    return this.messages.map(({ topic, payload }) => {
      const deviceId = topic.split('/')[3] as string;
      const result = canonicalJsonCodec.decode(payload, {
        deviceId,
        receivedAtMs: Date.parse('2100-01-01T00:00:00Z'),
      });
      expect(result.rejected).toEqual([]);
      return { topic, fixes: result.fixes };
    });
  }
}

const T0 = Date.parse('2026-05-01T10:00:00Z');
const point = (offsetMs: number, extra: Partial<TracePoint> = {}): TracePoint => ({
  fixTimeMs: T0 + offsetMs,
  lon: -1.5 + offsetMs / 1e7,
  lat: 52.9,
  accuracyM: 3,
  ...extra,
});
const singleTrace = (points: TracePoint[]): Trace => ({
  source: 'walk.csv',
  format: 'csv',
  warnings: [],
  tracks: [{ points }],
});
const fleetTrace: Trace = {
  source: 'fleet.csv',
  format: 'csv',
  warnings: [],
  tracks: [
    { deviceId: 'wear-a', points: [point(0), point(2000), point(4000)] },
    { deviceId: 'wear-b', points: [point(1000), point(3000)] },
  ],
};

describe('replayThrough', () => {
  it('publishes each fix to its device topic, re-timed to the start time, numbered 0..n-1', async () => {
    const publisher = new RecordingPublisher();
    const startMs = Date.parse('2030-01-01T00:00:00Z');
    const summary = await replayThrough(publisher, singleTrace([point(0), point(1000), point(1500)]), {
      deviceId: 'sim-1',
      speed: 'max',
      startTime: startMs,
    });
    expect(publisher.messages.map((message) => [message.topic, message.qos])).toEqual([
      ['lookout/v1/devices/sim-1/fix', 1],
      ['lookout/v1/devices/sim-1/fix', 1],
      ['lookout/v1/devices/sim-1/fix', 1],
    ]);
    const fixes = publisher.decoded().flatMap((message) => message.fixes);
    expect(fixes.map((fix) => [fix.fixTimeMs - startMs, fix.sequence, fix.accuracyM, fix.lat])).toEqual([
      [0, 0, 3, 52.9],
      [1000, 1, 3, 52.9],
      [1500, 2, 3, 52.9],
    ]);
    expect(summary).toMatchObject({
      deviceIds: ['sim-1'],
      totalFixes: 3,
      sentFixes: 3,
      messages: 3,
      failedPublishes: 0,
      failedFixes: 0,
    });
    expect(summary.stopped).toBeUndefined();
    expect(summary.fixesPerSecond).toBeGreaterThan(0);
  });

  it('starts at the current time by default, or keeps the trace times', async () => {
    const now = new RecordingPublisher();
    const before = Date.now();
    await replayThrough(now, singleTrace([point(0), point(10)]), { deviceId: 'sim-1', speed: 'max' });
    const first = now.decoded()[0]?.fixes[0]?.fixTimeMs ?? 0;
    expect(first).toBeGreaterThanOrEqual(before);
    expect(first).toBeLessThanOrEqual(Date.now());

    const kept = new RecordingPublisher();
    await replayThrough(kept, singleTrace([point(0), point(10)]), {
      deviceId: 'sim-1',
      speed: 'max',
      startTime: 'keep',
    });
    expect(kept.decoded().map((message) => message.fixes[0]?.fixTimeMs)).toEqual([T0, T0 + 10]);
  });

  it('keeps the trace own sequence numbers', async () => {
    const publisher = new RecordingPublisher();
    const trace = singleTrace([point(0, { sequence: 40 }), point(1, { sequence: 42 })]);
    await replayThrough(publisher, trace, { deviceId: 'sim-1', speed: 'max' });
    expect(publisher.decoded().map((message) => message.fixes[0]?.sequence)).toEqual([40, 42]);
  });

  it('groups K fixes per message as an array, sending the last partial batch at the end', async () => {
    const publisher = new RecordingPublisher();
    const trace = singleTrace([0, 1, 2, 3, 4].map((second) => point(second * 1000)));
    const summary = await replayThrough(publisher, trace, {
      deviceId: 'sim-1',
      speed: 'max',
      batch: 2,
      qos: 0,
    });
    const payloads = publisher.messages.map((message) =>
      JSON.parse(new TextDecoder().decode(message.payload)),
    );
    expect(payloads.map((payload) => (Array.isArray(payload) ? payload.length : 'single'))).toEqual([
      2,
      2,
      'single',
    ]);
    expect(publisher.decoded().map((message) => message.fixes.map((fix) => fix.sequence))).toEqual([
      [0, 1],
      [2, 3],
      [4],
    ]);
    expect(publisher.messages.every((message) => message.qos === 0)).toBe(true);
    expect(summary).toMatchObject({ sentFixes: 5, messages: 3 });
  });

  it('interleaves the devices of a multi-device trace by time, batching per device', async () => {
    const publisher = new RecordingPublisher();
    const summary = await replayThrough(publisher, fleetTrace, { speed: 'max', startTime: 'keep', batch: 2 });
    expect(
      publisher
        .decoded()
        .map((message) => [message.topic.split('/')[3], message.fixes.map((fix) => fix.fixTimeMs - T0)]),
    ).toEqual([
      ['wear-a', [0, 2000]], // complete when wear-a's second fix is due (t=2000)
      ['wear-b', [1000, 3000]], // complete at t=3000
      ['wear-a', [4000]], // the partial batch, at the end
    ]);
    expect(summary.deviceIds).toEqual(['wear-a', 'wear-b']);
  });

  it('replays only the chosen device of a multi-device trace, from its own first fix', async () => {
    const publisher = new RecordingPublisher();
    await replayThrough(publisher, fleetTrace, { deviceId: 'wear-b', speed: 'max', startTime: 0 });
    expect(publisher.decoded().map((message) => [message.topic, message.fixes[0]?.fixTimeMs])).toEqual([
      ['lookout/v1/devices/wear-b/fix', 0],
      ['lookout/v1/devices/wear-b/fix', 2000],
    ]);
  });

  it('waits the trace spacing divided by the speed between fixes', async () => {
    const publisher = new RecordingPublisher();
    const trace = singleTrace([point(0), point(1000), point(1000), point(3000)]);
    const summary = await replayThrough(publisher, trace, { deviceId: 'sim-1', speed: 10 });
    // Each fix is due at the replay's start + its trace offset / speed: the schedule is kept from the start,
    // so a late fix does not push the next ones back (a gap after a late fix is shorter than the spacing).
    // Measured from the publisher's creation, which precedes the replay's start: never earlier than due;
    // lateness allowed generously for a loaded CI machine.
    const times = publisher.messages.map((message) => message.atMs);
    [0, 100, 100, 300].forEach((expectedMs, index) => {
      expect(times[index]).toBeGreaterThanOrEqual(expectedMs - 2);
      expect(times[index]).toBeLessThan(expectedMs + 150);
    });
    expect(summary.elapsedMs).toBeGreaterThanOrEqual(298);
  });

  it('counts failed publishes and carries on, reporting the first error', async () => {
    const publisher = new RecordingPublisher((index) =>
      index === 1 ? Promise.reject(new Error('not authorised')) : Promise.resolve(),
    );
    const progress: number[] = [];
    const summary = await replayThrough(publisher, singleTrace([point(0), point(1), point(2)]), {
      deviceId: 'sim-1',
      speed: 'max',
      onProgress: (update) => progress.push(update.sentFixes + update.failedPublishes),
    });
    expect(summary).toMatchObject({
      sentFixes: 2,
      messages: 2,
      failedPublishes: 1,
      failedFixes: 1,
      firstError: 'not authorised',
    });
    expect(summary.stopped).toBeUndefined();
    expect(progress).toEqual([1, 2, 3]);

    const throwing = await replayThrough(new RecordingPublisher(), singleTrace([point(0), point(1)]), {
      deviceId: 'sim-1',
      speed: 'max',
      onProgress: () => {
        throw new Error('listener bug');
      },
    });
    expect(throwing).toMatchObject({ sentFixes: 2, failedPublishes: 0 });
  });

  it('stops when the connection is lost', async () => {
    const lost = new BrokerConnectionLostError('mqtt://127.0.0.1:1');
    const publisher = new RecordingPublisher((index) =>
      index >= 1 ? Promise.reject(lost) : Promise.resolve(),
    );
    const summary = await replayThrough(publisher, singleTrace([0, 1, 2, 3, 4].map((s) => point(s * 100))), {
      deviceId: 'sim-1',
      speed: 1,
    });
    expect(summary.stopped).toBe('connection-lost');
    expect(summary.sentFixes).toBe(1);
    expect(publisher.messages.length).toBeLessThan(5);
    expect(summary.firstError).toBe('lost the connection to the MQTT broker at mqtt://127.0.0.1:1');
  });

  it('stops promptly when aborted, after what is in flight settles', async () => {
    const publisher = new RecordingPublisher();
    const controller = new AbortController();
    const trace = singleTrace([0, 1, 2, 3].map((second) => point(second * 60_000)));
    setTimeout(() => controller.abort(), 50);
    const summary = await replayThrough(publisher, trace, { deviceId: 'sim-1', signal: controller.signal });
    expect(summary).toMatchObject({ stopped: 'aborted', sentFixes: 1, totalFixes: 4 });
    expect(summary.elapsedMs).toBeLessThan(5_000);
  });

  it('keeps at most maxInFlight messages unacknowledged', async () => {
    let outstanding = 0;
    let most = 0;
    const publisher = new RecordingPublisher(async () => {
      outstanding += 1;
      most = Math.max(most, outstanding);
      await new Promise((resolve) => setTimeout(resolve, 2));
      outstanding -= 1;
    });
    const trace = singleTrace(Array.from({ length: 30 }, (_, index) => point(index)));
    const summary = await replayThrough(publisher, trace, {
      deviceId: 'sim-1',
      speed: 'max',
      maxInFlight: 4,
    });
    expect(summary.sentFixes).toBe(30);
    expect(most).toBe(4);
  });
});

describe('planReplay', () => {
  const trace = singleTrace([point(0)]);
  const noEncode: FixCodec = { name: 'decode-only', decode: () => ({ fixes: [], rejected: [] }) };

  it.each([
    [
      'no device for an anonymous trace',
      trace,
      {},
      'walk.csv names no device: give the device id to publish as (--device)',
    ],
    [
      'a device id that is not one topic level',
      trace,
      { deviceId: 'a/b' },
      /device id "a\/b": device id may contain only/,
    ],
    [
      'a device not in the trace',
      fleetTrace,
      { deviceId: 'wear-z' },
      'device "wear-z" is not in fleet.csv; it has wear-a, wear-b',
    ],
    ['a zero speed', trace, { deviceId: 'd', speed: 0 }, 'speed must be a positive number or "max", got 0'],
    [
      'a fractional batch',
      trace,
      { deviceId: 'd', batch: 1.5 },
      'batch must be an integer from 1 to 1000, got 1.5',
    ],
    ['an oversized batch', trace, { deviceId: 'd', batch: 1001 }, /got 1001/],
    [
      'a codec that cannot encode',
      trace,
      { deviceId: 'd', codec: noEncode },
      'codec "decode-only" cannot encode fixes',
    ],
    [
      'a negative start time',
      trace,
      { deviceId: 'd', startTime: -5 },
      /start time must be a non-negative integer/,
    ],
    ['an empty trace', singleTrace([]), { deviceId: 'd' }, 'walk.csv has no fixes to replay'],
    [
      'no room in flight',
      trace,
      { deviceId: 'd', maxInFlight: 0 },
      'maxInFlight must be a positive integer, got 0',
    ],
  ] as const)('refuses %s', (_case, input, options, message) => {
    expect(() => planReplay(input, options)).toThrow(ReplayOptionsError);
    expect(() => planReplay(input, options)).toThrow(message);
  });

  it('plans every named device with its topic', () => {
    const plan = planReplay(fleetTrace);
    expect(plan.tracks.map((track) => track.topic)).toEqual([
      'lookout/v1/devices/wear-a/fix',
      'lookout/v1/devices/wear-b/fix',
    ]);
    expect(plan).toMatchObject({ totalFixes: 5, speed: 1, qos: 1, batch: 1, codec: canonicalJsonCodec });
  });
});
