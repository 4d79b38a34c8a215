import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ExitCode } from '../command.js';
import type { FleetRunSummary } from './fleet.runner.js';

/**
 * Runs `lookout-sim fleet <args>` in a process of its own (a load generator must not share the event loop of
 * what it measures) and returns the summary it writes with `--out`. A run that finished with failed publishes
 * still returns its summary (the caller counts them); a run that could not start is an error.
 */
export async function runFleetProcess(args: readonly string[]): Promise<FleetRunSummary> {
  const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'lookout-fleet-')), 'fleet.json');
  const cli = path.join(path.dirname(new URL(import.meta.url).pathname), '../cli.js');
  const child = spawn(process.execPath, [cli, 'fleet', ...args, '--out', out], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await new Promise<void>((resolve, reject) =>
    child.once('exit', (code) =>
      code === ExitCode.ok || code === ExitCode.failed
        ? resolve()
        : reject(new Error(`fleet exited ${code}`)),
    ),
  );
  return JSON.parse(await readFile(out, 'utf8')) as FleetRunSummary;
}
