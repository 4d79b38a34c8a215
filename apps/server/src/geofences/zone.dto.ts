import { z } from 'zod';
import { pageQuerySchema } from '../common/zod.js';
import { validateZoneGeometry, type ZoneGeometry } from './zone-geometry.validation.js';

/**
 * The JSON shape of zone input. Structure is checked here; what makes a geometry valid (closed rings,
 * ranges, self-intersection, vertex limit, corridor half-width) is zone-geometry.validation.ts, attached
 * as a refinement so that every issue comes back with its field path, e.g. `geometry.coordinates.0.5`.
 */

const position = z
  .array(z.number())
  .min(2, 'a position is [lon, lat] or [lon, lat, altitude]')
  .max(3, 'a position is [lon, lat] or [lon, lat, altitude]');

const polygon = z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(position)) });
const multiPolygon = z.object({
  type: z.literal('MultiPolygon'),
  coordinates: z.array(z.array(z.array(position))),
});
const lineString = z.object({ type: z.literal('LineString'), coordinates: z.array(position) });

export const zoneGeometrySchema = z.discriminatedUnion('type', [polygon, multiPolygon, lineString], {
  error: 'geometry must be a GeoJSON Polygon, MultiPolygon or LineString (a corridor, with halfWidthM)',
});

const isoTime = z.iso
  .datetime({ offset: true, error: 'expected an ISO 8601 time with a zone, e.g. 2025-03-01T22:00:00Z' })
  .transform((value) => new Date(value).toISOString());

/** A possession or shift: active from `from` (inclusive) to `to` (exclusive); null is open-ended. */
export const zoneWindowSchema = z
  .object({ from: isoTime.nullable(), to: isoTime.nullable() })
  .refine((w) => !w.from || !w.to || Date.parse(w.to) > Date.parse(w.from), {
    message: 'a window must end after it starts',
    path: ['to'],
  });

export const provenanceSchema = z.object({
  source: z.enum(['survey', 'drawing', 'import']),
  author: z.string().trim().min(1, 'author is required: who surveyed, drew or supplied the zone').max(200),
  method: z.string().max(2000).default(''),
  notes: z.string().max(5000).default(''),
});

const zoneKind = z.enum(['safe', 'danger']);
const appliesTo = z.array(z.string().min(1).max(64)).max(1000);
const windows = z.array(zoneWindowSchema).max(100);

const zoneVersionFields = z.object({
  kind: zoneKind,
  geometry: zoneGeometrySchema,
  halfWidthM: z.number().max(1000, 'halfWidthM must be at most 1000 m').nullable().default(null),
  appliesTo: appliesTo.default([]),
  windows: windows.default([]),
  provenance: provenanceSchema,
});

function checkGeometry(
  content: { geometry: ZoneGeometry; halfWidthM: number | null },
  ctx: z.RefinementCtx,
): void {
  for (const issue of validateZoneGeometry(content)) {
    ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  }
}

/** The content of one zone version, as an operator submits it (PUT /zones/:id publishes it as a new version). */
export const zoneVersionInputSchema = zoneVersionFields.superRefine(checkGeometry);

/** A new zone and its version 1. A site implies its trial. */
export const zoneInputSchema = zoneVersionFields
  .extend({
    name: z.string().trim().min(1).max(200),
    trialId: z.uuid().nullable().default(null),
    siteId: z.uuid().nullable().default(null),
  })
  .superRefine(checkGeometry);

export type ZoneInput = z.input<typeof zoneInputSchema>;
export type ZoneVersionInput = z.input<typeof zoneVersionInputSchema>;
export type ZoneVersionContent = z.output<typeof zoneVersionInputSchema>;

export const zoneQuerySchema = pageQuerySchema.extend({
  trialId: z.uuid().optional(),
  siteId: z.uuid().optional(),
  /** The zones and versions as they were published at this time. */
  asOf: z.iso
    .datetime({ offset: true, error: 'asOf must be an ISO 8601 time with a zone' })
    .transform((value) => new Date(value))
    .optional(),
});

/** Imports are bounded so one request cannot hold the server: content size, then feature count. */
export const MAX_IMPORT_CONTENT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_FEATURES = 1000;

export const zoneImportSchema = z.object({
  trialId: z.uuid().nullable().default(null),
  siteId: z.uuid().nullable().default(null),
  format: z.enum(['geojson', 'kml']),
  /** Recorded in each version's provenance. */
  fileName: z.string().trim().min(1).max(255).default('upload'),
  content: z
    .string()
    .min(1, 'content is empty')
    .max(MAX_IMPORT_CONTENT_BYTES, `content must be at most ${MAX_IMPORT_CONTENT_BYTES} bytes`),
  /** Used where a feature's properties say nothing. */
  defaults: z.object({
    kind: zoneKind.optional(),
    halfWidthM: z.number().optional(),
    appliesTo: appliesTo.optional(),
    windows: windows.optional(),
    provenance: z.object({
      source: z
        .literal('import', { error: "an imported zone's provenance source is 'import'" })
        .default('import'),
      author: provenanceSchema.shape.author,
      method: provenanceSchema.shape.method,
      notes: provenanceSchema.shape.notes,
    }),
  }),
});
export type ZoneImportRequest = z.output<typeof zoneImportSchema>;

export const checkPointInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  lon: z.number().min(-180, 'lon must be within [-180, 180]').max(180, 'lon must be within [-180, 180]'),
  lat: z.number().min(-90, 'lat must be within [-90, 90]').max(90, 'lat must be within [-90, 90]'),
  expected: z.enum(['inside', 'outside']),
  surveyedBy: z.string().trim().min(1).max(200),
  surveyedAt: isoTime,
  accuracyM: z
    .number()
    .positive('accuracyM must be > 0: a surveyed position always has an uncertainty')
    .max(100, 'accuracyM must be at most 100 m'),
});
export type CheckPointInput = z.output<typeof checkPointInputSchema>;

// Responses (for OpenAPI).

const geometryOut = z.object({
  type: z.enum(['Polygon', 'MultiPolygon', 'LineString']),
  coordinates: z.array(z.unknown()),
});

export const zoneVersionViewSchema = z.object({
  zoneId: z.uuid(),
  version: z.number().int(),
  kind: zoneKind,
  geometry: geometryOut,
  halfWidthM: z.number().nullable(),
  appliesTo: z.array(z.string()),
  windows: z.array(z.object({ from: z.string().nullable(), to: z.string().nullable() })),
  provenance: z.object({
    source: z.enum(['survey', 'drawing', 'import', 'migration']),
    author: z.string(),
    method: z.string(),
    notes: z.string(),
    createdBy: z.uuid().nullable(),
  }),
  createdAt: z.string(),
});

export const zoneViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  trialId: z.uuid().nullable(),
  siteId: z.uuid().nullable(),
  /** The latest published version; `version` below is it, or the one current at `asOf`. */
  currentVersion: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: zoneVersionViewSchema,
});

export const checkPointViewSchema = z.object({
  id: z.uuid(),
  zoneId: z.uuid(),
  name: z.string(),
  lon: z.number(),
  lat: z.number(),
  expected: z.enum(['inside', 'outside']),
  surveyedBy: z.string(),
  surveyedAt: z.string(),
  accuracyM: z.number(),
  createdAt: z.string(),
  /** Against the zone's current version: signed distance (negative inside) and whether it agrees. */
  current: z.object({ version: z.number().int(), signedDistanceM: z.number(), agrees: z.boolean() }),
});

export type ZoneVersionView = z.output<typeof zoneVersionViewSchema>;
export type ZoneView = z.output<typeof zoneViewSchema>;
export type CheckPointView = z.output<typeof checkPointViewSchema>;
