/**
 * `npm run bench:sim`: fleet mode at 10,000 devices × 1 Hz for 60 s from this one process, against the
 * broker at MQTT_URL (default Mosquitto on mqtt://127.0.0.1:1883). Prints the achieved rate and the
 * publish latency; exits 1 if the rate falls short of 95% of the target. Seeded: every run publishes the
 * same fixes. Override with BENCH_DEVICES, BENCH_RATE_HZ, BENCH_DURATION_S, BENCH_CONNECTIONS, BENCH_QOS.
 */
import { connectPublishers, formatFleetSummary } from '../src/fleet/fleet.command.js';
import { FleetPlan } from '../src/fleet/fleet.model.js';
import { runFleet } from '../src/fleet/fleet.runner.js';

function numberFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name} must be a positive number, got "${text}"`);
    process.exit(2);
  }
  return value;
}

const brokerUrl = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const devices = numberFromEnv('BENCH_DEVICES', 10_000);
const rateHz = numberFromEnv('BENCH_RATE_HZ', 1);
const durationS = numberFromEnv('BENCH_DURATION_S', 60);
const connections = numberFromEnv('BENCH_CONNECTIONS', 4);
const qos = numberFromEnv('BENCH_QOS', 1) as 1 | 2;

const plan = new FleetPlan({ devices, seed: 'bench', idPrefix: 'bench-' });
console.error(
  `bench:sim: ${devices} devices × ${rateHz} Hz for ${durationS} s to ${brokerUrl}, ${connections} connections, QoS ${qos}`,
);
const publishers = await connectPublishers(connections, { brokerUrl });
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());
const cpuBefore = process.cpuUsage();
const summary = await runFleet({ plan, rateHz, durationS, publishers, qos, signal: interrupt.signal });
const cpu = process.cpuUsage(cpuBefore);
await Promise.all(publishers.map((publisher) => publisher.close()));
console.log(formatFleetSummary(summary));
console.log(
  `process CPU ${((cpu.user + cpu.system) / 1000 / summary.elapsedMs).toFixed(2)} cores ` +
    `(user ${(cpu.user / 1e6).toFixed(1)} s, system ${(cpu.system / 1e6).toFixed(1)} s), ` +
    `peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
);
process.exitCode = summary.achievedRate >= 0.95 * summary.targetRate && summary.failed === 0 ? 0 : 1;
