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
