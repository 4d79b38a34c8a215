import { canonicalJsonCodec, encodeDeviceEvents } from '../../../devices/src/index.js';
import { deviceTopic, type FixCodec } from '../../../libs/telemetry/src/index.js';
import { BrokerConnectionLostError, type FixPublisher, type QoS } from '../broker/mqtt.publisher.js';
import type { ReplaySpeed } from '../replay/replay.service.js';
import type { CompiledScenario, Publication } from './scenario.compiler.js';

export interface ScenarioRunOptions {
  /** The connection each device publishes through (one per device against the embedded broker, or one shared). */
  publisherFor: (deviceId: string) => FixPublisher;
  /** Multiple of real time or `max`; default 1. */
  speed?: ReplaySpeed;
  /** Codec for fixes; default canonical JSON. Events are always canonical event JSON. */
  codec?: FixCodec;
  qos?: QoS;
  signal?: AbortSignal;
  onProgress?: (progress: ScenarioProgress) => void;
  /** Unacknowledged messages allowed at once; default 100. */
  maxInFlight?: number;
}

export interface ScenarioProgress {
  totalMessages: number;
  sentMessages: number;
  failedPublishes: number;
}

export interface ScenarioRunSummary extends ScenarioProgress {
  sentFixMessages: number;
  sentEventMessages: number;
  elapsedMs: number;
  messagesPerSecond: number;
  stopped?: 'aborted' | 'connection-lost';
  firstError?: string;
}

/**
 * Publishes a compiled scenario in its order: the publication at scenario time t goes out at
 * (t − start) / speed after the run starts (no drift); `max` does not wait but keeps the order.
 * Fixes go to `…/{d}/fix` in the codec, the wearables' alerts to `…/{d}/event`.
 */
export async function publishScenario(
  compiled: CompiledScenario,
  options: ScenarioRunOptions,
): Promise<ScenarioRunSummary> {
  const speed = options.speed ?? 1;
  if (speed !== 'max' && !(Number.isFinite(speed) && speed > 0)) {
    throw new RangeError(`speed must be a positive number or "max", got ${speed}`);
  }
  const codec = options.codec ?? canonicalJsonCodec;
  if (!codec.encode) throw new RangeError(`codec "${codec.name}" cannot encode fixes`);
  const encode = codec.encode.bind(codec);
  const qos = options.qos ?? 1;
  const maxInFlight = options.maxInFlight ?? 100;
  const progress: ScenarioProgress = {
    totalMessages: compiled.publications.length,
    sentMessages: 0,
    failedPublishes: 0,
  };
  let sentFixMessages = 0;
  let sentEventMessages = 0;
  let stopped: ScenarioRunSummary['stopped'];
  let firstError: string | undefined;
  const stop = new AbortController();
  const onAbort = () => {
    stopped ??= 'aborted';
    stop.abort();
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const inFlight = new Set<Promise<void>>();

  const send = (publication: Publication) => {
    const topic = deviceTopic(publication.deviceId, publication.kind);
    const payload =
      publication.kind === 'fix' ? encode([publication.fix]) : encodeDeviceEvents([publication.event]);
    const publisher = options.publisherFor(publication.deviceId);
    const settled: Promise<void> = (async () => publisher.publish(topic, payload, qos))().then(
      () => {
        progress.sentMessages += 1;
        if (publication.kind === 'fix') sentFixMessages += 1;
        else sentEventMessages += 1;
      },
      (error: unknown) => {
        progress.failedPublishes += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
        if (error instanceof BrokerConnectionLostError) {
          stopped ??= 'connection-lost';
          stop.abort();
        }
      },
    );
    const tracked = settled.then(() => {
      inFlight.delete(tracked);
      try {
        options.onProgress?.({ ...progress });
      } catch {
        // A progress listener's bug must not lose the run's accounting.
      }
    });
    inFlight.add(tracked);
  };

  const startedAt = performance.now();
  for (const publication of compiled.publications) {
    if (speed !== 'max')
      await sleepUntil(startedAt + (publication.atMs - compiled.startMs) / speed, stop.signal);
    while (inFlight.size >= maxInFlight && !stop.signal.aborted) await Promise.race(inFlight);
    if (stop.signal.aborted) break;
    send(publication);
  }
  await Promise.all(inFlight);
  options.signal?.removeEventListener('abort', onAbort);
  const elapsedMs = performance.now() - startedAt;
  const summary: ScenarioRunSummary = {
    ...progress,
    sentFixMessages,
    sentEventMessages,
    elapsedMs,
    messagesPerSecond: elapsedMs > 0 ? (progress.sentMessages * 1000) / elapsedMs : 0,
  };
  if (stopped) summary.stopped = stopped;
  if (firstError !== undefined) summary.firstError = firstError;
  return summary;
}

function sleepUntil(deadline: number, signal: AbortSignal): Promise<void> {
  const delayMs = deadline - performance.now();
  if (delayMs <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, delayMs);
    signal.addEventListener('abort', done, { once: true });
  });
}
