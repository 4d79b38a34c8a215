import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Aedes } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { canonicalJsonCodec } from '../../../devices/src/index.js';
import { deviceTopic, type CanonicalFix } from '../../../libs/telemetry/src/index.js';
import { BrokerConnectError } from '../broker/mqtt.publisher.js';
import { ExitCode } from '../command.js';
import { loadTrace } from '../trace/trace.loader.js';
import { runReplayCommand } from './replay.command.js';
import { replayTrace } from './replay.service.js';

/**
 * Integration: publishes to a real broker and subscribes to what arrives. Uses the broker at
 * MQTT_URL when set (CI runs Mosquitto), otherwise an embedded aedes on an ephemeral loopback port.
 */
const traces = (name: string) => fileURLToPath(new URL(`../../traces/${name}`, import.meta.url));
const uniqueDevice = (label: string) => `sim-test-${label}-${process.pid}-${randomBytes(3).toString('hex')}`;

async function listenOnLoopback(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

let brokerUrl: string;
let stopBroker: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  const external = process.env.MQTT_URL;
  if (external) {
    brokerUrl = external;
    return;
  }
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  brokerUrl = `mqtt://127.0.0.1:${await listenOnLoopback(server)}`;
  stopBroker = async () => {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await closeServer(server);
  };
});

afterAll(async () => {
  await stopBroker();
});

/** Subscribes to a device's fix topic and decodes everything that arrives. */
async function subscribeFixes(deviceId: string) {
  const client: MqttClient = await connectAsync(brokerUrl, { reconnectPeriod: 0, connectTimeout: 5000 });
  const messages: { fixes: CanonicalFix[]; batch: boolean }[] = [];
  client.on('message', (_topic, payload) => {
    const result = canonicalJsonCodec.decode(payload, { deviceId, receivedAtMs: Date.now() });
    expect(result.rejected).toEqual([]);
    messages.push({ fixes: result.fixes, batch: payload.toString().startsWith('[') });
  });
  await client.subscribeAsync(deviceTopic(deviceId, 'fix'), { qos: 1 });
  const fixCount = () => messages.reduce((count, message) => count + message.fixes.length, 0);
  return {
    messages,
    async waitForFixes(count: number, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (fixCount() < count && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      return messages.flatMap((message) => message.fixes);
    },
    close: () => client.endAsync(),
  };
}

describe('replay to a real MQTT broker', () => {
  it('delivers every fix of the CSV demo, re-timed, numbered and batched, to the device topic', async () => {
    const deviceId = uniqueDevice('csv');
    const subscriber = await subscribeFixes(deviceId);
    try {
      const trace = await loadTrace(traces('demo-short.csv'));
      const points = trace.tracks[0]?.points ?? [];
      const startMs = Date.now() - 60_000;
      const summary = await replayTrace(trace, {
        brokerUrl,
        deviceId,
        speed: 'max',
        batch: 5,
        startTime: startMs,
      });
      expect(summary).toMatchObject({
        sentFixes: 22,
        messages: 5,
        failedPublishes: 0,
        deviceIds: [deviceId],
      });

      const received = await subscriber.waitForFixes(22);
      expect(received).toEqual(
        points.map((point, index) => ({
          deviceId,
          receivedAtMs: expect.any(Number),
          fixTimeMs: startMs + (point.fixTimeMs - (points[0]?.fixTimeMs ?? 0)),
          lon: point.lon,
          lat: point.lat,
          accuracyM: 3,
          sequence: index,
        })),
      );
      expect(subscriber.messages.map((message) => [message.fixes.length, message.batch])).toEqual([
        [5, true],
        [5, true],
        [5, true],
        [5, true],
        [2, true],
      ]);
    } finally {
      await subscriber.close();
    }
  });

  it('runs the replay command on the GeoJSON demo and prints a one-line summary', async () => {
    const deviceId = uniqueDevice('cli');
    const subscriber = await subscribeFixes(deviceId);
    const out: string[] = [];
    const err: string[] = [];
    try {
      const code = await runReplayCommand(
        [traces('demo-step-out.geojson'), '--device', deviceId, '--broker', brokerUrl, '--speed', 'max'],
        { out: (line) => out.push(line), err: (line) => err.push(line) },
      );
      expect(err.join('\n')).not.toMatch(/error|warning/);
      expect(code).toBe(ExitCode.ok);
      expect(out).toHaveLength(1);
      expect(out[0]).toMatch(
        new RegExp(
          `^replay: sent 81/81 fixes in 81 messages for device ${deviceId}, 0 failed publishes, elapsed [\\d.]+ s, [\\d.]+ fixes/s$`,
        ),
      );
      const received = await subscriber.waitForFixes(81);
      expect(received.map((fix) => fix.sequence)).toEqual(Array.from({ length: 81 }, (_, index) => index));
      // Default start time is now: the first fix is dated within the last few seconds.
      expect(Date.now() - (received[0]?.fixTimeMs ?? 0)).toBeLessThan(10_000);
      expect((received[80]?.fixTimeMs ?? 0) - (received[0]?.fixTimeMs ?? 0)).toBe(80_000);
    } finally {
      await subscriber.close();
    }
  });

  it('reports a lost connection instead of hanging, counting what was not acknowledged', async () => {
    // A loopback TCP proxy in front of the broker, cut mid-replay.
    const sockets = new Set<Socket>();
    const target = new URL(brokerUrl);
    const { createConnection } = await import('node:net');
    const proxy = createServer((client) => {
      const upstream = createConnection(Number(target.port || 1883), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => (socket === client ? upstream : client).destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    const port = await listenOnLoopback(proxy);
    try {
      const trace = await loadTrace(traces('demo-step-out.geojson'));
      setTimeout(() => sockets.forEach((socket) => socket.destroy()), 300);
      const summary = await replayTrace(trace, {
        brokerUrl: `mqtt://127.0.0.1:${port}`,
        deviceId: uniqueDevice('cut'),
        speed: 40, // 80 s of trace in 2 s
      });
      expect(summary.stopped).toBe('connection-lost');
      expect(summary.sentFixes).toBeGreaterThan(0);
      expect(summary.sentFixes).toBeLessThan(81);
      // It stopped at the loss rather than running out the trace (2 s at this speed); loose, for loaded CI.
      expect(summary.elapsedMs).toBeLessThan(1900);
    } finally {
      await closeServer(proxy);
    }
  });
});

describe('replay when the broker cannot be reached', () => {
  const trace = () => loadTrace(traces('demo-short.csv'));

  it('fails fast on a refused connection, naming the URL, and the command exits 3', async () => {
    const closed = createServer();
    const url = `mqtt://127.0.0.1:${await listenOnLoopback(closed)}`;
    await closeServer(closed); // nothing listens on the port now

    await expect(replayTrace(await trace(), { brokerUrl: url, deviceId: 'sim-x' })).rejects.toThrow(
      new BrokerConnectError(url, `connect ECONNREFUSED ${url.slice('mqtt://'.length)}`),
    );
    const err: string[] = [];
    const code = await runReplayCommand([traces('demo-short.csv'), '--device', 'sim-x', '--broker', url], {
      out: () => undefined,
      err: (line) => err.push(line),
    });
    expect(code).toBe(ExitCode.brokerUnreachable);
    expect(err.at(-1)).toBe(
      `error: cannot connect to the MQTT broker at ${url}: connect ECONNREFUSED 127.0.0.1:${url.split(':')[2]}`,
    );
  });

  it('gives up after the connect timeout when the broker never answers', async () => {
    // Accepts and reads (so it sees the client hang up), never sends a CONNACK.
    const silent = createServer((socket) => socket.on('error', () => undefined).resume());
    const url = `mqtt://127.0.0.1:${await listenOnLoopback(silent)}`;
    try {
      const startedAt = Date.now();
      await expect(
        replayTrace(await trace(), { brokerUrl: url, deviceId: 'sim-x', connectTimeoutMs: 300 }),
      ).rejects.toThrow(
        `cannot connect to the MQTT broker at ${url}: no answer within 0.3 s (is the broker running?)`,
      );
      expect(Date.now() - startedAt).toBeLessThan(3000);
    } finally {
      await closeServer(silent);
    }
  });
});
