import { UnknownCodecError } from '../../devices/src/index.js';
import { BrokerConnectError, DEFAULT_CONNECT_TIMEOUT_MS } from './broker/mqtt.publisher.js';
import type { ProgressStream } from './progress/progress-bar.js';

/** What a subcommand may touch: output lines and a signal for Ctrl-C. Injected so commands test without a process. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  signal?: AbortSignal;
  /** Where a progress bar may be drawn (the process's stderr); no bar unless it is a TTY. */
  progress?: ProgressStream;
}

/** Process exit codes of `lookout-sim`. */
export const ExitCode = {
  ok: 0,
  /** Some publishes failed, or the connection dropped mid-replay. */
  failed: 1,
  /** Bad command line or bad trace file; nothing was sent. */
  badInput: 2,
  /** The broker could not be reached or refused the connection. */
  brokerUnreachable: 3,
  /** Stopped by SIGINT/SIGTERM after printing what was sent. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A bad command line; the message is shown with the command's usage hint. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** How a finished run exits: interrupted, some publishes failed or the connection dropped, or ok. */
export function exitCodeOfRun(failed: number, stopped: 'aborted' | 'connection-lost' | undefined): ExitCode {
  if (stopped === 'aborted') return ExitCode.interrupted;
  return failed > 0 || stopped ? ExitCode.failed : ExitCode.ok;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * How a command that failed before or while running exits, with one line on stderr: bad input (the usage
 * hint for a bad command line; `badInput` lists the command's own bad-file errors), or an unreachable
 * broker. Anything else is a bug and is rethrown.
 */
export function exitCodeOfFailure(
  error: unknown,
  io: CommandIo,
  command: string,
  badInput: readonly ErrorClass[] = [],
): ExitCode {
  if (error instanceof UsageError) {
    io.err(`error: ${error.message}\nRun "lookout-sim ${command} --help" for the options.`);
    return ExitCode.badInput;
  }
  if (error instanceof UnknownCodecError || badInput.some((kind) => error instanceof kind)) {
    io.err(`error: ${(error as Error).message}`);
    return ExitCode.badInput;
  }
  if (error instanceof BrokerConnectError) {
    io.err(`error: ${error.message}`);
    return ExitCode.brokerUnreachable;
  }
  throw error;
}

/** The broker-login and help options every publishing command takes (`parseArgs` option config). */
export const CONNECTION_OPTIONS = {
  username: { type: 'string' },
  password: { type: 'string' },
  'connect-timeout-ms': { type: 'string', default: String(DEFAULT_CONNECT_TIMEOUT_MS) },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Refuses half a login. */
export function requireLoginPair(values: { username?: string; password?: string }): void {
  if ((values.username === undefined) !== (values.password === undefined)) {
    throw new UsageError('--username and --password go together');
  }
}

/** The one input file a command takes; `found` lists the extra ones when `listExtra` is set. */
export function singleFile(positionals: readonly string[], noun: string, listExtra = false): string {
  if (positionals.length === 1) return positionals[0]!;
  if (positionals.length === 0) throw new UsageError(`missing the ${noun}`);
  const extra = listExtra ? `: ${positionals.join(' ')}` : '';
  throw new UsageError(`expected one ${noun}, found ${positionals.length}${extra}`);
}
