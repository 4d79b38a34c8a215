/**
 * Incremental grid index over zones: a hash table of degree cells (open addressing on one
 * interleaved Int32Array [keyX, keyY, cell, -], no string or boxed keys, so a lookup allocates
 * nothing and touches one cache line). Each cell is one Float64Array
 * [count, slot, minLon, minLat, maxLon, maxLat, slot, ...]: the zones whose cover boxes
 * (zone.geometry.ts coverBoxes), expanded by the search radius, touch the cell, each with the
 * union of those (unexpanded) boxes clipped to the cell's reach. A query rejects or bounds a zone
 * from the cell's own contiguous array, without touching the zone's geometry. Adding or removing
 * a zone only touches that zone's cells.
 */

import { chunkF64, chunkI32, I32_CELL_IDS, scratchI32 } from './scratch.js';

const EMPTY = -1;
/** Doubles per cell entry: slot and box. */
export const ENTRY = 5;

export class ZoneGrid {
  readonly cellDeg: number;
  readonly invCellDeg: number;
  private table: Int32Array;
  private mask: number;
  private used = 0;
  /** Per cell: [count, (slot, minLon, minLat, maxLon, maxLat) × count, spare capacity]. */
  cells: Float64Array[] = [];
  /** Per cell: last registration stamp (to add a zone to a cell once) and the entry it made. */
  private stamp: Int32Array = new Int32Array(1024);
  private stampEntry: Int32Array = new Int32Array(1024);
  private stampGen = 0;

  constructor(cellDeg: number) {
    this.cellDeg = cellDeg;
    this.invCellDeg = 1 / cellDeg;
    const capacity = 1 << 12;
    this.table = new Int32Array(capacity * 4);
    for (let h = 0; h < capacity; h++) this.table[4 * h + 2] = EMPTY;
    this.mask = capacity - 1;
  }

  get cellTotal(): number {
    return this.cells.length;
  }

  /** Bytes of the index structure itself (hash table and cell arrays). */
  get byteLength(): number {
    let bytes = this.table.byteLength + this.stamp.byteLength + this.stampEntry.byteLength;
    for (const cell of this.cells) bytes += cell.byteLength;
    return bytes;
  }

  cellX(lon: number): number {
    return Math.floor(lon * this.invCellDeg);
  }

  cellY(lat: number): number {
    return Math.floor(lat * this.invCellDeg);
  }

  /** The cell id at integer cell coordinates, or -1. */
  find(cx: number, cy: number): number {
    const table = this.table;
    const mask = this.mask;
    let h = (Math.imul(cx, 0x9e3779b1) ^ Math.imul(cy, 0x85ebca6b)) & mask;
    for (;;) {
      const o = h << 2;
      const cell = table[o + 2];
      if (cell === EMPTY) return EMPTY;
      if (table[o] === cx && table[o + 1] === cy) return cell;
      h = (h + 1) & mask;
    }
  }

  private findOrCreate(cx: number, cy: number): number {
    const existing = this.find(cx, cy);
    if (existing !== EMPTY) return existing;
    if ((this.used + 1) * 2 > this.mask + 1) this.rehash();
    const mask = this.mask;
    let h = (Math.imul(cx, 0x9e3779b1) ^ Math.imul(cy, 0x85ebca6b)) & mask;
    while (this.table[(h << 2) + 2] !== EMPTY) h = (h + 1) & mask;
    const cell = this.cells.length;
    this.table[h << 2] = cx;
    this.table[(h << 2) + 1] = cy;
    this.table[(h << 2) + 2] = cell;
    this.used++;
    this.cells.push(chunkF64(1 + 2 * ENTRY));
    if (cell >= this.stamp.length) {
      const stamps = new Int32Array(this.stamp.length * 2);
      stamps.set(this.stamp);
      this.stamp = stamps;
      const entries = new Int32Array(this.stampEntry.length * 2);
      entries.set(this.stampEntry);
      this.stampEntry = entries;
    }
    return cell;
  }

  private rehash(): void {
    const old = this.table;
    const capacity = (this.mask + 1) * 2;
    this.table = new Int32Array(capacity * 4);
    for (let h = 0; h < capacity; h++) this.table[4 * h + 2] = EMPTY;
    this.mask = capacity - 1;
    for (let o = 0; o < old.length; o += 4) {
      if (old[o + 2] === EMPTY) continue;
      let h = (Math.imul(old[o], 0x9e3779b1) ^ Math.imul(old[o + 1], 0x85ebca6b)) & this.mask;
      while (this.table[(h << 2) + 2] !== EMPTY) h = (h + 1) & this.mask;
      this.table[h << 2] = old[o];
      this.table[(h << 2) + 1] = old[o + 1];
      this.table[(h << 2) + 2] = old[o + 2];
    }
  }

  /**
   * Registers `slot` in every cell touched by the boxes [minLon, minLat, maxLon, maxLat, ...]
   * expanded by (marginLon, marginLat) degrees. Returns the cell ids (kept for removal).
   */
  insert(slot: number, boxes: Float64Array, marginLon: number, marginLat: number): Int32Array {
    const gen = ++this.stampGen;
    let ids = scratchI32(I32_CELL_IDS, 64);
    let idCount = 0;
    for (let b = 0; b < boxes.length; b += 4) {
      const x0 = this.cellX(boxes[b] - marginLon);
      const y0 = this.cellY(boxes[b + 1] - marginLat);
      const x1 = this.cellX(boxes[b + 2] + marginLon);
      const y1 = this.cellY(boxes[b + 3] + marginLat);
      for (let cx = x0; cx <= x1; cx++) {
        for (let cy = y0; cy <= y1; cy++) {
          const cell = this.findOrCreate(cx, cy);
          // The entry's box: this box clipped to the cell grown by the margin (zone parts beyond
          // that are beyond the search radius of any point in the cell).
          const bMinLon = Math.max(boxes[b], cx * this.cellDeg - marginLon);
          const bMinLat = Math.max(boxes[b + 1], cy * this.cellDeg - marginLat);
          const bMaxLon = Math.min(boxes[b + 2], (cx + 1) * this.cellDeg + marginLon);
          const bMaxLat = Math.min(boxes[b + 3], (cy + 1) * this.cellDeg + marginLat);
          let data = this.cells[cell];
          if (this.stamp[cell] === gen) {
            // Already registered by an earlier box: grow that entry's box.
            const e = 1 + this.stampEntry[cell] * ENTRY;
            if (bMinLon < data[e + 1]) data[e + 1] = bMinLon;
            if (bMinLat < data[e + 2]) data[e + 2] = bMinLat;
            if (bMaxLon > data[e + 3]) data[e + 3] = bMaxLon;
            if (bMaxLat > data[e + 4]) data[e + 4] = bMaxLat;
            continue;
          }
          this.stamp[cell] = gen;
          if (idCount === ids.length) {
            const grown = scratchI32(I32_CELL_IDS, idCount * 2);
            grown.set(ids.subarray(0, idCount));
            ids = grown;
          }
          ids[idCount++] = cell;
          const count = data[0];
          if (1 + (count + 1) * ENTRY > data.length) {
            // Cell arrays live in shared chunks (scratch.ts): no ArrayBuffer per cell or per growth.
            const grown = chunkF64(1 + count * 2 * ENTRY);
            grown.set(data);
            this.cells[cell] = data = grown;
          }
          const e = 1 + count * ENTRY;
          data[e] = slot;
          data[e + 1] = bMinLon;
          data[e + 2] = bMinLat;
          data[e + 3] = bMaxLon;
          data[e + 4] = bMaxLat;
          data[0] = count + 1;
          this.stampEntry[cell] = count;
        }
      }
    }
    const out = chunkI32(idCount);
    out.set(ids.subarray(0, idCount));
    return out;
  }

  remove(slot: number, cellIds: Int32Array): void {
    for (let i = 0; i < cellIds.length; i++) {
      const data = this.cells[cellIds[i]];
      const count = data[0];
      for (let j = 0; j < count; j++) {
        if (data[1 + j * ENTRY] === slot) {
          // Keep order (determinism of iteration does not depend on removal history).
          data.copyWithin(1 + j * ENTRY, 1 + (j + 1) * ENTRY, 1 + count * ENTRY);
          data[0] = count - 1;
          break;
        }
      }
    }
  }
}
