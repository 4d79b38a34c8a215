import { z } from 'zod';
import { pageQuerySchema } from '../common/zod.js';
import { COMPARATORS, ENVIRONMENTS } from './trials.entities.js';

const text = (max = 200) => z.string().trim().min(1).max(max);
const isoTime = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 time with a zone' });

export const supplierInputSchema = z.object({ name: text() });

export const phaseSchema = z.object({
  name: text(),
  from: isoTime.nullable().default(null),
  to: isoTime.nullable().default(null),
});

export const trialInputSchema = z.object({
  name: text(),
  sponsor: text(),
  phases: z.array(phaseSchema).max(20).default([]),
  dpiaReference: text().nullable().default(null),
  retentionDays: z.number().int().min(1).max(3650).default(365),
});
/** Updates carry only what they change: no defaults, or a PATCH would reset fields it does not name. */
export const trialUpdateSchema = z.object({
  name: text().optional(),
  sponsor: text().optional(),
  phases: z.array(phaseSchema).max(20).optional(),
  dpiaReference: text().nullable().optional(),
  retentionDays: z.number().int().min(1).max(3650).optional(),
  status: z.enum(['draft', 'active', 'closed']).optional(),
});
export const trialQuerySchema = pageQuerySchema.extend({
  status: z.enum(['draft', 'active', 'closed']).optional(),
});
export const trialSupplierSchema = z.object({ supplierId: z.uuid() });

export const siteInputSchema = z
  .object({
    trialId: z.uuid(),
    name: text(),
    route: text(),
    elr: z.string().regex(/^[A-Z]{2,4}[0-9]?$/, 'elr must be an engineer\'s line reference like "ECM1"'),
    mileageFrom: z.number().min(0).max(9999),
    mileageTo: z.number().min(0).max(9999),
    environment: z.enum(ENVIRONMENTS),
  })
  .refine((site) => site.mileageTo >= site.mileageFrom, {
    message: 'mileageTo must be >= mileageFrom',
    path: ['mileageTo'],
  });
export const siteUpdateSchema = z.object({
  name: text().optional(),
  route: text().optional(),
  environment: z.enum(ENVIRONMENTS).optional(),
});
export const byTrialQuerySchema = pageQuerySchema.extend({ trialId: z.uuid().optional() });

export const workerInputSchema = z.object({ trialId: z.uuid() });

export const enrolmentInputSchema = z.object({
  trialId: z.uuid(),
  deviceId: z.string().min(1).max(64),
  workerId: z.uuid().nullable().default(null),
  validFrom: z.coerce.date(),
  validTo: z.coerce.date().nullable().default(null),
});
export const enrolmentUpdateSchema = z.object({ validTo: z.coerce.date().nullable() });
export const enrolmentQuerySchema = byTrialQuerySchema.extend({ deviceId: z.string().optional() });

export const scenarioInputSchema = z.object({
  trialId: z.uuid(),
  name: text(),
  description: z.string().max(5000).default(''),
  steps: z.array(text(1000)).max(100).default([]),
});
export const scenarioUpdateSchema = z.object({
  name: text().optional(),
  description: z.string().max(5000).optional(),
  steps: z.array(text(1000)).max(100).optional(),
});

export const sessionInputSchema = z
  .object({
    trialId: z.uuid(),
    siteId: z.uuid(),
    scenarioId: z.uuid().nullable().default(null),
    plannedStart: z.coerce.date(),
    plannedEnd: z.coerce.date(),
    deviceIds: z.array(z.string().min(1).max(64)).max(500).default([]),
    workerIds: z.array(z.uuid()).max(500).default([]),
  })
  .refine((s) => s.plannedEnd > s.plannedStart, {
    message: 'plannedEnd must be after plannedStart',
    path: ['plannedEnd'],
  });
export const sessionUpdateSchema = z.object({
  status: z.enum(['planned', 'running', 'completed', 'aborted']).optional(),
  plannedStart: z.coerce.date().optional(),
  plannedEnd: z.coerce.date().optional(),
  deviceIds: z.array(z.string().min(1).max(64)).max(500).optional(),
  workerIds: z.array(z.uuid()).max(500).optional(),
});
export const sessionQuerySchema = byTrialQuerySchema.extend({
  siteId: z.uuid().optional(),
  status: z.enum(['planned', 'running', 'completed', 'aborted']).optional(),
});

export const criterionInputSchema = z.object({
  trialId: z.uuid(),
  metric: text(),
  comparator: z.enum(COMPARATORS),
  threshold: z.number().finite(),
  unit: text(50),
  description: z.string().max(2000).default(''),
});
export const criterionUpdateSchema = z.object({
  metric: text().optional(),
  comparator: z.enum(COMPARATORS).optional(),
  threshold: z.number().finite().optional(),
  unit: text(50).optional(),
  description: z.string().max(2000).optional(),
});
