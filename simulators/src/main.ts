import { ExitCode, type CommandIo } from './command.js';
import { runReplayCommand } from './replay/replay.command.js';

export const USAGE = `Usage: lookout-sim <command> [options]

Commands:
  replay <trace>   replay a GeoJSON or CSV GPS trace as a device over MQTT

Run "lookout-sim <command> --help" for a command's options.`;

export type Command = (args: readonly string[], io: CommandIo) => Promise<ExitCode>;

/** Subcommands by name; scenarios and fleet load join here. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  replay: runReplayCommand,
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
