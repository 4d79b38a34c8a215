import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { codecByName, decodeDeviceEvents, UnknownCodecError } from '../../../../devices/src/index.js';
import {
  allDevicesFilter,
  MAX_FUTURE_SKEW_MS,
  parseDeviceStatus,
  parseDeviceTopic,
  type CanonicalDeviceEvent,
  type CanonicalFix,
  type DecodeResult,
  type LiveFix,
} from '../../../../libs/telemetry/src/index.js';
import { MqttService } from '../broker/mqtt.service.js';
import { EventBus } from '../events/event-bus.js';
import { BREACH_CHECK, type BreachCheck, type DeviceScope } from '../geofences/breach-check.js';
import { DevicesService } from '../devices/devices.service.js';
import { DeadLetterRepository, type DeadLetter } from './dead-letter.repository.js';
import { DeviceEventRepository } from './device-event.repository.js';
import { DeviceStatusRepository } from './device-status.repository.js';
import { FixBatchWriter } from './fix-batch.writer.js';
import { FixRepository } from './fix.repository.js';
import { IngestMetrics, type RejectReason } from './ingest.metrics.js';

/** A fix message larger than this is refused whole (a batch of 1,000 canonical fixes is about 150 KiB). */
export const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_RETRY_DELAY_MS = 5_000;
/** On shutdown, queued fixes get this long to commit; what does not is left unacknowledged for redelivery. */
const SHUTDOWN_FLUSH_MS = 10_000;

/** SQLSTATE classes 22 (data exception) and 23 (integrity violation) are the message's fault, not the database's. */
function isPermanentDatabaseError(error: unknown): boolean {
  const code =
    (error as { code?: unknown; driverError?: { code?: unknown } }).driverError?.code ??
    (error as { code?: unknown }).code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

class ShuttingDown extends Error {}

export function toLiveFix(fix: CanonicalFix): LiveFix {
  return {
    deviceId: fix.deviceId,
    fixTimeMs: fix.fixTimeMs,
    receivedAtMs: fix.receivedAtMs,
    lon: fix.lon,
    lat: fix.lat,
    accuracyM: fix.accuracyM,
    sequence: fix.sequence,
  };
}

/**
 * MQTT messages -> decode with the device's codec -> validate -> detect (in memory, at once) -> live events,
 * while the fixes go to a batched writer. A message is acknowledged to the broker only once its fixes are
 * committed, so nothing is acknowledged before it is durable.
 *
 * Nothing a device sends can stop ingest: every bad message or item is logged, counted and kept as a dead
 * letter. Database outages are retried with backoff; meanwhile the queue fills, reading stops, and the
 * broker keeps what has not been stored.
 */
@Injectable()
export class IngestService implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(IngestService.name);
  private stopping = false;
  private readonly writer: FixBatchWriter;

  constructor(
    private readonly mqtt: MqttService,
    private readonly devices: DevicesService,
    private readonly fixes: FixRepository,
    private readonly deadLetters: DeadLetterRepository,
    private readonly deviceEvents: DeviceEventRepository,
    private readonly statuses: DeviceStatusRepository,
    private readonly metrics: IngestMetrics,
    private readonly bus: EventBus,
    @Inject(BREACH_CHECK) private readonly breachCheck: BreachCheck,
  ) {
    this.writer = new FixBatchWriter((batch) => this.withRetry(() => this.fixes.insertNew(batch)));
  }

  onModuleInit(): void {
    this.mqtt.setMessageHandler((topic, payload, { retain }) =>
      this.handleMessage(topic, payload, Date.now(), retain),
    );
    this.mqtt.addSubscription(allDevicesFilter('fix'), 1);
    this.mqtt.addSubscription(allDevicesFilter('event'), 1);
    this.mqtt.addSubscription(allDevicesFilter('status'), 1);
  }

  /** Commit what is queued while the database is reachable; then stop retrying. */
  async beforeApplicationShutdown(): Promise<void> {
    const timeout = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_FLUSH_MS).unref());
    await Promise.race([this.writer.flush(), timeout]);
    this.stopping = true;
  }

  onApplicationShutdown(): void {
    this.stopping = true;
  }

  /** Handles one message; the returned `durable` settles when the broker may be told it is stored. */
  async handleMessage(
    topic: string,
    payload: Buffer,
    receivedAtMs = Date.now(),
    retained = false,
  ): Promise<{ durable: Promise<void> }> {
    this.metrics.messageReceived(parseDeviceTopic(topic)?.kind ?? 'other');
    try {
      const { durable } = await this.ingest(topic, payload, receivedAtMs, retained);
      return { durable: durable.finally(() => this.metrics.messageDone()) };
    } catch (error) {
      this.metrics.messageDone();
      if (error instanceof ShuttingDown) throw error;
      // Last line of defence: a bug must cost one message (kept as a dead letter), never the pipeline.
      this.logger.error(`unexpected error on ${topic}: ${(error as Error).stack ?? String(error)}`);
      await this.reject('internal', [
        { receivedAtMs, topic, itemIndex: -1, reason: `internal error: ${String(error)}`, payload },
      ]);
      return { durable: Promise.resolve() };
    }
  }

  /** Returns once the message is decoded and detected; `durable` settles once it is stored. */
  private async ingest(
    topic: string,
    payload: Buffer,
    receivedAtMs: number,
    retained: boolean,
  ): Promise<{ durable: Promise<void> }> {
    const done = { durable: Promise.resolve() };
    const parsed = parseDeviceTopic(topic);
    if (!parsed || (parsed.kind !== 'fix' && parsed.kind !== 'event' && parsed.kind !== 'status')) {
      await this.reject('topic', [
        { receivedAtMs, topic, itemIndex: -1, reason: 'not a fix, event or status topic', payload },
      ]);
      return done;
    }
    const { deviceId } = parsed;
    const letter = (reason: string, itemIndex = -1): DeadLetter => ({
      receivedAtMs,
      topic,
      deviceId,
      itemIndex,
      reason,
      payload,
    });
    if (payload.length > MAX_MESSAGE_BYTES) {
      await this.reject('too-large', [
        letter(`message is ${payload.length} bytes; at most ${MAX_MESSAGE_BYTES} are accepted`),
      ]);
      return done;
    }
    // An empty status clears the device's retained one (MQTT's way to delete it): nothing to record. A
    // retained status is the broker's replay of the past at subscribe time: one of a device no longer
    // registered is skipped, not kept as a dead letter at every restart.
    if (parsed.kind === 'status' && payload.length === 0) return done;
    const device = this.devices.cached(deviceId) ?? (await this.withRetry(() => this.devices.find(deviceId)));
    if (!device && parsed.kind === 'status' && retained) {
      this.logger.debug(`skipped the retained status of unknown device ${deviceId}`);
      return done;
    }
    if (!device) {
      await this.reject('unknown-device', [
        letter(`unknown device "${deviceId}": register it before it publishes`),
      ]);
      return done;
    }
    if (parsed.kind === 'status') {
      await this.recordStatus(deviceId, payload, receivedAtMs, retained, letter);
      return done;
    }
    let decoded: DecodeResult;
    if (parsed.kind === 'event') {
      // Device events travel as canonical event JSON whatever the device's fix codec.
      const events = decodeDeviceEvents(payload, { deviceId, receivedAtMs });
      decoded = { fixes: [], events: events.events, rejected: events.rejected };
    } else {
      try {
        decoded = codecByName(device.codec).decode(payload, { deviceId, receivedAtMs });
      } catch (error) {
        if (!(error instanceof UnknownCodecError)) throw error;
        await this.reject('codec', [letter(`device ${deviceId}: ${error.message}`)]);
        return done;
      }
    }
    if (decoded.rejected.length > 0) {
      await this.reject(
        'invalid',
        decoded.rejected.map(({ index, reason }) => letter(reason, index)),
      );
    }
    if (decoded.events?.length) await this.storeEvents(decoded.events, letter);
    if (decoded.fixes.length === 0) return done;

    // The detector sees a device's fixes in time order, whatever order the message listed them in; it
    // decides at once, from memory, and the fixes are written behind it.
    const fixes = [...decoded.fixes].sort((a, b) => a.fixTimeMs - b.fixTimeMs);
    this.detect(fixes, device, receivedAtMs);
    const startedAt = performance.now();
    const { durable } = await this.writer.enqueue(fixes);
    const settled: Promise<void> = durable.then(
      (stored) => {
        this.metrics.fixesWritten(
          stored.length,
          fixes.length - stored.length,
          (performance.now() - startedAt) / 1000,
        );
      },
      async (error: unknown) => {
        if (!isPermanentDatabaseError(error)) throw error;
        await this.reject('database', [
          letter(`the database refused the fixes: ${(error as Error).message}`),
        ]);
      },
    );
    return { durable: settled };
  }

  private detect(fixes: CanonicalFix[], device: DeviceScope, receivedAtMs: number): void {
    for (const fix of fixes) {
      const { accepted, breaches } = this.breachCheck.check(fix, device);
      this.metrics.detected(receivedAtMs);
      // A duplicate or an out-of-date fix changes nothing, and is not shown as the device's position.
      if (accepted) this.bus.emit('fix.stored', toLiveFix(fix));
      for (let i = 0; i < breaches.length; i++) this.metrics.breachRaised();
    }
  }

  /** A device's connection state (its retained status or its last will): stored when it changed, shown live. */
  private async recordStatus(
    deviceId: string,
    payload: Buffer,
    receivedAtMs: number,
    retained: boolean,
    letter: (reason: string) => DeadLetter,
  ): Promise<void> {
    const parsed = parseDeviceStatus(payload);
    if (!parsed.ok) return this.reject('invalid', [letter(parsed.reason)]);
    const atMs = parsed.report.atMs ?? receivedAtMs;
    if (atMs - receivedAtMs > MAX_FUTURE_SKEW_MS) {
      return this.reject('invalid', [
        letter(
          `time is ${Math.round((atMs - receivedAtMs) / 1000)} s after the receive time; at most ${MAX_FUTURE_SKEW_MS / 1000} s is accepted`,
        ),
      ]);
    }
    const online = parsed.report.state === 'online';
    try {
      const changed = await this.withRetry(() =>
        this.statuses.record({ deviceId, online, atMs, receivedAtMs, retained }),
      );
      if (changed) this.bus.emit('device.status', { deviceId, online, atMs });
    } catch (error) {
      if (!isPermanentDatabaseError(error)) throw error;
      await this.reject('database', [letter(`the database refused the status: ${(error as Error).message}`)]);
    }
  }

  private async storeEvents(
    events: CanonicalDeviceEvent[],
    letter: (reason: string) => DeadLetter,
  ): Promise<void> {
    try {
      const stored = await this.withRetry(() => this.deviceEvents.insertNew(events));
      this.metrics.eventsWritten(stored);
    } catch (error) {
      if (!isPermanentDatabaseError(error)) throw error;
      await this.reject('database', [letter(`the database refused the events: ${(error as Error).message}`)]);
    }
  }

  private async reject(reason: RejectReason, letters: DeadLetter[]): Promise<void> {
    this.metrics.rejectedItems(reason, letters.length);
    for (const letter of letters) {
      const item = letter.itemIndex >= 0 ? ` item ${letter.itemIndex}` : '';
      this.logger.warn(`rejected ${letter.topic}${item}: ${letter.reason}`);
    }
    try {
      await this.withRetry(() => this.deadLetters.insert(letters));
    } catch (error) {
      if (error instanceof ShuttingDown) throw error;
      this.logger.error(`could not keep ${letters.length} dead letter(s): ${String(error)}`);
    }
  }

  /** Retries an operation through database outages; a permanent error (bad data) is thrown at once. */
  private async withRetry<T>(operation: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await operation();
      } catch (error) {
        if (isPermanentDatabaseError(error)) throw error;
        if (this.stopping) throw new ShuttingDown('ingest is stopping');
        this.metrics.storeRetried();
        const delayMs = Math.min(MAX_RETRY_DELAY_MS, 100 * 2 ** attempt);
        this.logger.warn(`database unavailable (${(error as Error).message}); retrying in ${delayMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}
