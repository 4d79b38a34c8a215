import { parseArgs } from 'node:util';
import { codecByName, DEFAULT_CODEC } from '../../../devices/src/index.js';
import { MAX_FUTURE_SKEW_MS } from '../../../libs/telemetry/src/index.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, type QoS } from '../broker/mqtt.publisher.js';
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
import { loadTrace } from '../trace/trace.loader.js';
import {
  DEFAULT_ACCURACY_M,
  TraceFormatError,
  traceFixCount,
  type LoadTraceOptions,
} from '../trace/trace.model.js';
import { parseTime } from '../trace/trace-values.js';
import { clockLeadMs, traceTimeSpan } from './retime.js';
import {
  planReplay,
  replayTrace,
  ReplayOptionsError,
  type ReplaySpeed,
  type ReplaySummary,
  type ReplayTraceOptions,
} from './replay.service.js';

export const DEFAULT_BROKER_URL = 'mqtt://127.0.0.1:1883';

export const REPLAY_USAGE = `Usage: lookout-sim replay <trace.geojson|.csv|.gpx|.nmea> [options]

Replays a GPS trace as a device publishing fixes to lookout/v1/devices/{id}/fix.

Options:
  --device <id>            device to publish as (required unless the CSV has a device column;
                           with one, replays only that device)
  --broker <url>           MQTT broker (default ${DEFAULT_BROKER_URL})
  --speed <1|N|max>        multiple of real time, or max for as fast as possible (default 1)
  --codec <name>           payload codec (default ${DEFAULT_CODEC})
  --batch <K>              fixes per message (default 1)
  --qos <0|1|2>            MQTT QoS (default 1)
  --start-time <ISO|ms|now>  time of the first fix; spacing is kept (default now)
  --accuracy-m <m>         accuracy for fixes the trace gives none (default ${DEFAULT_ACCURACY_M})
  --interval-ms <ms>       spacing for a GeoJSON trace without times
  --username <u>           MQTT username
  --password <p>           MQTT password
  --connect-timeout-ms <ms>  give up connecting after this long (default ${DEFAULT_CONNECT_TIMEOUT_MS})
  -h, --help               show this help`;

export interface ReplayCommandOptions {
  tracePath: string;
  brokerUrl: string;
  deviceId?: string;
  speed: ReplaySpeed;
  codecName: string;
  batch: number;
  qos: QoS;
  startTime: number | 'now';
  accuracyM: number;
  intervalMs?: number;
  username?: string;
  password?: string;
  connectTimeoutMs: number;
}

const BROKER_PROTOCOLS = new Set(['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ws:', 'wss:']);

/** Parses `replay` arguments (after the subcommand); `help` when asked for it. Throws UsageError. */
export function parseReplayArgs(args: readonly string[]): ReplayCommandOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        device: { type: 'string' },
        broker: { type: 'string', default: DEFAULT_BROKER_URL },
        speed: { type: 'string', default: '1' },
        codec: { type: 'string', default: DEFAULT_CODEC },
        batch: { type: 'string', default: '1' },
        qos: { type: 'string', default: '1' },
        'start-time': { type: 'string', default: 'now' },
        'accuracy-m': { type: 'string', default: String(DEFAULT_ACCURACY_M) },
        'interval-ms': { type: 'string' },
        ...CONNECTION_OPTIONS,
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  requireLoginPair(values);

  const options: ReplayCommandOptions = {
    tracePath: singleFile(positionals, 'trace file', true),
    brokerUrl: parseBrokerUrl(values.broker),
    speed:
      values.speed === 'max' ? 'max' : parseNumber('--speed', values.speed, { min: 0, exclusiveMin: true }),
    codecName: values.codec,
    batch: parseNumber('--batch', values.batch, { min: 1, integer: true }),
    qos: parseQos(values.qos),
    startTime: parseStartTime(values['start-time']),
    accuracyM: parseNumber('--accuracy-m', values['accuracy-m'], { min: 0, max: 10_000 }),
    connectTimeoutMs: parseNumber('--connect-timeout-ms', values['connect-timeout-ms'], {
      min: 1,
      integer: true,
    }),
  };
  if (values.device !== undefined) options.deviceId = values.device;
  if (values['interval-ms'] !== undefined) {
    options.intervalMs = parseNumber('--interval-ms', values['interval-ms'], { min: 1, integer: true });
  }
  if (values.username !== undefined) options.username = values.username;
  if (values.password !== undefined) options.password = values.password;
  return options;
}

export function parseNumber(
  name: string,
  text: string,
  rule: { min?: number; max?: number; exclusiveMin?: boolean; integer?: boolean },
): number {
  const value = /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(text) ? Number(text) : NaN;
  const tooSmall = rule.min !== undefined && (rule.exclusiveMin ? value <= rule.min : value < rule.min);
  const tooBig = rule.max !== undefined && value > rule.max;
  if (Number.isNaN(value) || tooSmall || tooBig || (rule.integer && !Number.isInteger(value))) {
    const kind = rule.integer ? 'an integer' : 'a number';
    const lower = rule.min === undefined ? '' : rule.exclusiveMin ? ` > ${rule.min}` : ` >= ${rule.min}`;
    const upper = rule.max === undefined ? '' : `${lower ? ' and' : ''} <= ${rule.max}`;
    throw new UsageError(`${name} must be ${kind}${lower}${upper}, got "${text}"`);
  }
  return value;
}

export function parseQos(text: string): QoS {
  if (text === '0' || text === '1' || text === '2') return Number(text) as QoS;
  throw new UsageError(`--qos must be 0, 1 or 2, got "${text}"`);
}

export function parseStartTime(text: string): number | 'now' {
  if (text === 'now') return 'now';
  const parsed = parseTime(text);
  if (!parsed.ok) throw new UsageError(`--start-time: ${parsed.reason}, or "now"`);
  return parsed.value;
}

export function parseBrokerUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--broker must be a URL like ${DEFAULT_BROKER_URL}, got "${text}"`);
  }
  if (!BROKER_PROTOCOLS.has(url.protocol)) {
    throw new UsageError(`--broker must use mqtt://, mqtts://, ws:// or wss://, got "${text}"`);
  }
  return text;
}

/** One line: what was sent, what failed, how long it took. */
export function formatSummary(summary: ReplaySummary): string {
  const devices =
    summary.deviceIds.length === 1 ? `device ${summary.deviceIds[0]}` : `${summary.deviceIds.length} devices`;
  const stopped =
    summary.stopped === 'aborted'
      ? ' (interrupted)'
      : summary.stopped === 'connection-lost'
        ? ' (connection to the broker lost)'
        : '';
  return (
    `replay${stopped}: sent ${summary.sentFixes}/${summary.totalFixes} fixes in ${summary.messages} messages for ${devices}, ` +
    `${summary.failedPublishes} failed publishes, elapsed ${(summary.elapsedMs / 1000).toFixed(2)} s, ` +
    `${summary.fixesPerSecond.toFixed(1)} fixes/s`
  );
}

/** `lookout-sim replay ...`: returns the exit code; writes the summary to `out`, everything else to `err`. */
export async function runReplayCommand(args: readonly string[], io: CommandIo): Promise<ExitCode> {
  try {
    const options = parseReplayArgs(args);
    if (options === 'help') {
      io.out(REPLAY_USAGE);
      return ExitCode.ok;
    }
    const codec = codecByName(options.codecName);
    const loadOptions: LoadTraceOptions = { defaultAccuracyM: options.accuracyM };
    if (options.intervalMs !== undefined) loadOptions.intervalMs = options.intervalMs;
    const trace = await loadTrace(options.tracePath, loadOptions);
    for (const warning of trace.warnings) io.err(`warning: ${warning}`);
    const replayOptions: ReplayTraceOptions = {
      brokerUrl: options.brokerUrl,
      connectTimeoutMs: options.connectTimeoutMs,
      speed: options.speed,
      codec,
      qos: options.qos,
      batch: options.batch,
      startTime: options.startTime,
    };
    if (options.deviceId !== undefined) replayOptions.deviceId = options.deviceId;
    if (options.username !== undefined) replayOptions.username = options.username;
    if (options.password !== undefined) replayOptions.password = options.password;
    if (io.signal) replayOptions.signal = io.signal;
    const plan = planReplay(trace, replayOptions);
    const span = traceTimeSpan(trace);
    const durationS = span ? (span.lastMs - span.firstMs) / 1000 : 0;
    io.err(
      `replaying ${plan.totalFixes} of ${traceFixCount(trace)} fixes (${durationS.toFixed(1)} s of trace) ` +
        `for ${plan.tracks.map((track) => track.deviceId).join(', ')} to ${options.brokerUrl}: ` +
        `${codec.name}, speed ${options.speed}, QoS ${options.qos}, batch ${options.batch}`,
    );
    const leadMs =
      options.startTime === 'now' ? clockLeadMs(trace, plan.speed === 'max' ? Infinity : plan.speed) : 0;
    if (leadMs > MAX_FUTURE_SKEW_MS) {
      io.err(
        `warning: at this speed the last fixes are dated up to ${Math.round(leadMs / 1000)} s ahead of the clock; ` +
          `the server refuses fixes more than ${MAX_FUTURE_SKEW_MS / 1000} s ahead (use an earlier --start-time)`,
      );
    }
    const bar = createProgressBar(io.progress, 'replay', plan.totalFixes);
    replayOptions.onProgress = (progress) => bar.update(progress.sentFixes + progress.failedPublishes);
    let summary: ReplaySummary;
    try {
      summary = await replayTrace(trace, replayOptions);
    } finally {
      bar.finish();
    }
    if (summary.firstError !== undefined) io.err(`error: first failed publish: ${summary.firstError}`);
    io.out(formatSummary(summary));
    return exitCodeOfRun(summary.failedPublishes, summary.stopped);
  } catch (error) {
    return exitCodeOfFailure(error, io, 'replay', [TraceFormatError, ReplayOptionsError]);
  }
}
