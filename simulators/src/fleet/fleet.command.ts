import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { codecByName, DEFAULT_CODEC } from '../../../devices/src/index.js';
import {
  connectMqttPublisher,
  DEFAULT_CONNECT_TIMEOUT_MS,
  type FixPublisher,
  type QoS,
} from '../broker/mqtt.publisher.js';
import {
  CONNECTION_OPTIONS,
  ExitCode,
  exitCodeOfFailure,
  exitCodeOfRun,
  requireLoginPair,
  UsageError,
  type CommandIo,
} from '../command.js';
import { connectLeanPublisher, leanPublisherSupports } from '../broker/lean.publisher.js';
import { createProgressBar } from '../progress/progress-bar.js';
import { DEFAULT_BROKER_URL, parseBrokerUrl, parseNumber, parseQos } from '../replay/replay.command.js';
import { FleetPlan } from './fleet.model.js';
import { runFleet, type FleetRunSummary } from './fleet.runner.js';
import type { LatencySummary } from './fleet.stats.js';

export const FLEET_USAGE = `Usage: lookout-sim fleet [options]

Load generator: devices walking along track corridors, each publishing fixes at a set rate.

Options:
  --devices <N>            number of devices (default 100)
  --rate <Hz>              fixes per second per device (default 1)
  --duration <s>           how long to run (default 60)
  --broker <url>           MQTT broker (default ${DEFAULT_BROKER_URL})
  --codec <name>           payload codec (default ${DEFAULT_CODEC})
  --seed <n|text>          random seed for corridors and walkers (default 1)
  --qos <0|1|2>            MQTT QoS (default 1: latency is measured to the PUBACK)
  --connections <K>        MQTT connections from this process, devices spread over them (default 4)
  --max-in-flight <n>      unacknowledged publishes allowed at once (default 5000)
  --id-prefix <text>       device ids are <prefix><index> (default fleet-)
  --out <file>             write the run's figures as JSON
  --username <u>           MQTT username
  --password <p>           MQTT password
  --connect-timeout-ms <ms>  give up connecting after this long (default ${DEFAULT_CONNECT_TIMEOUT_MS})
  --mqttjs                 publish with MQTT.js instead of the lean publisher (which batches each
                           turn's messages in one write; used for mqtt:// at QoS 0 and 1)
  -h, --help               show this help

Against the embedded broker every device needs its own credential; use an external broker (Mosquitto)
with an ACL allowing the fleet's user to publish under lookout/v1/devices/+/fix.`;

export interface FleetCommandOptions {
  brokerUrl: string;
  devices: number;
  rateHz: number;
  durationS: number;
  codecName: string;
  seed: string;
  qos: QoS;
  connections: number;
  maxInFlight: number;
  idPrefix: string;
  outPath?: string;
  username?: string;
  password?: string;
  connectTimeoutMs: number;
  /** Publish with MQTT.js even where the lean publisher could. */
  mqttjs: boolean;
}

export function parseFleetArgs(args: readonly string[]): FleetCommandOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: false,
      strict: true,
      options: {
        devices: { type: 'string', default: '100' },
        rate: { type: 'string', default: '1' },
        duration: { type: 'string', default: '60' },
        broker: { type: 'string', default: DEFAULT_BROKER_URL },
        codec: { type: 'string', default: DEFAULT_CODEC },
        seed: { type: 'string', default: '1' },
        qos: { type: 'string', default: '1' },
        connections: { type: 'string', default: '4' },
        'max-in-flight': { type: 'string', default: '5000' },
        'id-prefix': { type: 'string', default: 'fleet-' },
        out: { type: 'string' },
        mqttjs: { type: 'boolean', default: false },
        ...CONNECTION_OPTIONS,
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) return 'help';
  requireLoginPair(values);
  if (!/^[A-Za-z0-9._:-]{0,40}$/.test(values['id-prefix'])) {
    throw new UsageError(
      `--id-prefix may contain only letters, digits, ".", "_", ":" and "-" (at most 40), got "${values['id-prefix']}"`,
    );
  }
  const options: FleetCommandOptions = {
    brokerUrl: parseBrokerUrl(values.broker),
    devices: parseNumber('--devices', values.devices, { min: 1, max: 65_535, integer: true }),
    rateHz: parseNumber('--rate', values.rate, { min: 0, exclusiveMin: true, max: 100 }),
    durationS: parseNumber('--duration', values.duration, { min: 0, exclusiveMin: true, max: 86_400 }),
    codecName: values.codec,
    seed: values.seed,
    qos: parseQos(values.qos),
    connections: parseNumber('--connections', values.connections, { min: 1, max: 64, integer: true }),
    maxInFlight: parseNumber('--max-in-flight', values['max-in-flight'], { min: 1, integer: true }),
    idPrefix: values['id-prefix'],
    connectTimeoutMs: parseNumber('--connect-timeout-ms', values['connect-timeout-ms'], {
      min: 1,
      integer: true,
    }),
    mqttjs: values.mqttjs,
  };
  if (values.out !== undefined) options.outPath = values.out;
  if (values.username !== undefined) options.username = values.username;
  if (values.password !== undefined) options.password = values.password;
  return options;
}

const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));
const latency = (summary: LatencySummary) =>
  `p50 ${ms(summary.p50Ms)} ms, p95 ${ms(summary.p95Ms)} ms, p99 ${ms(summary.p99Ms)} ms, max ${ms(summary.maxMs)} ms`;

export function formatFleetSummary(summary: FleetRunSummary): string {
  const stopped =
    summary.stopped === 'aborted'
      ? ' (interrupted)'
      : summary.stopped === 'connection-lost'
        ? ' (connection lost)'
        : '';
  return (
    `fleet${stopped}: ${summary.devices} devices at ${summary.rateHz} Hz for ${summary.durationS} s: ` +
    `sent ${summary.sent}/${summary.scheduled} fixes, ${summary.failed} failed, elapsed ${(summary.elapsedMs / 1000).toFixed(2)} s, ` +
    `achieved ${summary.achievedRate.toFixed(1)} fixes/s (target ${summary.targetRate}); ` +
    `publish latency ${latency(summary.publishLatency)}; schedule lag p95 ${ms(summary.scheduleLag.p95Ms)} ms, max ${ms(summary.scheduleLag.maxMs)} ms`
  );
}

/** Connects `count` publishers, closing those already open if one fails. */
export async function connectPublishers(
  count: number,
  options: Parameters<typeof connectMqttPublisher>[0],
  lean = false,
): Promise<FixPublisher[]> {
  const connect = lean ? connectLeanPublisher : connectMqttPublisher;
  const publishers: FixPublisher[] = [];
  try {
    for (let i = 0; i < count; i++) publishers.push(await connect(options));
    return publishers;
  } catch (error) {
    await Promise.all(publishers.map((publisher) => publisher.close()));
    throw error;
  }
}

/** `lookout-sim fleet ...` */
export async function runFleetCommand(args: readonly string[], io: CommandIo): Promise<ExitCode> {
  try {
    const options = parseFleetArgs(args);
    if (options === 'help') {
      io.out(FLEET_USAGE);
      return ExitCode.ok;
    }
    const codec = codecByName(options.codecName);
    if (!codec.encode) throw new UsageError(`codec "${codec.name}" cannot encode fixes`);
    const plan = new FleetPlan({ devices: options.devices, seed: options.seed, idPrefix: options.idPrefix });
    io.err(
      `fleet: ${options.devices} devices at ${options.rateHz} Hz for ${options.durationS} s ` +
        `(${options.devices * options.rateHz} fixes/s) to ${options.brokerUrl} over ${options.connections} connections, ` +
        `${codec.name}, QoS ${options.qos}, seed ${options.seed}`,
    );
    const publishers = await connectPublishers(
      options.connections,
      {
        brokerUrl: options.brokerUrl,
        connectTimeoutMs: options.connectTimeoutMs,
        ...(options.username !== undefined ? { username: options.username, password: options.password } : {}),
      },
      !options.mqttjs && leanPublisherSupports(options.brokerUrl, options.qos),
    );
    const total = Math.round(options.devices * options.rateHz * options.durationS);
    const bar = createProgressBar(io.progress, 'fleet', total);
    let summary: FleetRunSummary;
    try {
      summary = await runFleet({
        plan,
        rateHz: options.rateHz,
        durationS: options.durationS,
        publishers,
        codec,
        qos: options.qos,
        maxInFlight: options.maxInFlight,
        ...(io.signal ? { signal: io.signal } : {}),
        onProgress: (progress) =>
          bar.update(
            progress.sent + progress.failed,
            `${((progress.sent * 1000) / Math.max(1, progress.elapsedMs)).toFixed(0)} fixes/s`,
          ),
      });
    } finally {
      bar.finish();
      await Promise.all(publishers.map((publisher) => publisher.close()));
    }
    if (summary.firstError !== undefined) io.err(`error: first failed publish: ${summary.firstError}`);
    if (options.outPath !== undefined) {
      await mkdir(dirname(options.outPath), { recursive: true });
      await writeFile(
        options.outPath,
        `${JSON.stringify({ format: 'lookout-fleet-run/1', ...summary }, null, 2)}\n`,
      );
    }
    io.out(formatFleetSummary(summary));
    return exitCodeOfRun(summary.failed, summary.stopped);
  } catch (error) {
    return exitCodeOfFailure(error, io, 'fleet');
  }
}
