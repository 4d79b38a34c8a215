import { canonicalJsonCodec, MAX_BATCH_FIXES } from '../../../devices/src/index.js';
import {
  deviceIdSchema,
  deviceTopic,
  type CanonicalFix,
  type FixCodec,
} from '../../../libs/telemetry/src/index.js';
import {
  BrokerConnectionLostError,
  connectMqttPublisher,
  type FixPublisher,
  type MqttConnectOptions,
  type QoS,
} from '../broker/mqtt.publisher.js';
import type { Trace, TracePoint } from '../trace/trace.model.js';

/** A multiple of real time, or `max` to publish as fast as the broker acknowledges. */
export type ReplaySpeed = number | 'max';

export interface ReplayOptions {
  /** The device to publish as when the trace names none; with a multi-device trace, replay only this one. */
  deviceId?: string;
  /** Default 1 (real time). */
  speed?: ReplaySpeed;
  /** Default canonical JSON. The codec must be able to encode. */
  codec?: FixCodec;
  /** Default 1. */
  qos?: QoS;
  /** Fixes per message; default 1. A device's batch is sent when its last fix is due. */
  batch?: number;
  /**
   * Epoch ms for the first fix, `now` (default: the moment publishing starts) or `keep` (the trace's own times).
   * The spacing between fixes is always kept.
   */
  startTime?: number | 'now' | 'keep';
  /** Aborting stops publishing; what is in flight is awaited and the summary says `stopped: 'aborted'`. */
  signal?: AbortSignal;
  /** Called after each message settles. Must not throw. */
  onProgress?: (progress: ReplayProgress) => void;
  /** Unacknowledged messages allowed at once; bounds memory at `speed: 'max'`. Default 100. */
  maxInFlight?: number;
}

export type ReplayTraceOptions = ReplayOptions & MqttConnectOptions;

export interface ReplayProgress {
  totalFixes: number;
  sentFixes: number;
  messages: number;
  failedPublishes: number;
}

export interface ReplaySummary extends ReplayProgress {
  /** The devices published as, in trace order. */
  deviceIds: string[];
  /** Fixes in messages that failed. */
  failedFixes: number;
  /** From the first publish to the last acknowledgement. */
  elapsedMs: number;
  /** Acknowledged fixes per second of elapsed time. */
  fixesPerSecond: number;
  /** Why the replay ended early, if it did. */
  stopped?: 'aborted' | 'connection-lost';
  /** The first publish failure, for the message shown to the user. */
  firstError?: string;
}

/** The options or the trace do not allow a replay (unknown device, bad batch size...); nothing was sent. */
export class ReplayOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayOptionsError';
  }
}

export interface PlannedTrack {
  deviceId: string;
  topic: string;
  points: readonly TracePoint[];
}

export interface ReplayPlan {
  tracks: PlannedTrack[];
  totalFixes: number;
  speed: ReplaySpeed;
  codec: FixCodec;
  qos: QoS;
  batch: number;
  maxInFlight: number;
}

export const DEFAULT_MAX_IN_FLIGHT = 100;

/**
 * Validates the options against the trace, before anything connects: which device each track is
 * published as, and that speed, batch, QoS and codec make sense. Throws ReplayOptionsError.
 */
export function planReplay(trace: Trace, options: ReplayOptions = {}): ReplayPlan {
  const speed = options.speed ?? 1;
  if (speed !== 'max' && !(Number.isFinite(speed) && speed > 0)) {
    throw new ReplayOptionsError(`speed must be a positive number or "max", got ${speed}`);
  }
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1 || batch > MAX_BATCH_FIXES) {
    throw new ReplayOptionsError(`batch must be an integer from 1 to ${MAX_BATCH_FIXES}, got ${batch}`);
  }
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new ReplayOptionsError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  }
  const qos = options.qos ?? 1;
  if (qos !== 0 && qos !== 1 && qos !== 2)
    throw new ReplayOptionsError(`qos must be 0, 1 or 2, got ${String(qos)}`);
  const startTime = options.startTime ?? 'now';
  if (typeof startTime === 'number' && !(Number.isSafeInteger(startTime) && startTime >= 0)) {
    throw new ReplayOptionsError(`start time must be a non-negative integer of epoch ms, got ${startTime}`);
  }
  const codec = options.codec ?? canonicalJsonCodec;
  if (!codec.encode) throw new ReplayOptionsError(`codec "${codec.name}" cannot encode fixes`);
  if (options.deviceId !== undefined) {
    const parsed = deviceIdSchema.safeParse(options.deviceId);
    if (!parsed.success) {
      throw new ReplayOptionsError(
        `device id "${options.deviceId}": ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
    }
  }

  const tracks = selectTracks(trace, options.deviceId).map((track) => ({
    ...track,
    topic: deviceTopic(track.deviceId, 'fix'),
  }));
  const totalFixes = tracks.reduce((count, track) => count + track.points.length, 0);
  if (totalFixes === 0) throw new ReplayOptionsError(`${trace.source} has no fixes to replay`);
  return { tracks, totalFixes, speed, codec, qos, batch, maxInFlight };
}

function selectTracks(trace: Trace, deviceId: string | undefined): Omit<PlannedTrack, 'topic'>[] {
  const named = trace.tracks.filter((track) => track.deviceId !== undefined);
  if (named.length === 0) {
    if (trace.tracks.length > 1) {
      throw new ReplayOptionsError(`${trace.source} has ${trace.tracks.length} tracks but names no devices`);
    }
    if (deviceId === undefined) {
      throw new ReplayOptionsError(
        `${trace.source} names no device: give the device id to publish as (--device)`,
      );
    }
    return [{ deviceId, points: trace.tracks[0]?.points ?? [] }];
  }
  if (named.length !== trace.tracks.length) {
    throw new ReplayOptionsError(`${trace.source} mixes tracks with and without a device id`);
  }
  const ids = named.map((track) => track.deviceId as string);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined)
    throw new ReplayOptionsError(`${trace.source} has two tracks for device "${repeated}"`);
  if (deviceId === undefined)
    return named.map((track) => ({ deviceId: track.deviceId as string, points: track.points }));
  const chosen = named.find((track) => track.deviceId === deviceId);
  if (!chosen) {
    throw new ReplayOptionsError(`device "${deviceId}" is not in ${trace.source}; it has ${ids.join(', ')}`);
  }
  return [{ deviceId, points: chosen.points }];
}

type OutgoingFix = Omit<CanonicalFix, 'deviceId' | 'receivedAtMs'>;

/**
 * Publishes a trace through `publisher`, paced by the fix times: the fix at trace time t is sent at
 * (t − first) / speed after the start. All devices share one timeline, so their relative timing is kept.
 * Sequence numbers are 0..n-1 per device unless the trace has its own.
 */
export async function replayThrough(
  publisher: FixPublisher,
  trace: Trace,
  options: ReplayOptions = {},
): Promise<ReplaySummary> {
  const plan = planReplay(trace, options);
  const maxInFlight = plan.maxInFlight;
  const startTime = options.startTime ?? 'now';
  const codec = plan.codec as Required<FixCodec>;
  const plannedTracks = plan.tracks;
  const firstFixMs = plannedTracks.reduce(
    (first, track) => Math.min(first, track.points[0]?.fixTimeMs ?? first),
    Infinity,
  );
  // The same shift as retime(), over the tracks actually replayed.
  const offsetMs = startTime === 'keep' ? 0 : (startTime === 'now' ? Date.now() : startTime) - firstFixMs;

  // One timeline for all devices; sort is stable, so equal times keep the trace's order.
  const timeline = plannedTracks
    .flatMap((track, trackIndex) => track.points.map((point, index) => ({ trackIndex, point, index })))
    .sort((a, b) => a.point.fixTimeMs - b.point.fixTimeMs);

  const stop = new AbortController();
  let stopped: ReplaySummary['stopped'];
  const onAbort = () => {
    stopped ??= 'aborted';
    stop.abort();
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const progress: ReplayProgress = {
    totalFixes: plan.totalFixes,
    sentFixes: 0,
    messages: 0,
    failedPublishes: 0,
  };
  let failedFixes = 0;
  let firstError: string | undefined;
  const inFlight = new Set<Promise<void>>();
  const pending: OutgoingFix[][] = plannedTracks.map(() => []);

  const send = (trackIndex: number) => {
    const fixes = pending[trackIndex] as OutgoingFix[];
    pending[trackIndex] = [];
    const track = plannedTracks[trackIndex] as PlannedTrack;
    const payload = codec.encode(fixes);
    // async wrapper: a publisher that throws instead of rejecting still counts as one failed publish.
    const published = (async () => publisher.publish(track.topic, payload, plan.qos))();
    const settled: Promise<void> = published.then(
      () => {
        progress.sentFixes += fixes.length;
        progress.messages += 1;
        settle();
      },
      (error: unknown) => {
        progress.failedPublishes += 1;
        failedFixes += fixes.length;
        firstError ??= error instanceof Error ? error.message : String(error);
        if (error instanceof BrokerConnectionLostError) {
          stopped ??= 'connection-lost';
          stop.abort();
        }
        settle();
      },
    );
    const settle = () => {
      inFlight.delete(settled);
      try {
        options.onProgress?.({ ...progress });
      } catch {
        // A progress listener's bug must not lose the replay's own accounting.
      }
    };
    inFlight.add(settled);
  };

  const startedAt = performance.now();
  for (const { trackIndex, point, index } of timeline) {
    if (plan.speed !== 'max') {
      await sleepUntil(startedAt + (point.fixTimeMs - firstFixMs) / plan.speed, stop.signal);
    }
    while (inFlight.size >= maxInFlight && !stop.signal.aborted) await Promise.race(inFlight);
    if (stop.signal.aborted) break;
    const batch = pending[trackIndex] as OutgoingFix[];
    batch.push({
      fixTimeMs: point.fixTimeMs + offsetMs,
      lon: point.lon,
      lat: point.lat,
      accuracyM: point.accuracyM,
      sequence: point.sequence ?? index,
    });
    if (batch.length >= plan.batch) send(trackIndex);
  }
  // A device's last, partial batch goes out at its last fix's time, which has passed by now.
  if (!stop.signal.aborted) pending.forEach((batch, trackIndex) => batch.length > 0 && send(trackIndex));
  await Promise.all(inFlight);
  options.signal?.removeEventListener('abort', onAbort);

  const elapsedMs = performance.now() - startedAt;
  const summary: ReplaySummary = {
    ...progress,
    deviceIds: plannedTracks.map((track) => track.deviceId),
    failedFixes,
    elapsedMs,
    fixesPerSecond: elapsedMs > 0 ? (progress.sentFixes * 1000) / elapsedMs : 0,
  };
  if (stopped) summary.stopped = stopped;
  if (firstError !== undefined) summary.firstError = firstError;
  return summary;
}

/** Connects to the broker (fails with BrokerConnectError naming the URL), replays, and disconnects. */
export async function replayTrace(trace: Trace, options: ReplayTraceOptions): Promise<ReplaySummary> {
  planReplay(trace, options); // refuse bad options before touching the network
  const publisher = await connectMqttPublisher(options);
  try {
    return await replayThrough(publisher, trace, options);
  } finally {
    await publisher.close();
  }
}

/** Resolves at `deadline` (a performance.now() value) or as soon as `signal` aborts. */
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
