import type { CanonicalFix } from '../../../../libs/telemetry/src/index.js';

export interface BatchWriterOptions {
  /** A batch is written when it holds this many fixes… */
  maxBatchFixes: number;
  /** …or when its first fix has waited this long. */
  maxDelayMs: number;
  /** Callers wait (and so stop reading MQTT) while more than this many fixes are queued. */
  maxQueuedFixes: number;
}

export const DEFAULT_BATCH_OPTIONS: BatchWriterOptions = {
  maxBatchFixes: 1000,
  maxDelayMs: 10,
  maxQueuedFixes: 20_000,
};

interface Pending {
  fixes: CanonicalFix[];
  resolve: (stored: CanonicalFix[]) => void;
  reject: (error: unknown) => void;
}

/** Writes a batch; returns the fixes that were new. Retries and error classification are the caller's. */
export type WriteBatch = (fixes: CanonicalFix[]) => Promise<CanonicalFix[]>;

/**
 * Groups the fixes of many messages into one INSERT, bounded by size and by time, one batch at a time so
 * that batches commit in arrival order. Each message's promise settles when its batch has committed; if a
 * batch fails, its messages are written one by one so one bad message cannot sink the others.
 */
export class FixBatchWriter {
  /** Pending messages; `head` is the first not yet taken (no O(n) `shift` on a queue of thousands). */
  private queue: Pending[] = [];
  private head = 0;
  private queuedFixes = 0;
  private timer?: NodeJS.Timeout;
  private writing?: Promise<void>;
  private readonly spaceWaiters: (() => void)[] = [];

  constructor(
    private readonly write: WriteBatch,
    private readonly options: BatchWriterOptions = DEFAULT_BATCH_OPTIONS,
  ) {}

  get depth(): number {
    return this.queuedFixes;
  }

  /** Queues a message's fixes; resolves when they are durable (with those that were new). */
  async enqueue(fixes: CanonicalFix[]): Promise<{ durable: Promise<CanonicalFix[]> }> {
    while (this.queuedFixes >= this.options.maxQueuedFixes) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    const durable = new Promise<CanonicalFix[]>((resolve, reject) =>
      this.queue.push({ fixes, resolve, reject }),
    );
    this.queuedFixes += fixes.length;
    if (this.queuedFixes >= this.options.maxBatchFixes) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.options.maxDelayMs);
    return { durable };
  }

  /** Writes everything queued; resolves when the queue is empty. */
  async flush(): Promise<void> {
    while (this.waiting > 0 || this.writing) {
      this.kick();
      await this.writing;
    }
  }

  private get waiting(): number {
    return this.queue.length - this.head;
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing || this.waiting === 0) return;
    this.writing = this.writeNext().finally(() => {
      this.writing = undefined;
      if (this.waiting > 0) {
        if (this.queuedFixes >= this.options.maxBatchFixes) this.kick();
        else this.timer ??= setTimeout(() => this.kick(), this.options.maxDelayMs);
      }
    });
  }

  private async writeNext(): Promise<void> {
    const batch: Pending[] = [];
    let size = 0;
    while (
      this.waiting > 0 &&
      (batch.length === 0 || size + this.queue[this.head]!.fixes.length <= this.options.maxBatchFixes)
    ) {
      const next = this.queue[this.head++]!;
      batch.push(next);
      size += next.fixes.length;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    try {
      const stored = new Set(
        await this.write(batch.length === 1 ? batch[0]!.fixes : batch.flatMap((pending) => pending.fixes)),
      );
      for (const pending of batch) {
        const fixes = pending.fixes;
        pending.resolve(
          fixes.length === 1 && stored.has(fixes[0]!) ? fixes : fixes.filter((fix) => stored.has(fix)),
        );
      }
    } catch {
      // Isolate the culprit: each message on its own, so the good ones are kept.
      for (const pending of batch) await this.write(pending.fixes).then(pending.resolve, pending.reject);
    } finally {
      this.queuedFixes -= size;
      for (const wake of this.spaceWaiters.splice(0)) wake();
    }
  }
}
