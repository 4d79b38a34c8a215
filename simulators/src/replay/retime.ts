import type { Trace } from '../trace/trace.model.js';

export interface TraceTimeSpan {
  firstMs: number;
  lastMs: number;
}

/** The earliest and latest fix time over every track; undefined for a trace without points. */
export function traceTimeSpan(trace: Trace): TraceTimeSpan | undefined {
  let firstMs = Infinity;
  let lastMs = -Infinity;
  for (const track of trace.tracks) {
    const first = track.points[0];
    const last = track.points.at(-1);
    if (first && last) {
      firstMs = Math.min(firstMs, first.fixTimeMs);
      lastMs = Math.max(lastMs, last.fixTimeMs);
    }
  }
  return firstMs === Infinity ? undefined : { firstMs, lastMs };
}

/**
 * Shifts every fix by the same offset so the trace's earliest fix is at `startMs`: the spacing
 * between fixes, within and across devices, is kept exactly. Returns a new trace.
 */
export function retime(trace: Trace, startMs: number): Trace {
  if (!Number.isSafeInteger(startMs) || startMs < 0) {
    throw new RangeError(`start time must be a non-negative integer of epoch ms, got ${startMs}`);
  }
  const span = traceTimeSpan(trace);
  if (!span) return trace;
  const offsetMs = startMs - span.firstMs;
  return {
    ...trace,
    tracks: trace.tracks.map((track) => ({
      ...track,
      points: track.points.map((point) => ({ ...point, fixTimeMs: point.fixTimeMs + offsetMs })),
    })),
  };
}

/**
 * How far the last fix runs ahead of the wall clock when a trace re-timed to start "now" is sent
 * `speed` times faster than real time: (duration) × (1 − 1/speed). The server refuses fixes dated
 * more than MAX_FUTURE_SKEW_MS ahead of their arrival.
 */
export function clockLeadMs(trace: Trace, speed: number): number {
  const span = traceTimeSpan(trace);
  if (!span || speed <= 1) return 0;
  const durationMs = span.lastMs - span.firstMs;
  return Number.isFinite(speed) ? durationMs * (1 - 1 / speed) : durationMs;
}
