/** One survey question: a 1-5 Likert item or free text. */
export type SurveyItem =
  | { key: string; kind: 'likert'; prompt: string; min: 1; max: 5; lowLabel: string; highLabel: string }
  | { key: string; kind: 'text'; prompt: string; maxLength: number };

export const WORKER_SURVEY_NAME = 'worker-feedback';

const likert = (key: string, prompt: string, lowLabel: string, highLabel: string): SurveyItem => ({
  key,
  kind: 'likert',
  prompt,
  min: 1,
  max: 5,
  lowLabel,
  highLabel,
});

export const WORKER_SURVEY_ITEMS_V1: SurveyItem[] = [
  likert(
    'comfort',
    'How comfortable was the device to wear for the shift?',
    'very uncomfortable',
    'very comfortable',
  ),
  likert('alertNoticeability', 'How easy was it to notice an alert?', 'missed alerts', 'always noticed'),
  likert('nuisanceAlerts', 'How often did it alert when you were safe?', 'very often', 'never'),
  likert('battery', 'Did the battery last the shift?', 'never', 'always'),
  likert('trust', 'How far would you trust the device to warn you?', 'not at all', 'completely'),
  { key: 'comments', kind: 'text', prompt: 'Anything else? (please do not name anyone)', maxLength: 2000 },
];

/** Groups smaller than this are never shown: a mean over three people can identify a person. */
export const MIN_GROUP_SIZE = 5;

export interface FieldIssue {
  path: string;
  message: string;
}

/** Problems with one response's answers (every Likert item required, free text optional). */
export function validateAnswers(
  items: readonly SurveyItem[],
  answers: Record<string, unknown>,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const keys = new Set(items.map((item) => item.key));
  for (const key of Object.keys(answers)) {
    if (!keys.has(key)) issues.push({ path: `answers.${key}`, message: 'not a question of this survey' });
  }
  for (const item of items) {
    const value = answers[item.key];
    if (item.kind === 'likert') {
      if (!Number.isInteger(value) || (value as number) < item.min || (value as number) > item.max) {
        issues.push({
          path: `answers.${item.key}`,
          message: `expected a whole number ${item.min}-${item.max}`,
        });
      }
    } else if (value !== undefined && (typeof value !== 'string' || value.length > item.maxLength)) {
      issues.push({
        path: `answers.${item.key}`,
        message: `expected text of at most ${item.maxLength} characters`,
      });
    }
  }
  return issues;
}

export type QuestionAggregate =
  | {
      key: string;
      prompt: string;
      suppressed: false;
      responses: number;
      mean: number;
      distribution: Record<string, number>;
    }
  | { key: string; prompt: string; suppressed: true; reason: string };

/**
 * Per Likert question: mean and distribution over the group, or nothing but `suppressed` when fewer than
 * `minGroupSize` answered. Free text is never aggregated or returned here.
 */
export function aggregateAnswers(
  items: readonly SurveyItem[],
  responses: readonly Record<string, unknown>[],
  minGroupSize = MIN_GROUP_SIZE,
): QuestionAggregate[] {
  return items.flatMap((item): QuestionAggregate[] => {
    if (item.kind !== 'likert') return [];
    const values = responses
      .map((answers) => answers[item.key])
      .filter((value): value is number => Number.isInteger(value));
    if (values.length < minGroupSize) {
      return [
        {
          key: item.key,
          prompt: item.prompt,
          suppressed: true,
          reason: `fewer than ${minGroupSize} responses`,
        },
      ];
    }
    const distribution: Record<string, number> = {};
    for (let score = item.min; score <= item.max; score += 1) distribution[String(score)] = 0;
    for (const value of values) distribution[String(value)] = (distribution[String(value)] ?? 0) + 1;
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    return [
      {
        key: item.key,
        prompt: item.prompt,
        suppressed: false,
        responses: values.length,
        mean: Math.round(mean * 100) / 100,
        distribution,
      },
    ];
  });
}
