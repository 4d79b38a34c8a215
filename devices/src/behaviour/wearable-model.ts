import { z } from 'zod';
import { batteryModelSchema } from './virtual-battery.js';

/**
 * How a supplier's wearable behaves, as far as a trial can observe it: when it decides a breach, how
 * long it takes to alert, how often it misses one or alerts for nothing, and how fast its battery drains. The virtual wearable applies a
 * model to the fixes it "sees" (the noisy ones), as the real device would.
 */
export const wearableModelSchema = z
  .object({
    /** Shown in each event's `detail`, e.g. `supplier-a/guardian-2 fw 1.4`. */
    name: z.string().min(1).max(200),
    /**
     * The device's own rule: `centre` alerts when the fix position is beyond the boundary; `error-circle`
     * only when the whole accuracy circle is (fewer false alerts, later and fewer true ones).
     */
    rule: z.enum(['centre', 'error-circle']).default('centre'),
    /** Mean delay from the fix that shows a breach to the alert, ms... */
    alertLatencyMs: z.number().min(0).max(600_000).default(1000),
    /** ...plus a uniform jitter in [-jitter, +jitter], clipped at 0. */
    alertLatencyJitterMs: z.number().min(0).max(600_000).default(0),
    /** Delay from the fix that ends a breach to `alert-cleared`, ms. */
    clearLatencyMs: z.number().min(0).max(600_000).default(1000),
    /** Consecutive safe fixes before the device clears its alert (its own debounce). */
    clearAfterFixes: z.number().int().min(1).max(100).default(1),
    /** Probability that a whole breach episode goes unalerted. */
    missRate: z.number().min(0).max(1).default(0),
    /** Spurious alerts per hour of wear while not in breach (a Poisson process on the device clock). */
    falseAlertsPerHour: z.number().min(0).max(3600).default(0),
    /** How long a spurious alert lasts before the device clears it, ms. */
    falseAlertDurationMs: z.number().min(0).max(600_000).default(3000),
    /** Battery readings it reports (`battery` device events); none when absent. */
    battery: batteryModelSchema.optional(),
  })
  .strict();

export type WearableModel = z.output<typeof wearableModelSchema>;
export type WearableModelInput = z.input<typeof wearableModelSchema>;

/**
 * Named models for scenarios and fleet runs. Figures are illustrative of the spread seen between
 * suppliers in a trial (DESIGN.md, "Lessons"), not any real product's.
 */
export const WEARABLE_MODELS: Readonly<Record<string, WearableModel>> = Object.freeze({
  /** An ideal device: alerts 1 s after the first fix beyond the boundary, never misses, never cries wolf. */
  reference: wearableModelSchema.parse({ name: 'reference', alertLatencyMs: 1000, clearLatencyMs: 1000 }),
  /** Quick and reliable, an occasional false alert. */
  'supplier-a': wearableModelSchema.parse({
    name: 'supplier-a/guardian fw 2.1',
    alertLatencyMs: 1500,
    alertLatencyJitterMs: 500,
    clearLatencyMs: 2000,
    clearAfterFixes: 2,
    missRate: 0.02,
    falseAlertsPerHour: 0.5,
  }),
  /** Cautious: waits for the whole error circle to be out, slower, misses more. */
  'supplier-b': wearableModelSchema.parse({
    name: 'supplier-b/trackwatch fw 0.9',
    rule: 'error-circle',
    alertLatencyMs: 4000,
    alertLatencyJitterMs: 2000,
    clearLatencyMs: 3000,
    clearAfterFixes: 3,
    missRate: 0.1,
    falseAlertsPerHour: 0.2,
  }),
  /** Twitchy: fast, but alerts for nothing several times an hour. */
  'supplier-c': wearableModelSchema.parse({
    name: 'supplier-c/linesafe fw 5.0',
    alertLatencyMs: 600,
    alertLatencyJitterMs: 300,
    clearLatencyMs: 500,
    missRate: 0.05,
    falseAlertsPerHour: 6,
    falseAlertDurationMs: 2000,
  }),
});

export class UnknownWearableModelError extends Error {
  constructor(readonly modelName: string) {
    super(`unknown wearable model "${modelName}"; known models: ${Object.keys(WEARABLE_MODELS).join(', ')}`);
    this.name = 'UnknownWearableModelError';
  }
}

export function wearableModelByName(name: string): WearableModel {
  const model = Object.hasOwn(WEARABLE_MODELS, name) ? WEARABLE_MODELS[name] : undefined;
  if (!model) throw new UnknownWearableModelError(name);
  return model;
}
