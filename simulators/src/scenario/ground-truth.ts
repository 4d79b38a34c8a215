import { classifyPosition, type PlanarZone, type PointXY } from '../../../devices/src/behaviour/index.js';

/**
 * Ground truth: when each device was really in breach, computed from its noise-free path, never from
 * the fixes. A crossing is one breach episode of one device: from the first instant it is in breach
 * (outside all its active safe zones, or inside an active danger zone) to the first instant it is safe
 * again. Windows opening and closing are crossings' edges too: a worker standing on the line when the
 * possession ends is in breach from that moment.
 */
export interface TrueCrossing {
  deviceId: string;
  /** The zone that decided at the start: the danger zone entered or the safe zone left. */
  zoneId: string;
  timeOutMs: number;
  /** null: still in breach when the scenario ends. */
  timeBackInMs: number | null;
  durationMs: number;
  /** How far beyond the safe side the worker went, metres. */
  maxBeyondM: number;
  /** Fixes the device published with a true time inside the crossing (0: no fix could show it). */
  fixesDuring: number;
}

export interface CrossingSearch {
  deviceId: string;
  zones: readonly PlanarZone[];
  /** The true position at a time (epoch ms). */
  positionAt: (atMs: number) => PointXY;
  fromMs: number;
  toMs: number;
  /** Sampling step; episodes shorter than it may be missed (default 100 ms). Transitions are refined to 1 ms. */
  stepMs?: number;
  /** Times that must be sampled: path waypoints and window edges. */
  breakpointsMs?: readonly number[];
}

export const DEFAULT_GROUND_TRUTH_STEP_MS = 100;

/** Breach episodes of one device over [fromMs, toMs], each transition to the millisecond. */
export function computeCrossings(search: CrossingSearch): Omit<TrueCrossing, 'fixesDuring'>[] {
  const { deviceId, zones, positionAt, fromMs, toMs } = search;
  const stepMs = search.stepMs ?? DEFAULT_GROUND_TRUTH_STEP_MS;
  const verdictAt = (atMs: number) => classifyPosition(zones, deviceId, positionAt(atMs), atMs);
  const times = new Set<number>();
  for (let t = fromMs; t < toMs; t += stepMs) times.add(Math.round(t));
  times.add(toMs);
  for (const breakpoint of search.breakpointsMs ?? []) {
    for (const t of [breakpoint - 1, breakpoint]) if (t >= fromMs && t <= toMs) times.add(Math.round(t));
  }
  const samples = [...times].sort((a, b) => a - b);

  /** The first millisecond in (a, b] whose state equals `target`, given a's is not and b's is. */
  const refine = (a: number, b: number, target: boolean): number => {
    let lo = a;
    let hi = b;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (verdictAt(mid).breach === target) hi = mid;
      else lo = mid;
    }
    return hi;
  };

  const crossings: Omit<TrueCrossing, 'fixesDuring'>[] = [];
  let open: Omit<TrueCrossing, 'fixesDuring'> | undefined;
  let previousMs: number | undefined;
  let previousBreach = false;
  for (const t of samples) {
    const verdict = verdictAt(t);
    if (verdict.breach && !previousBreach) {
      const timeOutMs = previousMs === undefined ? t : refine(previousMs, t, true);
      const first = verdictAt(timeOutMs);
      open = {
        deviceId,
        zoneId: first.zoneId ?? verdict.zoneId ?? '',
        timeOutMs,
        timeBackInMs: null,
        durationMs: 0,
        maxBeyondM: Math.max(first.beyondM, verdict.beyondM),
      };
    } else if (verdict.breach && open) {
      open.maxBeyondM = Math.max(open.maxBeyondM, verdict.beyondM);
    } else if (!verdict.breach && previousBreach && open && previousMs !== undefined) {
      open.timeBackInMs = refine(previousMs, t, false);
      open.durationMs = open.timeBackInMs - open.timeOutMs;
      crossings.push(open);
      open = undefined;
    }
    previousBreach = verdict.breach;
    previousMs = t;
  }
  if (open) {
    open.durationMs = toMs - open.timeOutMs;
    crossings.push(open);
  }
  return crossings;
}

/** Counts, per crossing, the published fixes of its device whose true time falls inside it. */
export function withFixesDuring(
  crossings: readonly Omit<TrueCrossing, 'fixesDuring'>[],
  fixTrueTimesMs: ReadonlyMap<string, readonly number[]>,
): TrueCrossing[] {
  return crossings.map((crossing) => {
    const end = crossing.timeBackInMs ?? Infinity;
    const times = fixTrueTimesMs.get(crossing.deviceId) ?? [];
    return { ...crossing, fixesDuring: times.filter((t) => t >= crossing.timeOutMs && t < end).length };
  });
}
