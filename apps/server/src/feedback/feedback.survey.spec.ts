import { aggregateAnswers, validateAnswers, WORKER_SURVEY_ITEMS_V1 } from './feedback.survey.js';

const answer = (score: number) => ({
  comfort: score,
  alertNoticeability: score,
  nuisanceAlerts: score,
  battery: score,
  trust: score,
});

describe('worker survey', () => {
  it('requires every Likert item in range and refuses unknown questions (e.g. a name)', () => {
    expect(validateAnswers(WORKER_SURVEY_ITEMS_V1, answer(3))).toEqual([]);
    const issues = validateAnswers(WORKER_SURVEY_ITEMS_V1, { ...answer(3), comfort: 6, name: 'Alice' });
    expect(issues.map((issue) => issue.path).sort()).toEqual(['answers.comfort', 'answers.name']);
  });

  it('suppresses a group of four and shows a group of five', () => {
    const four = [1, 2, 3, 4].map(answer);
    expect(aggregateAnswers(WORKER_SURVEY_ITEMS_V1, four).every((question) => question.suppressed)).toBe(
      true,
    );
    const five = aggregateAnswers(WORKER_SURVEY_ITEMS_V1, [1, 2, 3, 4, 5].map(answer));
    expect(five[0]).toEqual({
      key: 'comfort',
      prompt: expect.any(String),
      suppressed: false,
      responses: 5,
      mean: 3,
      distribution: { 1: 1, 2: 1, 3: 1, 4: 1, 5: 1 },
    });
    expect(five.map((question) => question.key)).not.toContain('comments');
  });
});
