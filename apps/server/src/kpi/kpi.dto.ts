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

/** One true crossing of the ground-truth file. */
export const groundTruthCrossingSchema = z
  .object({
    deviceId: z.string().min(1).max(64),
    zoneId: z.string().max(200).nullable().default(null),
    timeOut: isoTime,
    timeBackIn: isoTime.nullable(),
    durationMs: z.number().int().min(0).max(2_147_483_647),
    maxBeyondM: z.number().finite().nullable().default(null),
    fixesDuring: z.number().int().min(0).max(2_147_483_647).nullable().default(null),
  })
  .refine((c) => c.timeBackIn === null || Date.parse(c.timeBackIn) >= Date.parse(c.timeOut), {
    message: 'timeBackIn must not be before timeOut',
    path: ['timeBackIn'],
  });

/** The true position at one fix a device took. */
export const groundTruthPositionSchema = z.object({
  deviceId: z.string().min(1).max(64),
  sequence: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  trueTime: isoTime,
  fixTime: isoTime,
  trueLon: z.number().min(-180).max(180),
  trueLat: z.number().min(-90).max(90),
  environment: z.string().max(50).nullable().default(null),
});

/** A fix the device took but never published, with the reason. */
export const groundTruthDroppedSchema = z.object({
  deviceId: z.string().min(1).max(64),
  sequence: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  trueTime: isoTime,
  reason: z.string().max(100),
});

export const GROUND_TRUTH_MAX_CROSSINGS = 100_000;
export const GROUND_TRUTH_MAX_POSITIONS = 1_000_000;

const groundTruthFields = {
  trialId: z.uuid(),
  sessionId: z.uuid().optional(),
  /** Scenario device id or zone ref → Lookout id, when the file's ids are not the ones registered. */
  deviceIds: z.record(z.string(), z.string().min(1).max(64)).default({}),
  zoneIds: z.record(z.string(), z.uuid()).default({}),
};
const documentFields = {
  format: z.literal('lookout-ground-truth/1'),
  scenario: z.string().max(200).default(''),
  seed: z.string().max(200).default(''),
  startTime: isoTime,
  endTime: isoTime,
};

/**
 * The simulators' ground-truth file (`groundTruthDocument`), plus the trial (and session) it belongs to: what
 * OpenAPI shows. Rows are validated one by one (see `groundTruthEnvelopeSchema`): a bad row is refused with its
 * position named, and the good rows are kept.
 */
export const groundTruthInputSchema = z.object({
  ...groundTruthFields,
  document: z.object({
    ...documentFields,
    crossings: z.array(groundTruthCrossingSchema).max(GROUND_TRUTH_MAX_CROSSINGS),
    positions: z.array(groundTruthPositionSchema).max(GROUND_TRUTH_MAX_POSITIONS).default([]),
    dropped: z.array(groundTruthDroppedSchema).max(GROUND_TRUTH_MAX_POSITIONS).default([]),
  }),
});
export type GroundTruthInput = z.output<typeof groundTruthInputSchema>;

/** What the endpoint parses: the envelope strictly, the rows as they come (each is checked on its own). */
export const groundTruthEnvelopeSchema = z.object({
  ...groundTruthFields,
  document: z.object({
    ...documentFields,
    crossings: z.array(z.unknown()).max(GROUND_TRUTH_MAX_CROSSINGS),
    positions: z.array(z.unknown()).max(GROUND_TRUTH_MAX_POSITIONS).default([]),
    dropped: z.array(z.unknown()).max(GROUND_TRUTH_MAX_POSITIONS).default([]),
  }),
});
export type GroundTruthEnvelope = z.output<typeof groundTruthEnvelopeSchema>;

/** A row of the file that was refused, named by its place in the document. */
export const rejectedRowSchema = z.object({
  section: z.enum(['crossings', 'positions', 'dropped']),
  index: z.number().int(),
  /** e.g. `document.positions.17.trueLat`. */
  path: z.string(),
  message: z.string(),
});
export type RejectedRow = z.output<typeof rejectedRowSchema>;

export const groundTruthImportSchema = z.object({
  id: z.uuid(),
  trialId: z.uuid(),
  sessionId: z.uuid().nullable(),
  crossings: z.number().int(),
  positions: z.number().int(),
  dropped: z.number().int(),
  /** Rows refused (not stored); the good rows around them are. */
  rejectedCount: z.number().int(),
  /** The first 1000 refused rows, each with where it is and why. */
  rejected: z.array(rejectedRowSchema),
});

/** A device held on a surveyed check point from `from` to `to` (as recorded in the field). */
export const checkPointVisitInputSchema = z
  .object({
    checkPointId: z.uuid(),
    deviceId: z.string().min(1).max(64),
    from: isoTime,
    to: isoTime,
    notes: z.string().max(2000).default(''),
  })
  .refine((visit) => Date.parse(visit.to) > Date.parse(visit.from), {
    message: 'to must be after from',
    path: ['to'],
  });
export type CheckPointVisitInput = z.output<typeof checkPointVisitInputSchema>;

export const checkPointVisitSchema = z.object({
  id: z.uuid(),
  sessionId: z.uuid(),
  checkPointId: z.uuid(),
  checkPointName: z.string(),
  zoneId: z.uuid(),
  surveyedLon: z.number(),
  surveyedLat: z.number(),
  surveyAccuracyM: z.number(),
  deviceId: z.string(),
  from: z.string(),
  to: z.string(),
  notes: z.string(),
  recordedBy: z.uuid(),
  recordedAt: z.string(),
});

const figure = z.number().nullable();
const cdfSchema = z.array(z.object({ quantile: z.number(), errorM: z.number() }));

/** `GET /trials/:trialId/kpis/check-points`: one entry per slice. */
export const checkPointErrorGroupSchema = z.object({
  key: z.string(),
  label: z.string(),
  visits: z.number().int(),
  checkPoints: z.number().int(),
  fixesMatched: z.number().int(),
  devices: z.number().int(),
  medianM: figure,
  p95M: figure,
  maxM: figure,
  cep50M: figure,
  cep95M: figure,
  surveyAccuracyMaxM: figure,
  cdf: cdfSchema,
});
