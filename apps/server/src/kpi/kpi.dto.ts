import { z } from 'zod';

/** The dimensions every KPI can be sliced (filtered and grouped) by. */
export const GROUP_BY = [
  'trial',
  'supplier',
  'model',
  'firmware',
  'site',
  'environment',
  'session',
  'phase',
  'device',
] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export const ENVIRONMENTS = ['open', 'cutting', 'bridge', 'tunnel-portal', 'station'] as const;

/** Filters and grouping shared by every KPI endpoint. */
export const kpiQuerySchema = z.object({
  groupBy: z.enum(GROUP_BY).default('supplier'),
  supplierId: z.uuid().optional(),
  modelId: z.uuid().optional(),
  firmware: z.string().min(1).max(200).optional(),
  siteId: z.uuid().optional(),
  environment: z.enum(ENVIRONMENTS).optional(),
  sessionId: z.uuid().optional(),
  phase: z.string().min(1).max(200).optional(),
  deviceId: z.string().min(1).max(64).optional(),
  /** Matching a fix to its true position (by the device's fix time). */
  positionToleranceMs: z.coerce.number().int().min(0).max(60_000).default(500),
  /** Slack either side of a true crossing in which a detection or device alert counts as matching it. */
  matchToleranceMs: z.coerce.number().int().min(0).max(600_000).default(5000),
  /** Crossings shorter than this are not scored (no fix could reasonably show them). */
  minCrossingMs: z.coerce.number().int().min(0).max(3_600_000).default(0),
  /** A fix counts towards availability only if its reported accuracy is within this. */
  accuracyThresholdM: z.coerce.number().min(0).max(10_000).default(10),
  /** A gap between consecutive fixes longer than this is a dropout. */
  dropoutMs: z.coerce.number().int().min(1).max(3_600_000).default(5000),
  /** With `true`, the detection endpoint lists each scored crossing as well as the totals. */
  detail: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});
export type KpiQuery = z.output<typeof kpiQuerySchema>;

export const reportQuerySchema = z.object({
  /** One supplier's report; without it, the whole trial (managers and viewers only). */
  supplierId: z.uuid().optional(),
});
export type KpiReportQuery = z.output<typeof reportQuerySchema>;

const isoTime = z.iso.datetime({ offset: true });

/** The simulators' ground-truth file (`groundTruthDocument`), plus the trial (and session) it belongs to. */
export const groundTruthInputSchema = z.object({
  trialId: z.uuid(),
  sessionId: z.uuid().optional(),
  /** Scenario device id or zone ref → Lookout id, when the file's ids are not the ones registered. */
  deviceIds: z.record(z.string(), z.string().min(1).max(64)).default({}),
  zoneIds: z.record(z.string(), z.uuid()).default({}),
  document: z.object({
    format: z.literal('lookout-ground-truth/1'),
    scenario: z.string().max(200).default(''),
    seed: z.string().max(200).default(''),
    startTime: isoTime,
    endTime: isoTime,
    crossings: z
      .array(
        z.object({
          deviceId: z.string().min(1).max(64),
          zoneId: z.string().max(200).nullable().default(null),
          timeOut: isoTime,
          timeBackIn: isoTime.nullable(),
          durationMs: z.number().int().min(0),
          maxBeyondM: z.number().finite().nullable().default(null),
          fixesDuring: z.number().int().min(0).nullable().default(null),
        }),
      )
      .max(100_000),
    positions: z
      .array(
        z.object({
          deviceId: z.string().min(1).max(64),
          sequence: z.number().int().min(0),
          trueTime: isoTime,
          fixTime: isoTime,
          trueLon: z.number().min(-180).max(180),
          trueLat: z.number().min(-90).max(90),
          environment: z.string().max(50).nullable().default(null),
        }),
      )
      .max(1_000_000)
      .default([]),
    dropped: z
      .array(
        z.object({
          deviceId: z.string().min(1).max(64),
          sequence: z.number().int().min(0),
          trueTime: isoTime,
          reason: z.string().max(100),
        }),
      )
      .max(1_000_000)
      .default([]),
  }),
});
export type GroundTruthInput = z.output<typeof groundTruthInputSchema>;

export const groundTruthImportSchema = z.object({
  id: z.uuid(),
  trialId: z.uuid(),
  sessionId: z.uuid().nullable(),
  crossings: z.number().int(),
  positions: z.number().int(),
  dropped: z.number().int(),
});
