import { z } from 'zod';
import { pageQuerySchema } from '../common/zod.js';

/** Worker feedback is keyed by pseudonymous worker id only: there is no field a name could go in. */
export const feedbackInputSchema = z.strictObject({
  templateId: z.uuid().optional(),
  sessionId: z.uuid(),
  workerId: z.uuid(),
  /** Whose device the worker wore; aggregates per supplier use it. */
  supplierId: z.uuid().optional(),
  answers: z.record(z.string(), z.unknown()),
});

export const aggregateQuerySchema = z.object({
  trialId: z.uuid(),
  templateId: z.uuid().optional(),
  sessionId: z.uuid().optional(),
  supplierId: z.uuid().optional(),
});

export const feedbackQuerySchema = pageQuerySchema.extend({ trialId: z.uuid() });
