/** A fixed-capacity sample of durations (ms) with percentiles; beyond capacity, reservoir sampling (seeded by index). */
export class LatencySample {
  private readonly values: Float64Array;
  private count = 0;
  private seen = 0;
  private maxMs = 0;

  constructor(capacity = 1_000_000) {
    this.values = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.seen += 1;
    if (ms > this.maxMs) this.maxMs = ms;
    if (this.count < this.values.length) {
      this.values[this.count++] = ms;
      return;
    }
    // Algorithm R with a cheap deterministic hash instead of a random draw.
    const slot = Math.imul(this.seen, 2654435761) >>> 0;
    if (slot % this.seen < this.values.length) this.values[slot % this.values.length] = ms;
  }

  get size(): number {
    return this.seen;
  }

  summary(): LatencySummary {
    if (this.count === 0) return { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0 };
    const sorted = this.values.slice(0, this.count).sort();
    const at = (q: number) => sorted[Math.min(this.count - 1, Math.floor(q * this.count))] as number;
    let sum = 0;
    for (const value of sorted) sum += value;
    return {
      count: this.seen,
      p50Ms: at(0.5),
      p95Ms: at(0.95),
      p99Ms: at(0.99),
      maxMs: this.maxMs,
      meanMs: sum / this.count,
    };
  }
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}
