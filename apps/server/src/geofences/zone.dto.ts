import { z } from 'zod';

const position = z
  .tuple([
    z
      .number()
      .finite()
      .min(-180, 'longitude must be within [-180, 180]')
      .max(180, 'longitude must be within [-180, 180]'),
    z.number().finite().min(-90, 'latitude must be within [-90, 90]').max(90, 'latitude must be within [-90, 90]'),
  ])
  .rest(z.number().finite());

const ring = z
  .array(position)
  .min(4, 'a linear ring needs at least 4 positions')
  .refine((r) => r.length < 4 || (r[0]![0] === r[r.length - 1]![0] && r[0]![1] === r[r.length - 1]![1]), {
    message: 'a linear ring must be closed: its last position must equal its first',
  });

const polygon = z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1, 'a polygon needs a ring') });
const multiPolygon = z.object({
  type: z.literal('MultiPolygon'),
  coordinates: z.array(z.array(ring).min(1)).min(1, 'a multipolygon needs a polygon'),
});
const lineString = z.object({
  type: z.literal('LineString'),
  coordinates: z.array(position).min(2, 'a corridor centreline needs at least 2 positions'),
});

export const zoneGeometrySchema = z.discriminatedUnion('type', [polygon, multiPolygon, lineString], {
  message: 'geometry must be a GeoJSON Polygon, MultiPolygon or LineString (a corridor, with halfWidthM)',
});

export const zoneWindowSchema = z
  .object({ from: z.iso.datetime({ offset: true }).nullable(), to: z.iso.datetime({ offset: true }).nullable() })
  .refine((w) => !w.from || !w.to || Date.parse(w.to) > Date.parse(w.from), {
    message: 'a window must end after it starts',
    path: ['to'],
  });

export const provenanceSchema = z.object({
  source: z.enum(['survey', 'drawing', 'import']),
  author: z.string().min(1).max(200),
  method: z.string().max(2000).default(''),
  notes: z.string().max(5000).default(''),
});

/** The content of one zone version, as an operator submits it. */
export const zoneVersionInputSchema = z
  .object({
    kind: z.enum(['safe', 'danger']),
    geometry: zoneGeometrySchema,
    halfWidthM: z.number().positive('halfWidthM must be > 0').max(1000).nullable().default(null),
    appliesTo: z.array(z.string().min(1).max(64)).max(1000).default([]),
    windows: z.array(zoneWindowSchema).max(100).default([]),
    provenance: provenanceSchema,
  })
  .refine((zone) => (zone.geometry.type === 'LineString') === (zone.halfWidthM !== null), {
    message: 'halfWidthM is required for a LineString corridor and only for it',
    path: ['halfWidthM'],
  });

export const zoneInputSchema = z.intersection(
  z.object({
    name: z.string().min(1).max(200),
    trialId: z.uuid().nullable().default(null),
    siteId: z.uuid().nullable().default(null),
  }),
  zoneVersionInputSchema,
);

export type ZoneInput = z.input<typeof zoneInputSchema>;
export type ZoneVersionInput = z.input<typeof zoneVersionInputSchema>;
