import { allocRegion } from './scratch.js';

// scratch.ts keeps its chunks per module instance, and jest gives this file a fresh one.
describe('zone regions in shared chunks', () => {
  it('packs regions on cache lines into an 8 MB chunk, then into 1 GB ones; large regions get their own', () => {
    const first = allocRegion(1000);
    const second = allocRegion(1000);
    expect(second.views).toBe(first.views);
    expect(first.views.buffer.byteLength).toBe(8 << 20);
    expect(second.byteOffset - first.byteOffset).toBe(1024); // 1000 rounded up to 64

    // Over a quarter of the small chunk: a buffer of its own, the chunk untouched.
    const large = allocRegion((2 << 20) + 100);
    expect(large.byteOffset).toBe(0);
    expect(large.views.buffer.byteLength).toBe((2 << 20) + 128);
    expect(allocRegion(64).views).toBe(first.views);

    // Once the small chunk is full, one large chunk (address space: pages are resident only as written).
    let next = allocRegion(1 << 20);
    while (next.views === first.views) next = allocRegion(1 << 20);
    expect(next.views.buffer.byteLength).toBe(1024 << 20);
    expect(next.byteOffset).toBe(0);
    expect(allocRegion(1 << 20).views).toBe(next.views);
  });
});
