import { canonicalJsonCodec } from '../../../devices/src/index.js';
import { deviceTopic, type FixCodec } from '../../../libs/telemetry/src/index.js';
import { BrokerConnectionLostError, type FixPublisher, type QoS } from '../broker/mqtt.publisher.js';
import type { FleetPlan } from './fleet.model.js';
import { LatencySample, type LatencySummary } from './fleet.stats.js';

export interface FleetRunOptions {
  plan: FleetPlan;
  /** Fixes per second per device (Hz). */
  rateHz: number;
  durationS: number;
  /** Device i publishes through publishers[i % length]. */
  publishers: readonly FixPublisher[];
  codec?: FixCodec;
  /** Default 1: the PUBACK gives the publish latency. */
  qos?: QoS;
  /** Accuracy reported with every fix, metres; default 3. */
  accuracyM?: number;
  /** Unacknowledged publishes allowed at once (over all connections); default 5000. */
  maxInFlight?: number;
  signal?: AbortSignal;
  onProgress?: (progress: FleetProgress) => void;
  /** Epoch ms of the first fix; default the moment the run starts. */
  startTimeMs?: number;
}

export interface FleetProgress {
  scheduled: number;
  sent: number;
  failed: number;
  elapsedMs: number;
}

export interface FleetRunSummary extends FleetProgress {
  devices: number;
  rateHz: number;
  durationS: number;
  targetRate: number;
  /** Acknowledged fixes per second over the whole run (first publish to last acknowledgement). */
  achievedRate: number;
  /** From the publish call to the broker's acknowledgement (PUBACK for QoS 1, the socket write for QoS 0). */
  publishLatency: LatencySummary;
  /** How late each publish call was against its schedule: the generator keeping up, or not. */
  scheduleLag: LatencySummary;
  stopped?: 'aborted' | 'connection-lost';
  firstError?: string;
}

const PROGRESS_EVERY = 1000;

/**
 * Publishes the fleet's fixes on a uniform schedule: with N devices at R Hz, fix n (device n mod N,
 * round n div N) is due n / (N·R) seconds after the start, so the load is flat rather than N fixes at
 * once every period. It never sleeps while a fix is due; when the broker falls behind, `maxInFlight`
 * holds the generator back and the schedule lag shows it.
 */
export async function runFleet(options: FleetRunOptions): Promise<FleetRunSummary> {
  const { plan, rateHz, durationS, publishers } = options;
  if (!(rateHz > 0) || !(durationS > 0)) throw new RangeError('rate and duration must be positive');
  if (publishers.length === 0) throw new RangeError('at least one publisher is needed');
  const codec = options.codec ?? canonicalJsonCodec;
  if (!codec.encode) throw new RangeError(`codec "${codec.name}" cannot encode fixes`);
  const encode = codec.encode.bind(codec);
  const qos = options.qos ?? 1;
  const accuracyM = options.accuracyM ?? 3;
  const maxInFlight = options.maxInFlight ?? 5000;
  const devices = plan.deviceIds.length;
  const total = Math.round(devices * rateHz * durationS);
  const msPerFix = 1000 / (devices * rateHz);
  const topics = plan.deviceIds.map((id) => deviceTopic(id, 'fix'));
  const publishLatency = new LatencySample();
  const scheduleLag = new LatencySample();
  const progress: FleetProgress = { scheduled: total, sent: 0, failed: 0, elapsedMs: 0 };
  let stopped: FleetRunSummary['stopped'];
  let firstError: string | undefined;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let lastAckAt = 0;

  const stop = () => {
    stopped ??= 'aborted';
    wake?.();
  };
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop, { once: true });

  const startedAt = performance.now();
  const startTimeMs = options.startTimeMs ?? Date.now();
  const settle = () => {
    inFlight -= 1;
    if ((progress.sent + progress.failed) % PROGRESS_EVERY === 0) {
      progress.elapsedMs = performance.now() - startedAt;
      options.onProgress?.({ ...progress });
    }
    if (wake && inFlight < maxInFlight / 2) {
      const resume = wake;
      wake = undefined;
      resume();
    }
  };

  let n = 0;
  while (n < total && !stopped) {
    const now = performance.now() - startedAt;
    const due = Math.min(total, Math.floor(now / msPerFix) + 1);
    while (n < due && inFlight < maxInFlight && !stopped) {
      const device = n % devices;
      const round = (n - device) / devices;
      const dueMs = n * msPerFix;
      const elapsedS = dueMs / 1000;
      const position = plan.positionAt(device, elapsedS);
      const payload = encode([
        {
          fixTimeMs: Math.round(startTimeMs + dueMs),
          lon: Math.round(position.lon * 1e7) / 1e7,
          lat: Math.round(position.lat * 1e7) / 1e7,
          accuracyM,
          sequence: round,
        },
      ]);
      const calledAt = performance.now();
      scheduleLag.add(Math.max(0, calledAt - startedAt - dueMs));
      inFlight += 1;
      (publishers[device % publishers.length] as FixPublisher)
        .publish(topics[device] as string, payload, qos)
        .then(
          () => {
            lastAckAt = performance.now();
            publishLatency.add(lastAckAt - calledAt);
            progress.sent += 1;
            settle();
          },
          (error: unknown) => {
            progress.failed += 1;
            firstError ??= error instanceof Error ? error.message : String(error);
            if (error instanceof BrokerConnectionLostError) {
              stopped ??= 'connection-lost';
              wake?.();
            }
            settle();
          },
        );
      n += 1;
    }
    if (stopped) break;
    if (inFlight >= maxInFlight) {
      await new Promise<void>((resolve) => (wake = resolve));
    } else if (n < total) {
      const waitMs = n * msPerFix - (performance.now() - startedAt);
      // Sleep at least a timer tick (~1 ms) and publish what fell due meanwhile in one go: spinning on
      // setImmediate until the next fix is due would burn a whole core at high rates (the load generator
      // must leave the machine to the system under test). Fixes keep their scheduled times.
      await new Promise<void>((resolve) => setTimeout(resolve, Math.max(1, waitMs - 1)));
    }
  }
  while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
  options.signal?.removeEventListener('abort', stop);
  const elapsedMs = (lastAckAt || performance.now()) - startedAt;
  const summary: FleetRunSummary = {
    ...progress,
    elapsedMs,
    devices,
    rateHz,
    durationS,
    targetRate: devices * rateHz,
    achievedRate: elapsedMs > 0 ? (progress.sent * 1000) / elapsedMs : 0,
    publishLatency: publishLatency.summary(),
    scheduleLag: scheduleLag.summary(),
  };
  if (stopped) summary.stopped = stopped;
  if (firstError !== undefined) summary.firstError = firstError;
  return summary;
}
