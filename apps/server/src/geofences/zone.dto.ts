import { z } from 'zod';

const position = z
  .tuple([
    z
      .number()
      .finite()
      .min(-180, 'longitude must be within [-180, 180]')
      .max(180, 'longitude must be within [-180, 180]'),
    z
      .number()
      .finite()
      .min(-90, 'latitude must be within [-90, 90]')
      .max(90, 'latitude must be within [-90, 90]'),
  ])
  .rest(z.number().finite());

const ring = z
  .array(position)
  .min(4, 'a linear ring needs at least 4 positions')
  .refine((r) => r.length < 4 || (r[0]![0] === r[r.length - 1]![0] && r[0]![1] === r[r.length - 1]![1]), {
    message: 'a linear ring must be closed: its last position must equal its first',
  });

const polygon = z.object({
  type: z.literal('Polygon'),
  coordinates: z.array(ring).min(1, 'a polygon needs a ring'),
});
const multiPolygon = z.object({
  type: z.literal('MultiPolygon'),
  coordinates: z.array(z.array(ring).min(1)).min(1, 'a multipolygon needs a polygon'),
});

/** A zone as an operator submits it. Geometry is GeoJSON (RFC 7946) in WGS84. */
export const zoneInputSchema = z
  .object({
    name: z.string().min(1).max(200),
    kind: z.enum(['safe', 'danger']),
    geometry: z.discriminatedUnion('type', [polygon, multiPolygon], {
      message: 'geometry must be a GeoJSON Polygon or MultiPolygon',
    }),
    appliesTo: z.array(z.string().min(1).max(64)).max(1000).default([]),
    validFrom: z.coerce.date().nullable().default(null),
    validTo: z.coerce.date().nullable().default(null),
  })
  .refine((zone) => !zone.validFrom || !zone.validTo || zone.validTo > zone.validFrom, {
    message: 'validTo must be after validFrom',
    path: ['validTo'],
  });

export type ZoneInput = z.input<typeof zoneInputSchema>;
