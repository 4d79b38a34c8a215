import { decodeDeviceEvents, canonicalJsonCodec, owntracksCodec } from '../../../devices/src/index.js';
import type { FixPublisher, QoS } from '../broker/mqtt.publisher.js';
import { compileScenario } from './scenario.compiler.js';
import { parseScenario } from './scenario.loader.js';
import { publishScenario } from './scenario.runner.js';
import { autoStartMs, parseScenarioArgs, runScenarioCommand } from './scenario.command.js';

const START_MS = Date.parse('2026-06-01T08:00:00Z');
const SCENARIO = parseScenario(
  `name: burst
origin: { lon: -1.5, lat: 52.9 }
durationS: 12
zones:
  - { id: cess, kind: safe, polygon: [[-50, -12], [50, -12], [50, -4], [-50, -4]] }
devices:
  - id: walker
    path: [[0, 0, -8], [4, 0, -8], [5, 0, -16], [8, 0, -16], [9, 0, -8]]
    noise: { r95M: 0.5 }
    delivery:
      outOfOrder: [{ fromS: 2, toS: 5 }]
      duplicates: [{ fromS: 8, toS: 10, copies: 3 }]
    wearable: { name: test-model, alertLatencyMs: 500, clearLatencyMs: 500 }
`,
  'burst.yaml',
);

class RecordingPublisher implements FixPublisher {
  readonly messages: { topic: string; payload: Uint8Array; qos: QoS }[] = [];
  async publish(topic: string, payload: Uint8Array, qos: QoS): Promise<void> {
    this.messages.push({ topic, payload, qos });
  }
  async close(): Promise<void> {}
}

describe('scenario runner', () => {
  it('publishes bursts newest first, duplicates, and the wearable events, in order', async () => {
    const compiled = compileScenario(SCENARIO, { startMs: START_MS });
    const publisher = new RecordingPublisher();
    const summary = await publishScenario(compiled, { publisherFor: () => publisher, speed: 'max' });
    expect(summary).toMatchObject({
      totalMessages: 19,
      sentMessages: 19,
      failedPublishes: 0,
      sentEventMessages: 2,
    });
    const fixes = publisher.messages
      .filter((m) => m.topic === 'lookout/v1/devices/walker/fix')
      .map(
        (m) =>
          canonicalJsonCodec.decode(m.payload, { deviceId: 'walker', receivedAtMs: START_MS + 60_000 })
            .fixes[0]!.sequence,
      );
    // Fixes 2, 3, 4 are held and released at 5 s newest first; 8 and 9 are sent three times.
    expect(fixes).toEqual([0, 1, 4, 3, 2, 5, 6, 7, 8, 8, 8, 9, 9, 9, 10, 11, 12]);
    const events = publisher.messages
      .filter((m) => m.topic === 'lookout/v1/devices/walker/event')
      .flatMap(
        (m) => decodeDeviceEvents(m.payload, { deviceId: 'walker', receivedAtMs: START_MS + 60_000 }).events,
      );
    expect(events.map((e) => [e.kind, e.eventTimeMs - START_MS, e.zoneRef])).toEqual([
      ['alert-raised', 5500, 'cess'],
      ['alert-cleared', 9500, 'cess'],
    ]);
    expect(compiled.groundTruth.crossings).toEqual([
      expect.objectContaining({
        zoneId: 'cess',
        timeOutMs: START_MS + 4501,
        timeBackInMs: START_MS + 8500,
        fixesDuring: 4,
      }),
    ]);
  });

  it('paces by scenario time at the given speed, and encodes fixes with the chosen codec', async () => {
    const compiled = compileScenario(SCENARIO, { startMs: START_MS });
    const publisher = new RecordingPublisher();
    const started = performance.now();
    await publishScenario(compiled, { publisherFor: () => publisher, speed: 40, codec: owntracksCodec });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThan((11_000 / 40) * 0.9);
    expect(JSON.parse(new TextDecoder().decode(publisher.messages[0]!.payload))).toMatchObject({
      _type: 'location',
    });
  });

  it('counts failed publishes without stopping, and stops when aborted', async () => {
    const compiled = compileScenario(SCENARIO, { startMs: START_MS });
    let calls = 0;
    const flaky: FixPublisher = {
      publish: async () => {
        calls += 1;
        if (calls % 2 === 0) throw new Error('refused');
      },
      close: async () => undefined,
    };
    const summary = await publishScenario(compiled, { publisherFor: () => flaky, speed: 'max' });
    expect(summary).toMatchObject({ sentMessages: 10, failedPublishes: 9, firstError: 'refused' });
    const aborted = await publishScenario(compiled, {
      publisherFor: () => flaky,
      signal: AbortSignal.abort(),
    });
    expect(aborted).toMatchObject({ sentMessages: 0, stopped: 'aborted' });
  });
});

describe('scenario command', () => {
  it('parses its options and refuses bad ones', () => {
    expect(parseScenarioArgs(['s.yaml', '--speed', 'max', '--seed', '7', '--out', 'gt.json'])).toMatchObject({
      scenarioPath: 's.yaml',
      speed: 'max',
      seed: '7',
      outPath: 'gt.json',
      startTime: 'auto',
    });
    expect(() => parseScenarioArgs([])).toThrow('missing the scenario file');
    expect(() => parseScenarioArgs(['s.yaml', '--speed', '0'])).toThrow(
      '--speed must be a number > 0, got "0"',
    );
    expect(() => parseScenarioArgs(['s.yaml', '--username', 'u'])).toThrow(
      '--username and --password go together',
    );
  });

  it('starts early enough that no fix is dated ahead of its sending', () => {
    expect(autoStartMs(100, 1, 1_000_000)).toBe(1_000_000);
    expect(autoStartMs(100, 4, 1_000_000)).toBe(1_000_000 - 75_000);
    expect(autoStartMs(100, 'max', 1_000_000)).toBe(900_000);
  });

  it('reports a bad scenario with its line and exit code 2, and a dry run writes nothing to the broker', async () => {
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
    expect(await runScenarioCommand(['does-not-exist.yaml'], io)).toBe(2);
    expect(lines.at(-1)).toBe('error: does-not-exist.yaml: cannot read the scenario: no such file');
    const library = new URL('../../scenarios/step-out-and-back.yaml', import.meta.url).pathname;
    expect(await runScenarioCommand([library, '--dry-run', '--broker', 'mqtt://127.0.0.1:1'], io)).toBe(0);
    expect(lines.at(-1)).toMatch(/^scenario step-out-and-back: dry run, \d+ messages not sent$/);
    expect(lines).toContainEqual('ground truth: 1 crossing: walker/cess +32.0 s for 16.0 s');
  });
});
