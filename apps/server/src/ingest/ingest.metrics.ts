import { Injectable } from '@nestjs/common';
import type { LiveDetection } from '../../../../libs/telemetry/src/index.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Why a message or item was refused: a bounded label set for the `reason` of the rejected counter. */
export type RejectReason =
  'topic' | 'too-large' | 'unknown-device' | 'codec' | 'invalid' | 'database' | 'internal';

const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Ingest counters and latencies: Prometheus metrics (GET /metrics) and the totals /health reports.
 * One registry per application instance, so several servers in one process (tests) never collide.
 */
@Injectable()
export class IngestMetrics {
  readonly registry = new Registry();
  private readonly totals = {
    messages: 0,
    fixesStored: 0,
    fixesDuplicate: 0,
    eventsStored: 0,
    rejected: 0,
    breaches: 0,
    storeRetries: 0,
  };
  private readonly messages = this.counter('lookout_messages_received_total', 'MQTT messages received', [
    'kind',
  ]);
  private readonly fixesStored = this.counter('lookout_fixes_stored_total', 'fixes stored');
  private readonly fixesDuplicate = this.counter(
    'lookout_fixes_duplicate_total',
    'fixes already stored (redelivery)',
  );
  private readonly eventsStored = this.counter('lookout_device_events_stored_total', 'device events stored');
  private readonly rejected = this.counter(
    'lookout_rejected_total',
    'messages or items kept as dead letters',
    ['reason'],
  );
  private readonly breaches = this.counter('lookout_breaches_total', 'breaches raised by the detector');
  private readonly storeRetries = this.counter('lookout_store_retries_total', 'database writes retried');
  private readonly inFlight = new Gauge({
    name: 'lookout_ingest_in_flight_messages',
    help: 'messages received and not yet acknowledged',
    registers: [this.registry],
  });
  private readonly storeSeconds = new Histogram({
    name: 'lookout_store_seconds',
    help: 'time to write one message or batch of fixes',
    buckets: LATENCY_BUCKETS_S,
    registers: [this.registry],
  });
  private readonly detectionSeconds = new Histogram({
    name: 'lookout_detection_latency_seconds',
    help: 'from receipt of a fix to its detection result being emitted',
    buckets: LATENCY_BUCKETS_S,
    registers: [this.registry],
  });

  private readonly emitSeconds = new Histogram({
    name: 'lookout_detection_emit_latency_seconds',
    help: 'from receipt of a fix to the detection it caused leaving the live gateway',
    buckets: LATENCY_BUCKETS_S,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'lookout_' });
  }

  private counter(name: string, help: string, labelNames: string[] = []) {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** Labelled children, looked up once per kind: ingest counts every message. */
  private readonly messagesByKind = new Map<string, { inc(): void }>();

  messageReceived(kind: string): void {
    this.totals.messages++;
    let counter = this.messagesByKind.get(kind);
    if (!counter) this.messagesByKind.set(kind, (counter = this.messages.labels(kind)));
    counter.inc();
    this.inFlight.inc();
  }

  messageDone(): void {
    this.inFlight.dec();
  }

  fixesWritten(stored: number, duplicates: number, seconds: number): void {
    this.totals.fixesStored += stored;
    this.totals.fixesDuplicate += duplicates;
    this.fixesStored.inc(stored);
    this.fixesDuplicate.inc(duplicates);
    this.storeSeconds.observe(seconds);
  }

  eventsWritten(stored: number): void {
    this.totals.eventsStored += stored;
    this.eventsStored.inc(stored);
  }

  rejectedItems(reason: RejectReason, count: number): void {
    this.totals.rejected += count;
    this.rejected.inc({ reason }, count);
  }

  breachRaised(): void {
    this.totals.breaches++;
    this.breaches.inc();
  }

  detected(receivedAtMs: number): void {
    this.detectionSeconds.observe((Date.now() - receivedAtMs) / 1000);
  }

  /** A detection went out on the live gateway; timed from its fix's receipt when a fix caused it. */
  detectionEmitted(detection: LiveDetection): void {
    const causedByFix = detection.type !== 'status' || detection.cause === 'fix';
    if (causedByFix && detection.fix)
      this.emitSeconds.observe((Date.now() - detection.fix.receivedAtMs) / 1000);
  }

  storeRetried(): void {
    this.totals.storeRetries++;
    this.storeRetries.inc();
  }

  snapshot() {
    return { ...this.totals };
  }
}
