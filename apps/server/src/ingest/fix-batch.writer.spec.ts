import type { CanonicalFix } from '../../../../libs/telemetry/src/index.js';
import { FixBatchWriter } from './fix-batch.writer.js';

const fix = (deviceId: string, fixTimeMs: number): CanonicalFix => ({
  deviceId,
  fixTimeMs,
  receivedAtMs: fixTimeMs,
  lon: 0,
  lat: 0,
  accuracyM: 1,
});

describe('FixBatchWriter', () => {
  it('writes the fixes of many messages in one batch, in arrival order, once the size bound is reached', async () => {
    const batches: number[][] = [];
    const writer = new FixBatchWriter(
      async (fixes) => {
        batches.push(fixes.map((f) => f.fixTimeMs));
        return fixes;
      },
      { maxBatchFixes: 4, maxDelayMs: 10_000, maxQueuedFixes: 100 },
    );
    const a = await writer.enqueue([fix('d', 1), fix('d', 2)]);
    const b = await writer.enqueue([fix('d', 3), fix('d', 4)]);
    expect(await a.durable).toHaveLength(2);
    expect(await b.durable).toHaveLength(2);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('writes a partial batch once its first fix has waited maxDelayMs', async () => {
    const writes: number[] = [];
    const writer = new FixBatchWriter(
      async (fixes) => {
        writes.push(fixes.length);
        return fixes;
      },
      { maxBatchFixes: 1000, maxDelayMs: 5, maxQueuedFixes: 100 },
    );
    const { durable } = await writer.enqueue([fix('d', 1)]);
    expect(writes).toEqual([]);
    await durable;
    expect(writes).toEqual([1]);
  });

  it('tells each message which of its fixes were new', async () => {
    const writer = new FixBatchWriter(async (fixes) => fixes.filter((f) => f.fixTimeMs !== 2), {
      maxBatchFixes: 10,
      maxDelayMs: 1,
      maxQueuedFixes: 100,
    });
    const first = await writer.enqueue([fix('d', 1), fix('d', 2)]);
    const second = await writer.enqueue([fix('d', 3)]);
    expect((await first.durable).map((f) => f.fixTimeMs)).toEqual([1]);
    expect((await second.durable).map((f) => f.fixTimeMs)).toEqual([3]);
  });

  it('isolates a message the database refuses, keeping the others of its batch', async () => {
    const writer = new FixBatchWriter(
      async (fixes) => {
        if (fixes.some((f) => f.deviceId === 'bad')) throw new Error('refused');
        return fixes;
      },
      { maxBatchFixes: 10, maxDelayMs: 1, maxQueuedFixes: 100 },
    );
    const good = await writer.enqueue([fix('ok', 1)]);
    const bad = await writer.enqueue([fix('bad', 2)]);
    const alsoGood = await writer.enqueue([fix('ok', 3)]);
    await expect(good.durable).resolves.toHaveLength(1);
    await expect(bad.durable).rejects.toThrow('refused');
    await expect(alsoGood.durable).resolves.toHaveLength(1);
  });

  it('makes callers wait while the queue is full, and lets them in as batches commit', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const writer = new FixBatchWriter(
      async (fixes) => {
        await gate;
        return fixes;
      },
      { maxBatchFixes: 2, maxDelayMs: 1, maxQueuedFixes: 2 },
    );
    await writer.enqueue([fix('d', 1), fix('d', 2)]);
    let admitted = false;
    const waiting = writer.enqueue([fix('d', 3)]).then((result) => {
      admitted = true;
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(admitted).toBe(false);
    expect(writer.depth).toBe(2);
    release();
    await (
      await waiting
    ).durable;
    expect(admitted).toBe(true);
    await writer.flush();
    expect(writer.depth).toBe(0);
  });
});
