import { z } from 'zod';
import { pageQuerySchema } from '../common/zod.js';

export const EVIDENCE_TYPES = [
  'measurement',
  'test-certificate',
  'observation',
  'feedback-summary',
  'report-section',
  'kpi-snapshot',
] as const;
export type EvidenceType = (typeof EVIDENCE_TYPES)[number];

/** Measured by Lookout, never typed in by a supplier. */
export const MANAGER_ONLY_TYPES: readonly EvidenceType[] = ['kpi-snapshot', 'feedback-summary'];

export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex sha256');
const jsonObject = z.record(z.string(), z.unknown());

export const evidenceInputSchema = z
  .strictObject({
    trialId: z.uuid(),
    type: z.enum(EVIDENCE_TYPES),
    supplierId: z.uuid().optional(),
    deviceModelId: z.uuid().optional(),
    deviceConfigId: z.uuid().optional(),
    /** The configuration under test when there is no device_config row for it. */
    config: jsonObject.optional(),
    scaleId: z.string().min(1).max(64).optional(),
    level: z.number().int().min(1).max(20).optional(),
    criterionId: z.string().min(1).max(200).optional(),
    content: jsonObject,
    attachments: z.array(sha256Schema).max(50).default([]),
  })
  .refine((value) => value.level === undefined || value.scaleId !== undefined, {
    message: 'a level needs its scaleId',
    path: ['scaleId'],
  });

export const evidenceQuerySchema = pageQuerySchema.extend({
  trialId: z.uuid().optional(),
  supplierId: z.uuid().optional(),
  deviceModelId: z.uuid().optional(),
  type: z.enum(EVIDENCE_TYPES).optional(),
});

export const verifyQuerySchema = z.object({ trialId: z.uuid().optional() });

export const attachmentInputSchema = z.object({
  trialId: z.uuid(),
  supplierId: z.uuid().optional(),
  /** Overrides the part's Content-Type; text types (CSV, Markdown) are decided by it. */
  mediaType: z.string().max(100).optional(),
});

export const attachmentQuerySchema = pageQuerySchema.extend({ trialId: z.uuid().optional() });

export const assessmentInputSchema = z
  .strictObject({
    deviceModelId: z.uuid(),
    trialId: z.uuid().optional(),
    deviceConfigId: z.uuid().optional(),
    config: z.record(z.string(), z.string()).optional(),
    criteriaSetId: z.string().default('wearable-safety-v1'),
    claimedLevel: z.number().int().min(1).max(20),
    assessedAt: z.coerce.date().optional(),
    notes: z.string().max(10_000).default(''),
    responses: z
      .array(
        z.strictObject({
          criterionId: z.string().min(1),
          response: z.enum(['met', 'partial', 'not-met']),
          evidenceIds: z.array(z.uuid()).max(100).default([]),
          note: z.string().max(5_000).optional(),
        }),
      )
      .min(1),
  })
  .refine((value) => value.deviceConfigId !== undefined || value.config !== undefined, {
    message: 'name the configuration under test: deviceConfigId or config',
    path: ['deviceConfigId'],
  });

export const assessmentQuerySchema = pageQuerySchema.extend({
  deviceModelId: z.uuid().optional(),
  trialId: z.uuid().optional(),
});
