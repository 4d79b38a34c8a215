import { ExitCode, type CommandIo } from './command.js';
import { runFleetCommand } from './fleet/fleet.command.js';
import { runReplayCommand } from './replay/replay.command.js';
import { runScenarioCommand } from './scenario/scenario.command.js';

export const USAGE = `Usage: lookout-sim <command> [options]

Commands:
  replay <trace>     replay a GPS trace (GPX, NMEA, CSV, GeoJSON) as a device over MQTT
  scenario <file>    run a scenario (YAML or JSON): devices, noise, wearables; writes ground truth
  fleet              load generator: thousands of devices walking corridors at a set rate

Run "lookout-sim <command> --help" for a command's options.`;

export type Command = (args: readonly string[], io: CommandIo) => Promise<ExitCode>;

/** Subcommands by name. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  replay: runReplayCommand,
  scenario: runScenarioCommand,
  fleet: runFleetCommand,
};

/** Runs `lookout-sim <command> ...` and returns the exit code; the process wiring is in cli.ts. */
export async function main(argv: readonly string[], io: CommandIo): Promise<ExitCode> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? ExitCode.badInput : ExitCode.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(`error: unknown command "${name}"\n\n${USAGE}`);
    return ExitCode.badInput;
  }
  return command(args, io);
}
