/**
 * The experiments behind libs/geofence/README.md's "Third-session measurements" (not a test, not the benchmark):
 * where `processFix`'s time goes on the benchmark's network and walks. Each prints throughput per CPU-second
 * of reps 2.. (rep 1 warms up), one process per invocation.
 *
 *   node dist/libs/geofence/bench/probe.js build  [zones=10000]              bulk load in this fresh process
 *   node dist/libs/geofence/bench/probe.js spread [zones=10000] [devices=1000] the same fixes over N devices
 *   node dist/libs/geofence/bench/probe.js copies [zones=10000] [copies=50]   20 devices' walks, each replayed
 *                                                                           by `copies` ids in turn
 *   node dist/libs/geofence/bench/probe.js paths  [zones=10000]              time by how a fix was settled
 */
import { GeofenceEngine, reserveIndexMemory, type FixInput } from '../src/index.js';
import { benchNetworkOptions, deviceWalks, syntheticNetwork, walkFix, type Network } from './network.js';

const FIXES = 200_000;
const REPS = 5;
const [command = 'spread', zonesArg = '10000', countArg] = process.argv.slice(2);
// As the server's entry point does: the index's address space is reserved before the input exists.
reserveIndexMemory();

function build(net: Network): { engine: GeofenceEngine; ms: number; cpuMs: number } {
  const engine = new GeofenceEngine();
  const t = performance.now();
  const cpu = process.cpuUsage();
  for (const zone of net.zones) engine.upsertZone(zone);
  const used = process.cpuUsage(cpu);
  return { engine, ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000 };
}

/** FIXES fixes through processFix, devices `ids` cleared before each rep; fixes per CPU-second of reps 2.. */
function measure(engine: GeofenceEngine, fixAt: (i: number) => FixInput, ids: readonly string[]): number[] {
  const rates: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    for (const id of ids) engine.removeDevice(id);
    const cpu = process.cpuUsage();
    for (let i = 0; i < FIXES; i++) engine.processFix(fixAt(i));
    const used = process.cpuUsage(cpu);
    if (rep > 0) rates.push(FIXES / ((used.user + used.system) / 1e6));
  }
  return rates;
}

const k = (values: number[]) => values.map((v) => `${(v / 1e3).toFixed(0)}k`).join(' ');
const idsOf = (n: number) => Array.from({ length: n }, (_, d) => `dev-${d}`);

const net = syntheticNetwork(benchNetworkOptions(Number(zonesArg)));
const { engine, ms, cpuMs } = build(net);
if (command === 'build') {
  console.log(
    `build ${zonesArg} zones: ${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU (fresh process)`,
  );
} else if (command === 'spread' || command === 'paths') {
  const devices = Number(countArg ?? 1000);
  const walks = deviceWalks(net, FIXES, devices, 3);
  const ids = idsOf(devices);
  const fixAt = (i: number): FixInput => walkFix(walks, ids, i);
  if (command === 'spread') {
    console.log(
      `${zonesArg} zones, ${devices} devices: ${k(measure(engine, fixAt, ids))} fixes per CPU-second`,
    );
  } else {
    // Wrap the two private steps that settle a fix to learn its path, and time every call.
    type Path = 'certificate' | 'interval' | 'lazy' | 'exact' | '';
    let path: Path = '';
    type Step = (...args: unknown[]) => boolean;
    const proto = Object.getPrototypeOf(engine) as Record<
      'certificateHolds' | 'intervalHolds' | 'evaluatePoint',
      Step
    >;
    const certificateHolds = proto.certificateHolds;
    const intervalHolds = proto.intervalHolds;
    const evaluatePoint = proto.evaluatePoint;
    proto.certificateHolds = function (this: unknown, ...args: unknown[]) {
      const holds = certificateHolds.apply(this, args);
      if (holds) path = 'certificate';
      return holds;
    };
    proto.intervalHolds = function (this: unknown, ...args: unknown[]) {
      const holds = intervalHolds.apply(this, args);
      if (holds) path = 'interval';
      return holds;
    };
    proto.evaluatePoint = function (this: unknown, ...args: unknown[]) {
      const lazy = evaluatePoint.apply(this, args);
      if (path === '') path = lazy ? 'lazy' : 'exact';
      return lazy;
    };
    for (let rep = 0; rep < 3; rep++) {
      for (const id of ids) engine.removeDevice(id);
      const sums = { certificate: 0, interval: 0, lazy: 0, exact: 0 };
      const counts = { certificate: 0, interval: 0, lazy: 0, exact: 0 };
      for (let i = 0; i < FIXES; i++) {
        path = '';
        const t = performance.now();
        engine.processFix(fixAt(i));
        const dt = performance.now() - t;
        // (Set by the wrappers during the call: TypeScript cannot see that.)
        const settled = path as Path;
        if (settled !== '') {
          sums[settled] += dt;
          counts[settled]++;
        }
      }
      if (rep === 0) continue;
      const total = sums.certificate + sums.interval + sums.lazy + sums.exact;
      const parts = (['certificate', 'interval', 'lazy', 'exact'] as const).map(
        (p) =>
          `${p} ${((100 * counts[p]) / FIXES).toFixed(1)} % of fixes, ${((100 * sums[p]) / total).toFixed(0)} % of time, ` +
          `${((1e6 * sums[p]) / Math.max(1, counts[p])).toFixed(0)} ns/fix`,
      );
      console.log(`${zonesArg} zones, rep ${rep}: ${parts.join('; ')} (performance.now() around each call)`);
    }
  }
} else if (command === 'copies') {
  const copies = Number(countArg ?? 50);
  const base = FIXES / copies;
  const walks = deviceWalks(net, base, 20, 3);
  const ids = idsOf(20 * copies);
  // Fix i is copy (i % copies) of base fix floor(i / copies): each base fix replayed by `copies` ids in turn.
  const fixAt = (i: number): FixInput => {
    const b = Math.floor(i / copies);
    return {
      deviceId: ids[walks[5 * b + 4]! * copies + (i % copies)]!,
      fixTimeMs: walks[5 * b + 3]!,
      lon: walks[5 * b]!,
      lat: walks[5 * b + 1]!,
      accuracyM: walks[5 * b + 2]!,
      sequence: b,
    };
  };
  console.log(
    `${zonesArg} zones, 20 devices' walks × ${copies} ids (${20 * copies} device states): ` +
      `${k(measure(engine, fixAt, ids))} fixes per CPU-second`,
  );
} else {
  console.error(`unknown experiment ${command}: build, spread, copies or paths`);
  process.exit(2);
}
