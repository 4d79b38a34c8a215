/** Compiled validity windows of one zone: allocation-free activity test on the hot path. */

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export interface DailyRule {
  startOfDayMs: number;
  endOfDayMs: number;
  offsetMs: number;
  fromMs: number;
  untilMs: number;
}

export class CompiledValidity {
  /** True when the zone has no windows: active at all times. */
  readonly always: boolean;
  /** [start0, end0, start1, end1, ...], each [start, end). */
  readonly absolute: Float64Array;
  readonly daily: readonly DailyRule[];

  constructor(absolute: Float64Array, daily: readonly DailyRule[]) {
    this.absolute = absolute;
    this.daily = daily;
    this.always = absolute.length === 0 && daily.length === 0;
  }

  static fromWindows(
    windows: readonly (
      | { startMs: number; endMs: number }
      | {
          daily: { startMinute: number; endMinute: number };
          utcOffsetMinutes?: number;
          fromMs?: number;
          untilMs?: number;
        }
    )[],
  ): CompiledValidity {
    const absolute: number[] = [];
    const daily: DailyRule[] = [];
    for (const w of windows) {
      if ('daily' in w) {
        daily.push({
          startOfDayMs: w.daily.startMinute * MINUTE_MS,
          endOfDayMs: w.daily.endMinute * MINUTE_MS,
          offsetMs: (w.utcOffsetMinutes ?? 0) * MINUTE_MS,
          fromMs: w.fromMs ?? -Infinity,
          untilMs: w.untilMs ?? Infinity,
        });
      } else {
        absolute.push(w.startMs, w.endMs);
      }
    }
    return new CompiledValidity(Float64Array.from(absolute), daily);
  }

  isActive(timeMs: number): boolean {
    if (this.always) return true;
    const abs = this.absolute;
    for (let i = 0; i < abs.length; i += 2) {
      if (timeMs >= abs[i] && timeMs < abs[i + 1]) return true;
    }
    for (let i = 0; i < this.daily.length; i++) {
      if (dailyActive(this.daily[i], timeMs)) return true;
    }
    return false;
  }

  /** The earliest instant > timeMs at which activity may change (Infinity if never). */
  nextChangeAfter(timeMs: number): number {
    let next = Infinity;
    const abs = this.absolute;
    for (let i = 0; i < abs.length; i++) if (abs[i] > timeMs && abs[i] < next) next = abs[i];
    for (const rule of this.daily) {
      for (const t of dailyTransitionsAround(rule, timeMs)) if (t > timeMs && t < next) next = t;
    }
    return next;
  }

  /** The latest instant <= timeMs at which activity may have changed (-Infinity if never). */
  lastChangeAtOrBefore(timeMs: number): number {
    let last = -Infinity;
    const abs = this.absolute;
    for (let i = 0; i < abs.length; i++) if (abs[i] <= timeMs && abs[i] > last) last = abs[i];
    for (const rule of this.daily) {
      for (const t of dailyTransitionsAround(rule, timeMs)) if (t <= timeMs && t > last) last = t;
    }
    return last;
  }
}

function dailyActive(rule: DailyRule, timeMs: number): boolean {
  if (timeMs < rule.fromMs || timeMs >= rule.untilMs) return false;
  const local = timeMs + rule.offsetMs;
  const tod = local - Math.floor(local / DAY_MS) * DAY_MS;
  if (rule.startOfDayMs < rule.endOfDayMs) return tod >= rule.startOfDayMs && tod < rule.endOfDayMs;
  return tod >= rule.startOfDayMs || tod < rule.endOfDayMs;
}

/** Start/end instants of the occurrences on the day before, of and after timeMs, plus the bounds. */
function dailyTransitionsAround(rule: DailyRule, timeMs: number): number[] {
  const day = Math.floor((timeMs + rule.offsetMs) / DAY_MS);
  const out = [rule.fromMs, rule.untilMs];
  for (let d = day - 1; d <= day + 1; d++) {
    out.push(d * DAY_MS + rule.startOfDayMs - rule.offsetMs, d * DAY_MS + rule.endOfDayMs - rule.offsetMs);
  }
  return out;
}
