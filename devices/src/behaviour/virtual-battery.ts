import { z } from 'zod';
import type { SeededRandom } from './seeded-random.js';

const HOUR_MS = 3_600_000;

/**
 * A wearable's battery as a trial observes it: the charge it reports on `lookout/v1/devices/{d}/event`
 * (`kind: battery`, libs/telemetry device-event.schema.ts), which is what the reliability KPI's battery
 * hours are fitted to. Events, not `batteryPct` on fixes, because every fix codec can carry them: NMEA
 * has no battery field, and a scenario may publish its fixes in any codec.
 */
export const batteryModelSchema = z
  .object({
    /** Charge at the device's first fix, %. */
    initialPct: z.number().min(0).max(100).default(100),
    /** Linear drain, % of a full charge per hour of wear: a full charge lasts 100 / drainPctPerHour hours. */
    drainPctPerHour: z.number().positive('drainPctPerHour must be > 0').max(1000),
    /** A reading with the first fix at least this long (device clock) after the previous reading. */
    reportIntervalS: z.number().min(1).max(86_400).default(60),
    /** The gauge's step: readings are rounded to it, like a device reporting whole percent (0: exact). */
    resolutionPct: z.number().min(0).max(10).default(1),
    /** Gauge noise: a uniform error in [-noise, +noise] % on each reading, from the seeded stream. */
    noisePct: z.number().min(0).max(10).default(0),
  })
  .strict();

export type BatteryModel = z.output<typeof batteryModelSchema>;
export type BatteryModelInput = z.input<typeof batteryModelSchema>;

/**
 * The charge a battery model reports over time. Pure: no clock, no I/O; the same seed gives the same
 * readings. Time is the device clock from its first fix (the wearable is switched on for the session).
 */
export class VirtualBattery {
  private firstFixTimeMs: number | undefined;
  private lastReadingMs: number | undefined;

  constructor(
    private readonly model: BatteryModel,
    private readonly random: SeededRandom,
  ) {}

  /** The true (noise-free, unrounded) charge at a device time, %, never below 0. */
  chargeAt(fixTimeMs: number): number {
    const elapsedMs = Math.max(0, fixTimeMs - (this.firstFixTimeMs ?? fixTimeMs));
    return Math.max(0, this.model.initialPct - (this.model.drainPctPerHour * elapsedMs) / HOUR_MS);
  }

  /** The reading due with this fix (device clock), or undefined when the last one is too recent. */
  observe(fixTimeMs: number): number | undefined {
    this.firstFixTimeMs ??= fixTimeMs;
    if (
      this.lastReadingMs !== undefined &&
      fixTimeMs - this.lastReadingMs < this.model.reportIntervalS * 1000
    ) {
      return undefined;
    }
    this.lastReadingMs = fixTimeMs;
    const { noisePct, resolutionPct } = this.model;
    const noisy = this.chargeAt(fixTimeMs) + (noisePct > 0 ? this.random.uniform(-1, 1) * noisePct : 0);
    const rounded = resolutionPct > 0 ? Math.round(noisy / resolutionPct) * resolutionPct : noisy;
    // Rounding to the step can leave float dust (0.1 * 3); the event schema wants 0..100.
    return Math.min(100, Math.max(0, Math.round(rounded * 1e6) / 1e6));
  }
}
