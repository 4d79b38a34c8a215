import { z } from 'zod';
import {
  batteryModelSchema,
  WEARABLE_MODELS,
  wearableModelSchema,
} from '../../../devices/src/behaviour/index.js';
import { deviceIdSchema } from '../../../libs/telemetry/src/index.js';
import { ENVIRONMENT_CLASSES } from '../noise/noise.model.js';

/**
 * A scenario file (YAML or JSON): the zones, the devices with their true paths and what goes wrong with
 * their fixes, and the expected outcome. Geometry is in a local metric frame about `origin`: x metres
 * east, y metres north. Times are seconds from the scenario start (re-timed when it runs).
 */
const finite = z.number().finite();
const xy = z.tuple([finite, finite]);
const seconds = finite.min(0, 'must be >= 0 s');
const ring = z.array(xy).min(3, 'a polygon ring needs at least 3 points');

/** The features of a server the scenario needs; see test/scenarios.e2e-spec.ts for which ones exist. */
export const DETECTOR_CAPABILITIES = [
  'segmentCrossings',
  'lost',
  'windows',
  'windowReevaluation',
  'hysteresis',
] as const;
export type DetectorCapability = (typeof DETECTOR_CAPABILITIES)[number];

const windowSchema = z
  .object({ fromS: seconds.nullable().default(null), toS: seconds.nullable().default(null) })
  .strict()
  .refine((w) => w.fromS === null || w.toS === null || w.toS > w.fromS, {
    message: 'a window must end after it starts',
    path: ['toS'],
  });

const zoneSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'zone id: lower-case letters, digits and "-"'),
    name: z.string().min(1).max(200).optional(),
    kind: z.enum(['safe', 'danger']),
    /** Shell ring, metres; it need not repeat its first point. */
    polygon: ring.optional(),
    holes: z.array(ring).default([]),
    /** A track centreline and its half-width: a corridor. */
    corridor: z
      .object({ centreline: z.array(xy).min(2), halfWidthM: finite.positive() })
      .strict()
      .optional(),
    windows: z.array(windowSchema).default([]),
    /** Device ids of this scenario; default every device. */
    appliesTo: z.array(z.string()).default([]),
  })
  .strict()
  .refine((zone) => (zone.polygon === undefined) !== (zone.corridor === undefined), {
    message: 'a zone has either a polygon or a corridor',
    path: ['polygon'],
  });

const environmentSchema = z
  .object({
    environment: z.enum(ENVIRONMENT_CLASSES),
    polygon: ring,
    biasBearingDeg: finite.min(0).max(360).default(0),
    biasM: finite.min(0).max(100).optional(),
    r95Factor: finite.min(0).max(100).optional(),
    dropoutProbability: finite.min(0).max(1).optional(),
  })
  .strict();

const spanSchema = z
  .object({ fromS: seconds, toS: seconds })
  .strict()
  .refine((span) => span.toS > span.fromS, { message: 'must end after it starts', path: ['toS'] });

const deviceSchema = z
  .object({
    id: deviceIdSchema,
    /** Waypoints `[t s, x m, y m]`, times increasing; the worker moves in straight lines between them and stays at the last. */
    path: z.array(z.tuple([seconds, finite, finite])).min(1, 'a path needs at least one waypoint'),
    /** A side-to-side sway on top of the path (shuffling at a boundary). */
    sway: z
      .object({ amplitudeM: finite.min(0), periodS: finite.positive(), bearingDeg: finite.min(0).max(360) })
      .strict()
      .optional(),
    fixIntervalS: finite.min(0.05).max(3600).default(1),
    /** First fix (default: the first waypoint) and last fix (default: the scenario end): a stale device stops early. */
    startS: seconds.optional(),
    stopS: seconds.optional(),
    noise: z
      .object({
        r95M: finite.min(0).max(1000).default(3),
        dropoutProbability: finite.min(0).max(1).default(0),
      })
      .strict()
      .default({ r95M: 3, dropoutProbability: 0 }),
    dropouts: z.array(spanSchema).default([]),
    clock: z
      .object({ offsetMs: z.number().int().default(0), driftPpm: finite.default(0) })
      .strict()
      .default({ offsetMs: 0, driftPpm: 0 }),
    delivery: z
      .object({
        /** Fixes taken in [fromS, toS) are held and published together, newest first, at `releaseS` (default toS). */
        outOfOrder: z
          .array(z.object({ fromS: seconds, toS: seconds, releaseS: seconds.optional() }).strict())
          .default([]),
        /** Fixes taken in [fromS, toS) are published `copies` times, the repeats spread over `spreadS`. */
        duplicates: z
          .array(
            z
              .object({
                fromS: seconds,
                toS: seconds,
                copies: z.number().int().min(2).max(50),
                spreadS: seconds.default(0),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .default({ outOfOrder: [], duplicates: [] }),
    /** A virtual wearable publishing its own alerts: a model name from devices/ or an inline model. */
    wearable: z.union([z.string(), wearableModelSchema]).optional(),
    /**
     * This unit's battery, reported by its wearable as `battery` events: replaces the model's own battery,
     * so a named model can be given one and units of one model can start at different charges.
     */
    battery: batteryModelSchema.optional(),
  })
  .strict();

const expectedCrossingSchema = z
  .object({
    device: z.string(),
    zone: z.string(),
    outS: seconds,
    /** null: still out at the end. */
    inS: seconds.nullable(),
    toleranceS: finite.positive().default(0.5),
  })
  .strict();

const expectedSchema = z
  .object({
    /** The true crossings; the ground truth computed from the paths must agree (checked by the tests). */
    crossings: z.array(expectedCrossingSchema).default([]),
    /** `none`: no server breach at all (cess walk, jitter); `crossings`: breaches only within crossings. */
    serverBreaches: z.enum(['none', 'crossings']).default('crossings'),
    /** At most one server breach per crossing (out-of-order and duplicate scenarios: no phantom events). */
    onePerCrossing: z.boolean().default(false),
    /** A crossing shorter than this need not be detected; default 2 fix intervals of the device. */
    detectionMarginS: seconds.optional(),
    /** Devices that go silent and should be reported lost. */
    lost: z.array(z.object({ device: z.string(), silentFromS: seconds }).strict()).default([]),
    /**
     * Outcomes that need a detector capability the server may not have yet, and what it does until then.
     * The CI suite asserts the capability is listed here while its flag is off.
     */
    pending: z
      .array(z.object({ capability: z.enum(DETECTOR_CAPABILITIES), until: z.string().min(1) }).strict())
      .default([]),
    notes: z.string().optional(),
  })
  .strict();

export const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'name: lower-case letters, digits and "-"'),
    description: z.string().default(''),
    origin: z.object({ lon: finite.min(-180).max(180), lat: finite.min(-85).max(85) }).strict(),
    durationS: finite.positive().max(86_400),
    /** Default seed; `--seed` overrides it. */
    seed: z.union([z.number(), z.string()]).default(1),
    zones: z.array(zoneSchema).min(1, 'a scenario needs at least one zone'),
    environments: z.array(environmentSchema).default([]),
    devices: z.array(deviceSchema).min(1, 'a scenario needs at least one device'),
    expected: expectedSchema.default({
      crossings: [],
      serverBreaches: 'crossings',
      onePerCrossing: false,
      lost: [],
      pending: [],
    }),
  })
  .strict()
  .superRefine((scenario, ctx) => {
    const deviceIds = new Set<string>();
    scenario.devices.forEach((device, index) => {
      if (deviceIds.has(device.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['devices', index, 'id'],
          message: `device "${device.id}" repeats`,
        });
      }
      deviceIds.add(device.id);
      device.path.forEach((waypoint, i) => {
        const previous = device.path[i - 1];
        if (previous && waypoint[0] <= previous[0]) {
          ctx.addIssue({
            code: 'custom',
            path: ['devices', index, 'path', i, 0],
            message: `waypoint time ${waypoint[0]} s must be after the previous one (${previous[0]} s)`,
          });
        }
      });
      if (typeof device.wearable === 'string' && !Object.hasOwn(WEARABLE_MODELS, device.wearable)) {
        ctx.addIssue({
          code: 'custom',
          path: ['devices', index, 'wearable'],
          message: `unknown wearable model "${device.wearable}"; known models: ${Object.keys(WEARABLE_MODELS).join(', ')}`,
        });
      }
      if (device.battery && device.wearable === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['devices', index, 'battery'],
          message:
            'a battery needs a wearable: the virtual wearable is what reports it (e.g. wearable: reference)',
        });
      }
      const lastS = device.stopS ?? scenario.durationS;
      if (lastS > scenario.durationS) {
        ctx.addIssue({
          code: 'custom',
          path: ['devices', index, 'stopS'],
          message: `stopS ${lastS} is after the scenario's end (durationS ${scenario.durationS})`,
        });
      }
    });
    const zoneIds = new Set<string>();
    scenario.zones.forEach((zone, index) => {
      if (zoneIds.has(zone.id)) {
        ctx.addIssue({ code: 'custom', path: ['zones', index, 'id'], message: `zone "${zone.id}" repeats` });
      }
      zoneIds.add(zone.id);
      zone.appliesTo.forEach((id, i) => {
        if (!deviceIds.has(id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['zones', index, 'appliesTo', i],
            message: `no device "${id}" in this scenario`,
          });
        }
      });
    });
    scenario.expected.crossings.forEach((crossing, index) => {
      if (!deviceIds.has(crossing.device)) {
        ctx.addIssue({
          code: 'custom',
          path: ['expected', 'crossings', index, 'device'],
          message: `no device "${crossing.device}" in this scenario`,
        });
      }
      if (!zoneIds.has(crossing.zone)) {
        ctx.addIssue({
          code: 'custom',
          path: ['expected', 'crossings', index, 'zone'],
          message: `no zone "${crossing.zone}" in this scenario`,
        });
      }
    });
  });

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioDevice = Scenario['devices'][number];
export type ScenarioZone = Scenario['zones'][number];
