/**
 * Benchmark of the breach detector (not a test): `npm run bench:geofence [-- options]`.
 *
 *   --sizes 100,1000,10000   zone counts of the synthetic network
 *   --fixes 200000           fixes per size (half within 5 m of a boundary)
 *   --baseline-fixes 20000   subsample for the flatbush + turf baseline
 *   --devices 1000           devices for the full-semantics run
 *   --seed 1
 *   --geojson FILE --half-width-m 3   real LineStrings buffered into corridors instead
 *   --json                   machine-readable output
 *
 * Seeded and reproducible (same seed, same geometry and fixes). Runs on one core.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import v8 from 'node:v8';
import * as turf from '@turf/turf';
import Flatbush from 'flatbush';
import {
  createQueryScratch,
  GeofenceEngine,
  reserveIndexMemory,
  type FixInput,
  type ZoneInput,
} from '../src/index.js';
import {
  bandRing,
  benchNetworkOptions,
  deviceWalks,
  fixSamples,
  GenFrame,
  syntheticNetwork,
  toLonLatRing,
  walkFix,
  type Network,
} from './network.js';

interface Options {
  sizes: number[];
  fixes: number;
  baselineFixes: number;
  devices: number;
  seed: number;
  geojson: string | null;
  halfWidthM: number;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    sizes: [100, 1000, 10000],
    fixes: 200_000,
    baselineFixes: 20_000,
    devices: 1000,
    seed: 1,
    geojson: null,
    halfWidthM: 3,
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--sizes') options.sizes = value().split(',').map(Number);
    else if (arg === '--fixes') options.fixes = Number(value());
    else if (arg === '--baseline-fixes') options.baselineFixes = Number(value());
    else if (arg === '--devices') options.devices = Number(value());
    else if (arg === '--seed') options.seed = Number(value());
    else if (arg === '--geojson') options.geojson = value();
    else if (arg === '--half-width-m') options.halfWidthM = Number(value());
    else if (arg === '--json') options.json = true;
    else throw new Error(`unknown option ${arg}`);
  }
  return options;
}

interface Result {
  dataset: string;
  zones: number;
  vertices: number;
  buildMs: number;
  buildNsPerVertex: number;
  streamedBuildMs: number | null;
  indexBytes: number;
  indexBytesPerVertex: number;
  /**
   * Over `count` updates: all of them, and those during which no garbage collection ran (a minor
   * collection started by whatever filled the young generation, the update or the work before it).
   */
  zoneUpdateMs: {
    count: number;
    median: number;
    p95: number;
    max: number;
    withGc: number;
    maxWithoutGc: number;
  };
  /** fixesPerSecond: wall clock; fixesPerCpuSecond: this process's CPU time (steadier under load). */
  query: {
    fixesPerSecond: number;
    fixesPerCpuSecond: number;
    nsPerFixP50: number;
    nsPerFixP99: number;
    breachFraction: number;
  };
  fullSemantics: {
    fixesPerSecond: number;
    fixesPerCpuSecond: number;
    nsPerFixP50: number;
    nsPerFixP99: number;
    events: number;
    devices: number;
  };
  baseline: {
    what: string;
    fixesMeasured: number;
    fixesPerSecond: number;
    fixesPerCpuSecond: number;
    ratioQuery: number;
    ratioFull: number;
  };
}

const log = (options: Options, message: string): void => {
  // --json keeps stdout machine-readable; progress goes to stderr.
  if (options.json) console.error(message);
  else console.log(message);
};

/** Milliseconds of CPU time (user + system) this process used since `since`. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Timer overhead of performance.now() pairs (subtracted from per-fix latencies). */
function timerOverheadNs(): number {
  const samples = new Float64Array(20_000);
  for (let i = 0; i < samples.length; i++) {
    const t0 = performance.now();
    samples[i] = performance.now() - t0;
  }
  samples.sort();
  return percentile(samples, 0.5) * 1e6;
}

function zoneBox(zone: ZoneInput): [number, number, number, number] {
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  const visit = (p: readonly number[]): void => {
    minLon = Math.min(minLon, p[0]);
    maxLon = Math.max(maxLon, p[0]);
    minLat = Math.min(minLat, p[1]);
    maxLat = Math.max(maxLat, p[1]);
  };
  const g = zone.geometry;
  if (g.type === 'Corridor') {
    g.centreline.forEach(visit);
    const pad = g.halfWidthM / 70_000;
    return [minLon - pad, minLat - pad, maxLon + pad, maxLat + pad];
  }
  if (g.type === 'Polygon') g.coordinates[0].forEach(visit);
  else g.coordinates.forEach((poly) => poly[0].forEach(visit));
  return [minLon, minLat, maxLon, maxLat];
}

/**
 * The baseline: flatbush over zone bounding boxes, then turf booleanPointInPolygon for the
 * candidates whose box holds the fix. Native corridors are given to turf as offset polygons built
 * beforehand (untimed; turf.buffer would take minutes at 10,000 zones). Status only (no signed
 * distance, no state machine), so the ratio flatters the baseline.
 */
function corridorPolygon(centreline: readonly (readonly number[])[], halfWidthM: number): number[][] {
  const frame = new GenFrame(centreline[0][0], centreline[0][1]);
  const line = centreline.map(([lon, lat]) => frame.toXY(lon, lat));
  return toLonLatRing(frame, bandRing(line, -halfWidthM, halfWidthM));
}

function baseline(
  zones: ZoneInput[],
  fixes: Float64Array,
  count: number,
): { fixesPerSecond: number; fixesPerCpuSecond: number; breaches: number } {
  const index = new Flatbush(zones.length);
  for (const z of zones) {
    const [minLon, minLat, maxLon, maxLat] = zoneBox(z);
    index.add(minLon, minLat, maxLon, maxLat);
  }
  index.finish();
  const features = zones.map((z) =>
    z.geometry.type === 'Corridor'
      ? turf.polygon([corridorPolygon(z.geometry.centreline, z.geometry.halfWidthM)])
      : z.geometry.type === 'Polygon'
        ? turf.polygon(z.geometry.coordinates as number[][][])
        : turf.multiPolygon(z.geometry.coordinates as number[][][][]),
  );
  let breaches = 0;
  const t0 = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const p = [fixes[3 * i], fixes[3 * i + 1]];
    let inDanger = false;
    let inSafe = false;
    for (const k of index.search(p[0], p[1], p[0], p[1])) {
      const z = zones[k];
      const inside = turf.booleanPointInPolygon(
        p,
        features[k] as Parameters<typeof turf.booleanPointInPolygon>[1],
      );
      if (inside && z.kind === 'danger') inDanger = true;
      if (inside && z.kind === 'safe') inSafe = true;
    }
    if (inDanger || !inSafe) breaches++;
  }
  const wallMs = performance.now() - t0;
  return {
    fixesPerSecond: count / (wallMs / 1000),
    fixesPerCpuSecond: count / (cpuMs(cpu) / 1000),
    breaches,
  };
}

/** Build with the input streamed (each zone generated, added, dropped): the engine's own cost. */
function streamedBuild(size: number, seed: number): { ms: number; vertices: number } {
  const engine = new GeofenceEngine();
  let ms = 0;
  syntheticNetwork(benchNetworkOptions(size, seed), (zone) => {
    const t = performance.now();
    engine.upsertZone(zone);
    ms += performance.now() - t;
  });
  return { ms, vertices: engine.stats().vertices };
}

function measure(options: Options, dataset: string, network: Network, streamSize: number | null): Result {
  const zones = network.zones;
  log(
    options,
    `\n== ${dataset}: ${zones.length} zones, ${network.vertexCount.toLocaleString('en')} vertices`,
  );

  // Build.
  const engine = new GeofenceEngine();
  const t0 = performance.now();
  for (const z of zones) engine.upsertZone(z);
  const buildMs = performance.now() - t0;
  const stats = engine.stats();
  log(
    options,
    `build ${buildMs.toFixed(0)} ms (${((buildMs * 1e6) / stats.vertices).toFixed(0)} ns/vertex, validation included, ` +
      `input held in memory); index ${(stats.indexBytes / 1e6).toFixed(1)} MB = ${stats.bytesPerVertex.toFixed(1)} bytes/vertex`,
  );
  let streamed: { ms: number; vertices: number } | null = null;
  if (streamSize !== null) {
    streamed = streamedBuild(streamSize, options.seed);
    log(
      options,
      `build with streamed input: ${streamed.ms.toFixed(0)} ms for ${streamed.vertices.toLocaleString('en')} vertices ` +
        `(${((streamed.ms * 1e6) / streamed.vertices).toFixed(0)} ns/vertex)`,
    );
  }

  // Point query: status + signed distance (allocation-free entry point).
  const fixes = fixSamples(network, options.fixes, options.seed + 1);
  const out = createQueryScratch();
  let breaches = 0;
  let best = Infinity;
  let bestCpu = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    breaches = 0;
    const t = performance.now();
    const cpu = process.cpuUsage();
    for (let i = 0; i < options.fixes; i++) {
      engine.queryInto(fixes[3 * i], fixes[3 * i + 1], 0, out);
      if (out.breach) breaches++;
    }
    best = Math.min(best, performance.now() - t);
    bestCpu = Math.min(bestCpu, cpuMs(cpu));
  }
  const overhead = timerOverheadNs();
  const lat = new Float64Array(options.fixes);
  for (let i = 0; i < options.fixes; i++) {
    const t = performance.now();
    engine.queryInto(fixes[3 * i], fixes[3 * i + 1], 0, out);
    lat[i] = (performance.now() - t) * 1e6 - overhead;
  }
  lat.sort();
  const query = {
    fixesPerSecond: options.fixes / (best / 1000),
    fixesPerCpuSecond: options.fixes / (bestCpu / 1000),
    nsPerFixP50: percentile(lat, 0.5),
    nsPerFixP99: percentile(lat, 0.99),
    breachFraction: breaches / options.fixes,
  };
  log(
    options,
    `query (status + signed distance): ${Math.round(query.fixesPerSecond).toLocaleString('en')} fixes/s ` +
      `(${Math.round(query.fixesPerCpuSecond).toLocaleString('en')} per CPU-second); ` +
      `p50 ${query.nsPerFixP50.toFixed(0)} ns, p99 ${query.nsPerFixP99.toFixed(0)} ns per fix; breach ${(query.breachFraction * 100).toFixed(1)} %`,
  );

  // Full semantics: processFix over device walks (state machine, crossings, events).
  const walks = deviceWalks(network, options.fixes, options.devices, options.seed + 2);
  const ids = Array.from({ length: options.devices }, (_, d) => `dev-${d}`);
  // Each fix object is built in the timed loop, as the server's detector adapter builds one per
  // decoded fix: a pre-built array of 200,000 objects made this loop measure cache misses on the
  // benchmark's own input (~100-200 ns per fix) rather than the engine.
  const fixAt = (i: number): FixInput => walkFix(walks, ids, i);
  let events = 0;
  let fullMs = Infinity;
  let fullCpuMs = Infinity;
  const fullLat = new Float64Array(options.fixes);
  // Rep 0 warms up (JIT), rep 1 measures throughput, rep 2 per-fix latency. Each rep starts with
  // no devices, on the engine built above: building a fresh 10,000-zone engine per rep put the
  // full garbage collection of the previous engines (and of the benchmark's input) inside the
  // timed loop, a pause of ~0.5-1 s that says nothing about processFix.
  const run = engine;
  const withDevices = engine;
  for (let rep = 0; rep < 3; rep++) {
    for (const id of ids) run.removeDevice(id);
    events = 0;
    const t = performance.now();
    const cpu = process.cpuUsage();
    if (rep < 2) {
      for (let i = 0; i < options.fixes; i++) events += run.processFix(fixAt(i)).length;
      if (rep === 1) {
        fullMs = performance.now() - t;
        fullCpuMs = cpuMs(cpu);
      }
    } else {
      for (let i = 0; i < options.fixes; i++) {
        const s = performance.now();
        events += run.processFix(fixAt(i)).length;
        fullLat[i] = (performance.now() - s) * 1e6 - overhead;
      }
    }
  }
  fullLat.sort();
  const fullSemantics = {
    fixesPerSecond: options.fixes / (fullMs / 1000),
    fixesPerCpuSecond: options.fixes / (fullCpuMs / 1000),
    nsPerFixP50: percentile(fullLat, 0.5),
    nsPerFixP99: percentile(fullLat, 0.99),
    events,
    devices: options.devices,
  };
  log(
    options,
    `full semantics (processFix, ${options.devices} devices): ${Math.round(fullSemantics.fixesPerSecond).toLocaleString('en')} fixes/s ` +
      `(${Math.round(fullSemantics.fixesPerCpuSecond).toLocaleString('en')} per CPU-second); ` +
      `p50 ${fullSemantics.nsPerFixP50.toFixed(0)} ns, p99 ${fullSemantics.nsPerFixP99.toFixed(0)} ns per fix; ${events} events`,
  );

  // One zone update: replace an existing zone with its next version, in the engine that holds the
  // devices of the full-semantics run (those near it are re-evaluated, all are scanned).
  // A collection inside an update is detected by the young generation's use dropping across it.
  const youngUsed = () =>
    v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_used_size ?? 0;
  const updateCount = 101;
  const updates = new Float64Array(updateCount);
  const updatesWithoutGc: number[] = [];
  for (let u = 0; u < updateCount; u++) {
    const z = zones[(u * 7919) % zones.length];
    const input = { ...z, version: z.version + 1 + u };
    const before = youngUsed();
    const t = performance.now();
    withDevices.upsertZone(input, 1_800_000_000_000);
    updates[u] = performance.now() - t;
    if (youngUsed() >= before) updatesWithoutGc.push(updates[u]);
  }
  updates.sort();
  const zoneUpdateMs = {
    count: updateCount,
    median: percentile(updates, 0.5),
    p95: percentile(updates, 0.95),
    max: updates[updates.length - 1],
    withGc: updateCount - updatesWithoutGc.length,
    maxWithoutGc: Math.max(0, ...updatesWithoutGc),
  };
  log(
    options,
    `zone update (${withDevices.stats().devices} devices, ${updateCount} updates): median ${zoneUpdateMs.median.toFixed(2)} ms, ` +
      `p95 ${zoneUpdateMs.p95.toFixed(2)} ms, max ${zoneUpdateMs.max.toFixed(2)} ms; ` +
      `${zoneUpdateMs.withGc} with a garbage collection inside, max ${zoneUpdateMs.maxWithoutGc.toFixed(2)} ms without`,
  );

  // Baseline on a subsample of the same fixes.
  const count = Math.min(options.baselineFixes, options.fixes);
  const base = baseline(zones, fixes, count);
  const result: Result = {
    dataset,
    zones: zones.length,
    vertices: stats.vertices,
    buildMs,
    buildNsPerVertex: (buildMs * 1e6) / stats.vertices,
    streamedBuildMs: streamed === null ? null : streamed.ms,
    indexBytes: stats.indexBytes,
    indexBytesPerVertex: stats.bytesPerVertex,
    zoneUpdateMs,
    query,
    fullSemantics,
    baseline: {
      what: 'flatbush bbox candidates + turf booleanPointInPolygon / pointToLineDistance, status only',
      fixesMeasured: count,
      fixesPerSecond: base.fixesPerSecond,
      fixesPerCpuSecond: base.fixesPerCpuSecond,
      ratioQuery: query.fixesPerSecond / base.fixesPerSecond,
      ratioFull: fullSemantics.fixesPerSecond / base.fixesPerSecond,
    },
  };
  log(
    options,
    `baseline flatbush + turf (status only, first ${count.toLocaleString('en')} fixes): ` +
      `${Math.round(base.fixesPerSecond).toLocaleString('en')} fixes/s (${Math.round(base.fixesPerCpuSecond).toLocaleString('en')} per CPU-second); ` +
      `Lookout is ${result.baseline.ratioQuery.toFixed(1)}× (query), ` +
      `${result.baseline.ratioFull.toFixed(1)}× (full semantics)`,
  );
  return result;
}

/** Real railway LineStrings buffered into corridor zones (danger), fixes near them. */
function geojsonNetwork(file: string, halfWidthM: number): Network {
  const data = JSON.parse(readFileSync(file, 'utf8')) as {
    features: { geometry: { type: string; coordinates: number[][] }; properties?: Record<string, unknown> }[];
  };
  const lines = data.features.filter(
    (f) => f.geometry?.type === 'LineString' && f.geometry.coordinates.length >= 2,
  );
  let lon0 = 0;
  let lat0 = 0;
  for (const f of lines) {
    lon0 += f.geometry.coordinates[0][0] / lines.length;
    lat0 += f.geometry.coordinates[0][1] / lines.length;
  }
  // Reuse the synthetic generator's frame and track bookkeeping for fix placement.
  const net = syntheticNetwork({
    zones: 0,
    seed: 1,
    verticesPerZone: 3,
    minLengthM: 1,
    maxLengthM: 2,
    lon0,
    lat0,
  });
  const zones: ZoneInput[] = [];
  const tracks: Network['tracks'] = [];
  let vertexCount = 0;
  lines.forEach((f, i) => {
    const centreline = f.geometry.coordinates;
    const id = String(f.properties?.['@id'] ?? `line-${i}`);
    zones.push({ id, version: 1, kind: 'danger', geometry: { type: 'Corridor', centreline, halfWidthM } });
    vertexCount += centreline.length;
    const line = centreline.map(([lon, lat]) => net.frame.toXY(lon, lat));
    if (line.some((p, k) => k > 0 && p[0] === line[k - 1][0] && p[1] === line[k - 1][1])) return;
    // Fixes: within 5 m of the corridor edges (-hw, +hw) or 5–50 m away; no walkway here.
    tracks.push({ line, halfWidthM, walkwayM: 0, zoneIds: [id] });
  });
  return { zones, frame: net.frame, regionM: 0, tracks, vertexCount };
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  // As the server's entry point does (apps/server/src/main.ts): the index's address space is reserved
  // before any input is in the heap (see scratch.ts).
  reserveIndexMemory();
  const results: Result[] = [];
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  log(
    options,
    `Lookout geofence benchmark — node ${process.version}, ${cpu}, seed ${options.seed}, ${options.fixes.toLocaleString('en')} fixes`,
  );
  if (options.geojson !== null) {
    log(options, `Real geometry: ${options.geojson}, corridors of half-width ${options.halfWidthM} m.`);
    log(options, 'Data © OpenStreetMap contributors, available under the Open Database Licence (ODbL).');
    results.push(
      measure(
        options,
        `geojson ${options.geojson}`,
        geojsonNetwork(options.geojson, options.halfWidthM),
        null,
      ),
    );
  } else {
    for (const size of options.sizes) {
      const network = syntheticNetwork(benchNetworkOptions(size, options.seed));
      results.push(measure(options, `synthetic ${size}`, network, size));
    }
  }
  if (options.json) {
    console.log(
      JSON.stringify(
        {
          node: process.version,
          cpu,
          options,
          attribution: options.geojson === null ? null : '© OpenStreetMap contributors, ODbL',
          results,
        },
        null,
        2,
      ),
    );
  }
}

main();
