/**
 * Interleaved A/B of `processFix` in one process: another build of the engine (A, e.g. a checkout of an
 * earlier commit built with `tsc -p libs/geofence/tsconfig.build.json --outDir <dir>`) against this one (B),
 * both fed the benchmark's network and device walks in the same heap, reps alternating, throughput per CPU
 * second with the first rep dropped. Load on the machine slows both alike, which is what makes it usable on a
 * shared machine where whole-benchmark runs cannot tell 20 % apart.
 *
 *   node dist/libs/geofence/bench/ab.js <engine-A-dir> [zones=100] [fixes=200000] [reps=5]
 */
import { GeofenceEngine, type FixInput, type ZoneInput } from '../src/index.js';
import { benchNetworkOptions, deviceWalks, syntheticNetwork, walkFix } from './network.js';

interface Engine {
  upsertZone(zone: ZoneInput): unknown;
  removeDevice(id: string): unknown;
  processFix(fix: FixInput): readonly unknown[];
}

const [engineA, zones = '100', fixesArg = '200000', repsArg = '5'] = process.argv.slice(2);
if (!engineA) {
  console.error('usage: ab.js <dir of another build of libs/geofence> [zones] [fixes] [reps]');
  process.exit(2);
}
const fixes = Number(fixesArg);
const reps = Number(repsArg);
const other = (await import(`${engineA}/src/index.js`)) as { GeofenceEngine: new () => Engine };
const network = syntheticNetwork(benchNetworkOptions(Number(zones)));
const walks = deviceWalks(network, fixes, 1000, 3);
const ids = Array.from({ length: 1000 }, (_, d) => `dev-${d}`);
const engines: [string, Engine][] = [
  ['A', new other.GeofenceEngine()],
  ['B', new GeofenceEngine()],
];
for (const [, engine] of engines) for (const zone of network.zones) engine.upsertZone(zone);

/** One rep: every fix through `processFix` (fix objects built in the loop, as the server does). */
function run(engine: Engine): { perCpuSecond: number; events: number } {
  for (const id of ids) engine.removeDevice(id);
  let events = 0;
  const cpu = process.cpuUsage();
  for (let i = 0; i < fixes; i++) {
    events += engine.processFix(walkFix(walks, ids, i)).length;
  }
  const used = process.cpuUsage(cpu);
  return { perCpuSecond: fixes / ((used.user + used.system) / 1e6), events };
}

const results = new Map<string, number[]>([
  ['A', []],
  ['B', []],
]);
for (let rep = 0; rep < reps; rep++) {
  for (const [name, engine] of rep % 2 ? [...engines].reverse() : engines) {
    const { perCpuSecond, events } = run(engine);
    if (rep === 0) console.log(`${name}: ${events} events`);
    else results.get(name)!.push(perCpuSecond);
  }
}
for (const [name, values] of results) {
  const sorted = [...values].sort((a, b) => a - b);
  console.log(
    `${name}: ${values.map((v) => `${(v / 1e3).toFixed(0)}k`).join(' ')} fixes per CPU-second; median ${(sorted[Math.floor(sorted.length / 2)]! / 1e3).toFixed(0)}k`,
  );
}
