/**
 * Reusable scratch buffers for zone compilation: temporaries live here instead of being
 * allocated per zone (each typed array is an external allocation, and thousands of them drive
 * V8 into full collections over the whole heap). Single-threaded and non-reentrant: each slot
 * has one user at a time (see the slot constants).
 */
const f64: Float64Array[] = [];
const i32: Int32Array[] = [];

/** Float64 slots. */
export const F64_RING = 0; // raw positions of the ring being read
export const F64_FLAT = 1; // the zone's flattened lon/lat
export const F64_PLANE = 2; // the zone's plane coordinates before they are placed in its region
export const F64_COVER = 3; // cover boxes of the zone being registered in the grid

/** Int32 slots. */
export const I32_KEPT = 0; // kept position indices of the ring being read
export const I32_SOURCE = 1; // input index of each flattened vertex
export const I32_COUNTS = 2; // per-slab counts / fill cursors
export const I32_VERTEX_RING = 3; // ring of each vertex (topology check)
export const I32_FIRST_SLAB = 4; // first slab of each edge (topology check)
export const I32_CELL_IDS = 5; // grid cells of the zone being registered

/** A Float64Array of at least `size` elements (contents undefined). */
export function scratchF64(slot: number, size: number): Float64Array {
  let buffer = f64[slot];
  if (buffer === undefined || buffer.length < size)
    f64[slot] = buffer = new Float64Array(Math.max(size, 1024) * 2);
  return buffer;
}

/** An Int32Array of at least `size` elements (contents undefined). */
export function scratchI32(slot: number, size: number): Int32Array {
  let buffer = i32[slot];
  if (buffer === undefined || buffer.length < size)
    i32[slot] = buffer = new Int32Array(Math.max(size, 1024) * 2);
  return buffer;
}

/**
 * Bump allocation of zone regions inside shared chunks: V8 sees a few large ArrayBuffers instead of
 * tens of thousands of small ones (each of which counts as external memory and drives full
 * garbage collections). Each chunk is viewed once as Float64Array, Int32Array and Float32Array
 * over the whole buffer (`ChunkViews`), so the hot path indexes a handful of shared, cache-resident
 * view objects with offsets (flatbush style) instead of loading per-zone typed-array objects.
 * A chunk is freed by the garbage collector when no zone uses it any more; the space of a
 * replaced zone is reclaimed only then (documented trade-off).
 */
export interface ChunkViews {
  readonly buffer: ArrayBuffer;
  readonly f64: Float64Array;
  readonly i32: Int32Array;
  readonly f32: Float32Array;
}

/**
 * The first chunk is 8 MB (a small engine stays small); every later one is 1 GB of address space.
 * V8 starts a full collection whenever external memory grew by ~64 MB since the last one, and a
 * full collection marks the whole heap — at bulk load, the caller's GeoJSON input: ~1 GB for 10
 * million vertices, ~0.5 s a collection here. Chunks growing 4× at a time (8 MB to 256 MB) cost
 * two such collections while 10 million vertices load; one large chunk costs one. Pages of a chunk
 * that were never written are not resident (the allocation is zero-filled on demand), so the
 * address space costs no memory.
 */
const MIN_CHUNK_BYTES = 8 << 20;
const LARGE_CHUNK_BYTES = 1024 << 20;
/** Regions start on a cache line, so a zone's header is one or two lines. */
const ALIGN = 64;

function viewsOf(buffer: ArrayBuffer): ChunkViews {
  return {
    buffer,
    f64: new Float64Array(buffer),
    i32: new Int32Array(buffer),
    f32: new Float32Array(buffer),
  };
}

/**
 * A large chunk, or smaller ones where the address space is refused (a host with strict overcommit,
 * `vm.overcommit_memory = 2`, counts it as committed memory): more collections, same index.
 */
function largeChunk(): ArrayBuffer {
  for (let bytes = LARGE_CHUNK_BYTES; bytes > MIN_CHUNK_BYTES; bytes >>= 2) {
    try {
      return new ArrayBuffer(bytes);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
    }
  }
  return new ArrayBuffer(MIN_CHUNK_BYTES); // a real shortage throws here
}

let chunk = viewsOf(new ArrayBuffer(MIN_CHUNK_BYTES));
let chunkUsed = 0;
let reserved = false;

/**
 * Makes the chunk being filled a large one now (once; later calls do nothing), for a process that
 * will load a large zone set: V8 counts an ArrayBuffer's whole length as external memory when it
 * is created, and external memory that grew by ~64 MB starts a full collection, which marks the
 * whole heap. Called at start-up, while the heap is nearly empty, that collection takes ~1 ms;
 * left to the first large load, it marks the loaded input too (~1 GB of GeoJSON arrays for 10
 * million vertices: 0.5–0.7 s, a third of the build). Not done on load of this module: a test
 * runner loads it once per test file, and tens of 1 GB reservations alive at once make fork()
 * fail (launching Chromium failed with ENOMEM).
 */
export function reserveIndexMemory(): void {
  if (reserved) return;
  reserved = true;
  if (chunk.buffer.byteLength >= LARGE_CHUNK_BYTES) return;
  chunk = viewsOf(largeChunk());
  chunkUsed = 0;
}

/** A region of `bytes` (rounded up to 64): its chunk's views and its byte offset there. */
export function allocRegion(bytes: number): { views: ChunkViews; byteOffset: number } {
  const size = (bytes + ALIGN - 1) & ~(ALIGN - 1);
  if (size > MIN_CHUNK_BYTES / 4) return { views: viewsOf(new ArrayBuffer(size)), byteOffset: 0 };
  if (chunkUsed + size > chunk.buffer.byteLength) {
    chunk = viewsOf(largeChunk());
    chunkUsed = 0;
  }
  const byteOffset = chunkUsed;
  chunkUsed += size;
  return { views: chunk, byteOffset };
}

/** A Float64Array of `length` placed in a shared chunk (no ArrayBuffer of its own). */
export function chunkF64(length: number): Float64Array {
  const { views, byteOffset } = allocRegion(length * 8);
  return new Float64Array(views.buffer, byteOffset, length);
}

/** An Int32Array of `length` placed in a shared chunk (no ArrayBuffer of its own). */
export function chunkI32(length: number): Int32Array {
  const { views, byteOffset } = allocRegion(length * 4);
  return new Int32Array(views.buffer, byteOffset, length);
}
