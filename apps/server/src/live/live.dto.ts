import { z } from 'zod';

const isoTime = z.iso
  .datetime({ offset: true, error: 'expected an ISO 8601 time with a zone, e.g. 2026-12-01T09:00:00Z' })
  .transform((value) => new Date(value));

/** Which devices: a trial's (enrolled or in one of its sessions), one device, or every visible device. */
const deviceFilter = z.object({
  trialId: z.uuid().optional(),
  deviceId: z.string().min(1).max(64).optional(),
});

const timeRange = z.object({ from: isoTime.optional(), to: isoTime.optional() });

export const snapshotQuerySchema = deviceFilter;

export const detectionQuerySchema = deviceFilter.extend(timeRange.shape).extend({
  /** Only what the feed shows: breaches, approaching, crossings and lost (not safe/unknown or flagged fixes). */
  alertsOnly: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .default(false),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  offset: z.coerce.number().int().min(0).default(0),
});

export const fixRangeQuerySchema = deviceFilter.extend(timeRange.shape).extend({
  limit: z.coerce.number().int().min(1).max(50_000).default(10_000),
});

export type DeviceFilter = z.output<typeof deviceFilter>;
export type DetectionQuery = z.output<typeof detectionQuerySchema>;
export type FixRangeQuery = z.output<typeof fixRangeQuerySchema>;

// Responses (for OpenAPI): the same shapes as the live events in libs/telemetry.

export const liveFixSchema = z.object({
  deviceId: z.string(),
  fixTimeMs: z.number(),
  receivedAtMs: z.number(),
  lon: z.number(),
  lat: z.number(),
  accuracyM: z.number(),
  sequence: z.number().optional(),
});

const statusSchema = z.enum(['unknown', 'safe', 'approaching', 'breach', 'lost']);

export const acknowledgementSchema = z.object({
  detectionId: z.uuid(),
  deviceId: z.string(),
  acknowledgedBy: z.uuid(),
  acknowledgedByEmail: z.string(),
  acknowledgedAtMs: z.number(),
  latencyMs: z.number().int(),
});

export const detectionViewSchema = z.object({
  id: z.uuid(),
  type: z.enum(['status', 'crossing', 'fix-flagged']),
  deviceId: z.string(),
  atMs: z.number(),
  detectedAtMs: z.number(),
  status: statusSchema.nullable(),
  previousStatus: statusSchema.nullable(),
  breachLevel: z.enum(['confirmed', 'probable']).nullable(),
  cause: z.string().nullable(),
  rule: z.string().nullable(),
  zone: z
    .object({ zoneId: z.uuid(), zoneVersion: z.number().int(), zoneKind: z.enum(['safe', 'danger']) })
    .nullable(),
  fix: liveFixSchema.nullable(),
  breachMarginM: z.number().nullable(),
  chainageM: z.number().nullable(),
  acknowledgement: acknowledgementSchema.nullable(),
});

export const snapshotSchema = z.object({
  atMs: z.number(),
  /** The latest stored fix of each visible device (the fix the detector used). */
  positions: z.array(liveFixSchema),
  /** The latest status of each visible device that has one. */
  statuses: z.array(z.object({ deviceId: z.string(), status: statusSchema, atMs: z.number() })),
  /** The connection state (online/offline, from the device's status topic) of each visible device that reported one. */
  connections: z.array(z.object({ deviceId: z.string(), online: z.boolean(), atMs: z.number() })),
  /** Alerts of the last 24 hours not yet acknowledged. */
  openDetections: z.array(detectionViewSchema),
});

export const detectionPageSchema = z.object({
  items: z.array(detectionViewSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

export const fixRangeSchema = z.object({
  items: z.array(liveFixSchema),
  /** True when `limit` cut the range short: ask again from the last fix's time. */
  truncated: z.boolean(),
});

export type DetectionView = z.output<typeof detectionViewSchema>;
export type Snapshot = z.output<typeof snapshotSchema>;
