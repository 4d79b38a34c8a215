import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { UnknownWearableModelError } from '../../../devices/src/behaviour/index.js';
import { codecByName, DEFAULT_CODEC } from '../../../devices/src/index.js';
import { connectMqttPublisher, DEFAULT_CONNECT_TIMEOUT_MS, type QoS } from '../broker/mqtt.publisher.js';
import {
  CONNECTION_OPTIONS,
  ExitCode,
  exitCodeOfFailure,
  exitCodeOfRun,
  requireLoginPair,
  singleFile,
  UsageError,
  type CommandIo,
} from '../command.js';
import { createProgressBar } from '../progress/progress-bar.js';
import {
  DEFAULT_BROKER_URL,
  parseBrokerUrl,
  parseNumber,
  parseQos,
  parseStartTime,
} from '../replay/replay.command.js';
import type { ReplaySpeed } from '../replay/replay.service.js';
import { compileScenario, groundTruthDocument, type CompiledScenario } from './scenario.compiler.js';
import { loadScenario, ScenarioFormatError } from './scenario.loader.js';
import { publishScenario, type ScenarioRunSummary } from './scenario.runner.js';

export const SCENARIO_USAGE = `Usage: lookout-sim scenario <scenario.yaml|scenario.json> [options]

Runs a scenario: every device's fixes (with the scenario's noise, dropouts, clock skew and delivery
faults) and its virtual wearable's alerts, and writes the ground truth.

Options:
  --broker <url>           MQTT broker (default ${DEFAULT_BROKER_URL})
  --speed <1|N|max>        multiple of real time, or max (default 1)
  --codec <name>           payload codec for fixes (default ${DEFAULT_CODEC})
  --seed <n|text>          random seed (default: the scenario's)
  --out <file>             write the ground truth (crossings, true positions, wearable alerts) as JSON
  --start-time <ISO|ms|auto>  scenario time 0 (default auto: so the last fix is dated when it is sent)
  --qos <0|1|2>            MQTT QoS (default 1)
  --dry-run                compile and write --out, publish nothing
  --username <u>           MQTT username
  --password <p>           MQTT password
  --connect-timeout-ms <ms>  give up connecting after this long (default ${DEFAULT_CONNECT_TIMEOUT_MS})
  -h, --help               show this help`;

export interface ScenarioCommandOptions {
  scenarioPath: string;
  brokerUrl: string;
  speed: ReplaySpeed;
  codecName: string;
  seed?: string;
  outPath?: string;
  startTime: number | 'auto';
  qos: QoS;
  dryRun: boolean;
  username?: string;
  password?: string;
  connectTimeoutMs: number;
}

export function parseScenarioArgs(args: readonly string[]): ScenarioCommandOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        broker: { type: 'string', default: DEFAULT_BROKER_URL },
        speed: { type: 'string', default: '1' },
        codec: { type: 'string', default: DEFAULT_CODEC },
        seed: { type: 'string' },
        out: { type: 'string' },
        'start-time': { type: 'string', default: 'auto' },
        qos: { type: 'string', default: '1' },
        'dry-run': { type: 'boolean', default: false },
        ...CONNECTION_OPTIONS,
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  requireLoginPair(values);
  const startTime = values['start-time'] === 'auto' ? 'auto' : parseStartTime(values['start-time']);
  const options: ScenarioCommandOptions = {
    scenarioPath: singleFile(positionals, 'scenario file'),
    brokerUrl: parseBrokerUrl(values.broker),
    speed:
      values.speed === 'max' ? 'max' : parseNumber('--speed', values.speed, { min: 0, exclusiveMin: true }),
    codecName: values.codec,
    startTime: startTime === 'now' ? Date.now() : startTime,
    qos: parseQos(values.qos),
    dryRun: values['dry-run'],
    connectTimeoutMs: parseNumber('--connect-timeout-ms', values['connect-timeout-ms'], {
      min: 1,
      integer: true,
    }),
  };
  if (values.seed !== undefined) {
    if (values.seed.trim() === '') throw new UsageError('--seed must not be empty');
    options.seed = values.seed;
  }
  if (values.out !== undefined) options.outPath = values.out;
  if (values.username !== undefined) options.username = values.username;
  if (values.password !== undefined) options.password = values.password;
  return options;
}

/**
 * Scenario time 0 such that, at this speed, the last fix is dated no later than the moment it is sent:
 * now − duration × (1 − 1/speed). Real time starts now; `max` starts a whole duration in the past.
 */
export function autoStartMs(durationS: number, speed: ReplaySpeed, nowMs = Date.now()): number {
  const durationMs = durationS * 1000;
  return Math.round(nowMs - (speed === 'max' ? durationMs : durationMs * (1 - 1 / Math.max(1, speed))));
}

/** Numeric seeds are kept numeric, so `--seed 7` and `seed: 7` in a file give the same run. */
const seedValue = (text: string): number | string => (/^-?\d+$/.test(text) ? Number(text) : text);

export function formatScenarioSummary(compiled: CompiledScenario, summary: ScenarioRunSummary): string {
  const stopped =
    summary.stopped === 'aborted'
      ? ' (interrupted)'
      : summary.stopped === 'connection-lost'
        ? ' (connection lost)'
        : '';
  return (
    `scenario ${compiled.scenario.name}${stopped}: sent ${summary.sentMessages}/${summary.totalMessages} messages ` +
    `(${summary.sentFixMessages} fixes, ${summary.sentEventMessages} wearable events) for ${compiled.devices.length} device${compiled.devices.length === 1 ? '' : 's'}, ` +
    `${summary.failedPublishes} failed, elapsed ${(summary.elapsedMs / 1000).toFixed(2)} s, ` +
    `${summary.messagesPerSecond.toFixed(1)} messages/s`
  );
}

export function describeGroundTruth(compiled: CompiledScenario): string {
  const { crossings } = compiled.groundTruth;
  const parts = crossings.map(
    (c) =>
      `${c.deviceId}/${c.zoneId} +${((c.timeOutMs - compiled.startMs) / 1000).toFixed(1)} s for ` +
      `${(c.durationMs / 1000).toFixed(1)} s${c.timeBackInMs === null ? ' (still out)' : ''}`,
  );
  return `ground truth: ${crossings.length} crossing${crossings.length === 1 ? '' : 's'}${parts.length ? `: ${parts.join('; ')}` : ''}`;
}

/** `lookout-sim scenario ...`: the summary goes to `out`, everything else to `err`. */
export async function runScenarioCommand(args: readonly string[], io: CommandIo): Promise<ExitCode> {
  try {
    const options = parseScenarioArgs(args);
    if (options === 'help') {
      io.out(SCENARIO_USAGE);
      return ExitCode.ok;
    }
    const codec = codecByName(options.codecName);
    if (!codec.encode) throw new UsageError(`codec "${codec.name}" cannot encode fixes`);
    const scenario = await loadScenario(options.scenarioPath);
    const startMs =
      options.startTime === 'auto' ? autoStartMs(scenario.durationS, options.speed) : options.startTime;
    const compiled = compileScenario(scenario, {
      startMs,
      ...(options.seed !== undefined ? { seed: seedValue(options.seed) } : {}),
    });
    io.err(
      `scenario ${scenario.name}: ${compiled.devices.length} devices, ${compiled.publications.length} messages over ` +
        `${scenario.durationS} s from ${new Date(startMs).toISOString()}, seed ${compiled.seed}, ${codec.name}, speed ${options.speed}`,
    );
    io.err(describeGroundTruth(compiled));
    if (options.outPath !== undefined) {
      await mkdir(dirname(options.outPath), { recursive: true });
      await writeFile(
        options.outPath,
        `${JSON.stringify(groundTruthDocument(compiled.groundTruth), null, 2)}\n`,
      );
      io.err(`wrote the ground truth to ${options.outPath}`);
    }
    if (options.dryRun) {
      io.out(`scenario ${scenario.name}: dry run, ${compiled.publications.length} messages not sent`);
      return ExitCode.ok;
    }
    const publisher = await connectMqttPublisher({
      brokerUrl: options.brokerUrl,
      connectTimeoutMs: options.connectTimeoutMs,
      ...(options.username !== undefined ? { username: options.username, password: options.password } : {}),
    });
    const bar = createProgressBar(io.progress, scenario.name, compiled.publications.length);
    let summary: ScenarioRunSummary;
    try {
      summary = await publishScenario(compiled, {
        publisherFor: () => publisher,
        speed: options.speed,
        codec,
        qos: options.qos,
        ...(io.signal ? { signal: io.signal } : {}),
        onProgress: (progress) => bar.update(progress.sentMessages + progress.failedPublishes),
      });
    } finally {
      bar.finish();
      await publisher.close();
    }
    if (summary.firstError !== undefined) io.err(`error: first failed publish: ${summary.firstError}`);
    io.out(formatScenarioSummary(compiled, summary));
    return exitCodeOfRun(summary.failedPublishes, summary.stopped);
  } catch (error) {
    return exitCodeOfFailure(error, io, 'scenario', [ScenarioFormatError, UnknownWearableModelError]);
  }
}
