import { reserveIndexMemory } from '../../../libs/geofence/src/index.js';
import { ConfigError, loadConfig } from './config/config.schema.js';
import { startLookout, type LookoutRuntime } from './lookout.js';

/** `npm start`: the server alone, configured from the environment (see the README's configuration table). */
export async function runUntilSignalled(start: () => Promise<LookoutRuntime>): Promise<LookoutRuntime> {
  let runtime: LookoutRuntime;
  try {
    runtime = await start();
  } catch (error) {
    console.error(
      error instanceof ConfigError ? error.message : `Lookout did not start: ${(error as Error).message}`,
    );
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping Lookout`);
    runtime.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`error while stopping: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return runtime;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Before the zone set is loaded: the detector's index then builds without a full collection of the
  // loaded input. Only here, not where tests start Lookout: see reserveIndexMemory (libs/geofence/src/scratch.ts).
  reserveIndexMemory();
  await runUntilSignalled(() => startLookout(loadConfig(process.env)));
}
