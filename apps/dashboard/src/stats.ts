import type { LiveFix } from '../../../libs/telemetry/src/live-events.js';

const MAX_SAMPLES = 20_000;

/**
 * What the bench reads (window.lookoutStats): per drawn frame, the time from starting to apply positions to
 * the task after paint, and per position the delay from its fix time (the publisher's clock, the same
 * machine in the bench) to that moment.
 */
export class RenderStats {
  renderMs: number[] = [];
  delayMs: number[] = [];
  /** Where the delay goes, per position: publish to the server's receipt, and publish to the page's socket. */
  receiptMs: number[] = [];
  arrivalMs: number[] = [];
  positions = 0;

  /** A frame of positions arrived on the socket at `arrivedAtMs`. */
  arrived(fixes: readonly LiveFix[], arrivedAtMs: number): void {
    for (const fix of fixes) {
      this.receiptMs.push(fix.receivedAtMs - fix.fixTimeMs);
      this.arrivalMs.push(arrivedAtMs - fix.fixTimeMs);
    }
    trim(this.receiptMs);
    trim(this.arrivalMs);
  }

  record(renderMs: number, fixes: readonly LiveFix[], shownAtMs: number): void {
    if (fixes.length === 0) return;
    this.renderMs.push(renderMs);
    this.positions += fixes.length;
    for (const fix of fixes) this.delayMs.push(shownAtMs - fix.fixTimeMs);
    trim(this.delayMs);
    trim(this.renderMs);
  }

  reset(): void {
    this.renderMs = [];
    this.delayMs = [];
    this.receiptMs = [];
    this.arrivalMs = [];
    this.positions = 0;
  }
}

function trim(samples: number[]): void {
  if (samples.length > MAX_SAMPLES) samples.splice(0, samples.length - MAX_SAMPLES);
}
