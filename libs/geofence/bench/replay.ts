/**
 * Replays the same inputs through another build of the engine (A) and this one (B) and compares every
 * output as JSON: events of every fix, tick, zone update and removal, device snapshots and point queries.
 * The check behind every hot-path change (not a test: it needs a second build): byte-identical answers.
 *
 *   node dist/libs/geofence/bench/replay.js <engine-A-dir> [zones=1000] [fixes=60000] [--unconditional]
 *
 * 300 devices walk the benchmark's network under 4 policies × 3 accuracy scales. Unless
 * `--unconditional`, every 7th zone applies to a group only (every 5th fix changes its device's groups)
 * and every 11th zone has a validity window that opens and closes during the run, so the shortcuts that
 * need unconditional zones are bypassed there; with it, they are taken wherever they can be.
 */
import { GeofenceEngine, type DetectionPolicy, type FixInput, type ZoneInput } from '../src/index.js';
import { benchNetworkOptions, deviceWalks, syntheticNetwork, walkFix } from './network.js';

interface Engine {
  upsertZone(zone: ZoneInput, nowMs?: number): readonly unknown[];
  removeZone(id: string, nowMs?: number): readonly unknown[];
  processFix(fix: FixInput): readonly unknown[];
  tick(nowMs: number): readonly unknown[];
  getDevice(id: string): unknown;
  query(lon: number, lat: number, options: { atMs: number; deviceId?: string }): unknown;
}

const args = process.argv.slice(2);
const unconditional = args.includes('--unconditional');
const [engineA, zonesArg = '1000', fixesArg = '60000'] = args.filter((a) => !a.startsWith('--'));
if (!engineA) {
  console.error('usage: replay.js <dir of another build of libs/geofence> [zones] [fixes] [--unconditional]');
  process.exit(2);
}
const other = (await import(`${engineA}/src/index.js`)) as {
  GeofenceEngine: new (options: { policy: Partial<DetectionPolicy> }) => Engine;
};
const network = syntheticNetwork(benchNetworkOptions(Number(zonesArg)));
const fixes = Number(fixesArg);
const devices = 300;
const T0 = 1_700_000_000_000;
const policies: Partial<DetectionPolicy>[] = [
  {},
  { minBreachLevel: 'confirmed' },
  { requireSafeZone: true, escalateMinFixes: 2 },
  { deescalateMinFixes: 1, breachExitMarginM: 0 },
];
const zones: ZoneInput[] = unconditional
  ? network.zones
  : network.zones.map((zone, i) =>
      i % 7 === 3
        ? { ...zone, appliesTo: { groups: ['g1'] } }
        : i % 11 === 5
          ? { ...zone, validity: [{ startMs: T0 + 20_000, endMs: T0 + 60_000 }] }
          : zone,
    );

let compared = 0;
let mismatches = 0;
const compare = (a: unknown, b: unknown, what: string): void => {
  compared++;
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  if (ja === jb) return;
  if (mismatches++ < 5) console.log(`mismatch at ${what}\n  A ${ja.slice(0, 600)}\n  B ${jb.slice(0, 600)}`);
};

for (const [p, policy] of policies.entries()) {
  for (const scale of [1, 2.5, 0.4]) {
    const a = new other.GeofenceEngine({ policy });
    const b: Engine = new GeofenceEngine({ policy });
    for (const zone of zones) {
      a.upsertZone(zone);
      b.upsertZone(zone);
    }
    const walks = deviceWalks(network, fixes, devices, 7 + p);
    const ids = Array.from({ length: devices }, (_, d) => `dev-${d}`);
    for (let i = 0; i < fixes; i++) {
      const fix = walkFix(walks, ids, i);
      fix.accuracyM *= scale;
      if (!unconditional && i % 5 === 0) fix.groups = (i / 5) % 2 ? ['g1'] : [];
      if (i % 997 === 0 && i > 0) fix.fixTimeMs -= 5000; // out of order
      compare(a.processFix(fix), b.processFix(fix), `fix ${i}`);
      if (i % 300 === 0) compare(a.tick(fix.fixTimeMs), b.tick(fix.fixTimeMs), `tick ${i}`);
      if (i % 5000 === 2500) {
        const zone = zones[Math.floor(i / 5000) % zones.length]!;
        const update = { ...zone, version: zone.version + 1 + i };
        compare(a.upsertZone(update, fix.fixTimeMs), b.upsertZone(update, fix.fixTimeMs), `update ${i}`);
      }
      if (i % 20_000 === 19_999) {
        const id = zones[(i * 7) % zones.length]!.id;
        compare(a.removeZone(id, fix.fixTimeMs), b.removeZone(id, fix.fixTimeMs), `removal ${i}`);
      }
      if (i % 1000 === 0) {
        for (let d = 0; d < 20; d++) compare(a.getDevice(ids[d]!), b.getDevice(ids[d]!), `device ${i}`);
      }
      if (i % 50 === 0) {
        const options = { atMs: fix.fixTimeMs, deviceId: fix.deviceId };
        compare(a.query(fix.lon, fix.lat, options), b.query(fix.lon, fix.lat, options), `query ${i}`);
      }
    }
    console.log(`policy ${p}, accuracy ×${scale}: ${compared} outputs compared, ${mismatches} mismatches`);
  }
}
process.exit(mismatches === 0 ? 0 : 1);
