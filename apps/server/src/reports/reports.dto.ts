import { z } from 'zod';
import { pageQuerySchema } from '../common/zod.js';
import { sha256Schema } from '../evidence/evidence.dto.js';

const sections = z.record(z.string(), z.unknown());

export const reportTemplateInputSchema = z.strictObject({
  name: z.string().min(1).max(100),
  sections: z
    .array(
      z.strictObject({
        key: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/),
        title: z.string().min(1),
        fields: z.array(
          z.strictObject({
            key: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/),
            kind: z.enum(['text', 'markdown', 'number', 'list', 'object']),
            required: z.boolean(),
            description: z.string().default(''),
          }),
        ),
      }),
    )
    .min(1),
});

export const reportInputSchema = z.strictObject({
  trialId: z.uuid(),
  /** Defaults to the latest version of the supplier trial report template. */
  templateId: z.uuid().optional(),
  title: z.string().min(1).max(300),
  sections,
  attachments: z.array(sha256Schema).max(50).default([]),
});

export const reportVersionInputSchema = z.strictObject({
  sections,
  attachments: z.array(sha256Schema).max(50).default([]),
});

export const reviewInputSchema = z
  .strictObject({
    decision: z.enum(['changes-requested', 'accepted']),
    /** Comments per section key; `general` for the report as a whole. */
    comments: z.record(z.string(), z.string().min(1).max(10_000)).default({}),
  })
  .refine((value) => value.decision === 'accepted' || Object.keys(value.comments).length > 0, {
    message: 'say what to change: at least one comment',
    path: ['comments'],
  });

export const reportQuerySchema = pageQuerySchema.extend({ trialId: z.uuid().optional() });

export const diffQuerySchema = z.object({
  from: z.coerce.number().int().min(1),
  to: z.coerce.number().int().min(1),
});
