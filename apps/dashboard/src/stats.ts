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
  positions = 0;

  record(renderMs: number, fixes: readonly LiveFix[], shownAtMs: number): void {
    if (fixes.length === 0) return;
    this.renderMs.push(renderMs);
    this.positions += fixes.length;
    for (const fix of fixes) this.delayMs.push(shownAtMs - fix.fixTimeMs);
    if (this.delayMs.length > MAX_SAMPLES) this.delayMs.splice(0, this.delayMs.length - MAX_SAMPLES);
    if (this.renderMs.length > MAX_SAMPLES) this.renderMs.splice(0, this.renderMs.length - MAX_SAMPLES);
  }

  reset(): void {
    this.renderMs = [];
    this.delayMs = [];
    this.positions = 0;
  }
}
