import { z } from 'zod';
import { CODECS } from '../../../../devices/src/index.js';
import { deviceIdSchema } from '../../../../libs/telemetry/src/index.js';
import { pageQuerySchema } from '../common/zod.js';

const text = (max = 200) => z.string().trim().min(1).max(max);
const codecName = z
  .string()
  .refine((name) => CODECS.has(name), { message: `codec must be one of ${[...CODECS.keys()].join(', ')}` });

export const configurationSchema = z.object({
  hardwareRevision: text(),
  firmware: text(),
  appVersion: text(),
  gnssReceiver: text(),
  correctionService: text(),
  alertMode: text(),
});

export const deviceModelInputSchema = z.object({
  supplierId: z.uuid(),
  name: text(),
  codec: codecName.default('canonical-json'),
});
export const deviceModelUpdateSchema = z.object({
  name: text().optional(),
  codec: codecName.optional(),
  acceptedConfig: configurationSchema.nullable().optional(),
});
export const deviceModelQuerySchema = pageQuerySchema.extend({ supplierId: z.uuid().optional() });

export const deviceInputSchema = z.object({
  id: deviceIdSchema,
  modelId: z.uuid(),
  serial: text(100),
  name: z.string().max(200).default(''),
  codec: codecName.optional(),
  groups: z.array(text(64)).max(32).default([]),
});
export const deviceUpdateSchema = z.object({
  name: z.string().max(200).optional(),
  codec: codecName.optional(),
  groups: z.array(text(64)).max(32).optional(),
});
export const deviceQuerySchema = pageQuerySchema.extend({
  modelId: z.uuid().optional(),
  supplierId: z.uuid().optional(),
});

export const deviceConfigInputSchema = configurationSchema.extend({ effectiveFrom: z.coerce.date() });
