import { z } from 'zod';
import { pageQuerySchema } from '../common/zod.js';
import { CONFIG_FIELDS } from '../devices/device.entity.js';

const text = (max = 200) => z.string().trim().min(1).max(max);
const longText = text(20_000);
const isoTime = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 time with a zone' });
const gbp = z.number().min(0).max(1e12);
const trl = z.number().int().min(1).max(9);

export const COMPETITION_TYPES = ['design-contest', 'sbri', 'open-call'] as const;
export const RECOMMENDATIONS = ['service-contract', 'further-development', 'stop'] as const;
export const SCORE_MAX = 10;

// Challenges: the problem, the outcomes wanted, never a solution.

const challengeFields = {
  title: text(),
  statement: longText,
  ownerOrganisation: text(),
  outcomesWanted: z.array(text(1000)).min(1).max(50),
  constraints: z.array(text(1000)).max(50),
  budgetGbp: gbp,
  timeline: z.array(z.object({ milestone: text(), date: z.iso.date() })).max(50),
};
export const challengeInputSchema = z.object({
  ...challengeFields,
  constraints: challengeFields.constraints.default([]),
  timeline: challengeFields.timeline.default([]),
});
/** Updates carry only what they change: no defaults, or a PATCH would reset fields it does not name. */
export const challengeUpdateSchema = z
  .object(challengeFields)
  .partial()
  .extend({ status: z.enum(['draft', 'published']).optional() });
export const challengeQuerySchema = pageQuerySchema.extend({
  status: z.enum(['draft', 'published']).optional(),
});

// Competitions

export const criterionSchema = z.object({
  name: text(),
  description: text(2000).default(''),
  weight: z.number().int().min(1).max(100),
});

/** Weights are percentages of the total score: they must add up to exactly 100. */
export const criteriaSchema = z
  .array(criterionSchema)
  .min(1)
  .max(30)
  .superRefine((criteria, context) => {
    const total = criteria.reduce((sum, criterion) => sum + criterion.weight, 0);
    if (total !== 100) {
      context.addIssue({
        code: 'custom',
        message: `criteria weights must sum to 100, they sum to ${total}`,
      });
    }
    const names = new Set<string>();
    criteria.forEach((criterion, index) => {
      if (names.has(criterion.name)) {
        context.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate ${criterion.name}` });
      }
      names.add(criterion.name);
    });
  });

const phaseFields = z.object({
  name: text(),
  opensAt: isoTime,
  closesAt: isoTime,
  budgetPerAwardGbp: gbp,
  awards: z.number().int().min(1).max(1000).default(1),
});
const closesAfterOpens = (phase: { opensAt?: string; closesAt?: string }) =>
  !phase.opensAt || !phase.closesAt || Date.parse(phase.closesAt) > Date.parse(phase.opensAt);
export const phaseSchema = phaseFields.refine(closesAfterOpens, {
  message: 'closesAt must be after opensAt',
  path: ['closesAt'],
});
export const phaseUpdateSchema = z
  .object({
    opensAt: isoTime.optional(),
    closesAt: isoTime.optional(),
    budgetPerAwardGbp: gbp.optional(),
    awards: z.number().int().min(1).max(1000).optional(),
  })
  .refine(closesAfterOpens, { message: 'closesAt must be after opensAt', path: ['closesAt'] });

export const eligibilityQuestionSchema = z.object({
  key: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'key must be lower-case letters, digits and dashes'),
  question: text(1000),
});

export const competitionInputSchema = z.object({
  challengeId: z.uuid(),
  title: text(),
  type: z.enum(COMPETITION_TYPES),
  phases: z
    .array(phaseSchema)
    .min(1)
    .max(10)
    .refine((phases) => new Set(phases.map((p) => p.name)).size === phases.length, 'phase names must differ'),
  criteria: criteriaSchema,
  eligibilityQuestions: z.array(eligibilityQuestionSchema).max(50).default([]),
});
export const competitionQuerySchema = pageQuerySchema.extend({ challengeId: z.uuid().optional() });
export const criteriaInputSchema = z.object({ criteria: criteriaSchema });
export const jurorInputSchema = z.object({ userId: z.uuid() });
export const declarationInputSchema = z.object({
  conflictSupplierIds: z.array(z.uuid()).max(200),
  statement: text(5000),
});

// Submissions

export const deviceConfigurationSchema = z.object(
  Object.fromEntries(CONFIG_FIELDS.map((field) => [field, text()])) as Record<
    (typeof CONFIG_FIELDS)[number],
    ReturnType<typeof text>
  >,
);

export const submissionInputSchema = z.object({
  phaseId: z.uuid(),
  /** Needed only when a manager submits on a supplier's behalf; a supplier submits as itself. */
  supplierId: z.uuid().optional(),
  productName: text(),
  solutionSummary: longText,
  claimedTrl: trl,
  trlEvidenceRefs: z.array(text(500)).max(100).default([]),
  attachmentSha256: z
    .array(z.string().regex(/^[0-9a-f]{64}$/, 'expected a lower-case hex sha256 from POST /attachments'))
    .max(100)
    .default([]),
  deviceConfiguration: deviceConfigurationSchema,
  eligibilityAnswers: z.record(z.string(), text(5000)).default({}),
});
export const submissionQuerySchema = pageQuerySchema.extend({
  competitionId: z.uuid().optional(),
  phaseId: z.uuid().optional(),
});

const scoreValue = z.number().min(0).max(SCORE_MAX);
export const scoresInputSchema = z.object({
  scores: z
    .array(z.object({ criterionId: z.uuid(), score: scoreValue, comment: text(5000) }))
    .min(1)
    .max(30),
});
export const moderationInputSchema = z.object({
  scores: z
    .array(z.object({ submissionId: z.uuid(), criterionId: z.uuid(), score: scoreValue, reason: text(5000) }))
    .min(1)
    .max(5000),
});

// Selection and outcome

export const selectionInputSchema = z.object({
  trialId: z.uuid(),
  submissions: z
    .array(z.object({ submissionId: z.uuid(), entryTrl: trl.optional() }))
    .min(1)
    .max(50),
});

export const outcomeInputSchema = z.object({
  trialId: z.uuid(),
  results: z
    .array(
      z.object({
        supplierId: z.uuid(),
        results: longText,
        exitTrl: trl,
        recommendation: z.enum(RECOMMENDATIONS),
        acceptanceReferences: z.array(text(500)).max(100).default([]),
      }),
    )
    .min(1)
    .max(50),
});

export const noticeQuerySchema = z.object({ format: z.enum(['html', 'pdf']).default('html') });
