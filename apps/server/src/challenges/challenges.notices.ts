import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { escapeHtml as e, htmlDocument } from '../rendering/html.js';
import { PdfRenderer } from '../rendering/pdf.renderer.js';
import type {
  ChallengeRow,
  CompetitionRow,
  CriterionRow,
  PhaseRow,
  SelectionRow,
  TrialSummary,
} from './challenges.repository.js';
import { ChallengesRepository } from './challenges.repository.js';
import { CompetitionsService, invalidState } from './competitions.service.js';
import { SubmissionsService } from './submissions.service.js';

export interface RenderedNotice {
  mediaType: 'text/html' | 'application/pdf';
  filename: string;
  body: Buffer;
}

const TYPE_NAMES: Record<CompetitionRow['type'], string> = {
  'design-contest': 'Design contest',
  sbri: 'SBRI competition',
  'open-call': 'Open call',
};

export const gbp = (amount: number) =>
  `£${amount.toLocaleString('en-GB', { minimumFractionDigits: 0, maximumFractionDigits: 2 })}`;
const time = (at: Date) =>
  at
    .toISOString()
    .replace('T', ' ')
    .replace(/:\d\d\.\d+Z$/, ' UTC');
const list = (items: readonly string[]) => `<ul>${items.map((item) => `<li>${e(item)}</li>`).join('')}</ul>`;

/** The contest notice: what the buyer wants, the rules, the deadlines. Built only from stored data. */
export function contestNoticeHtml(
  challenge: ChallengeRow,
  competition: CompetitionRow,
  phases: readonly PhaseRow[],
  criteria: readonly CriterionRow[],
): string {
  const title = `${TYPE_NAMES[competition.type]}: ${competition.title}`;
  const body = `<h1>${e(title)}</h1>
<p>Issued by ${e(challenge.ownerOrganisation)} for the challenge <strong>${e(challenge.title)}</strong>.
Status: ${e(competition.status)}.</p>
<h2>The challenge</h2><p>${e(challenge.statement)}</p>
<h2>Outcomes wanted</h2>${list(challenge.outcomesWanted)}
${challenge.constraints.length ? `<h2>Constraints</h2>${list(challenge.constraints)}` : ''}
<h2>Budget and timeline</h2><p>Total budget ${e(gbp(challenge.budgetGbp))}.</p>
${
  challenge.timeline.length
    ? `<table><tr><th>Milestone</th><th>Date</th></tr>${challenge.timeline
        .map((m) => `<tr><td>${e(m.milestone)}</td><td>${e(m.date)}</td></tr>`)
        .join('')}</table>`
    : ''
}
<h2>Phases</h2><table><tr><th>Phase</th><th>Opens</th><th>Deadline</th><th>Budget per award</th><th>Awards</th></tr>
${phases
  .map(
    (p) =>
      `<tr><td>${e(p.name)}</td><td>${e(time(p.opensAt))}</td><td>${e(time(p.closesAt))}</td>` +
      `<td>${e(gbp(p.budgetPerAwardGbp))}</td><td>${p.awards}</td></tr>`,
  )
  .join('')}</table>
<h2>Assessment criteria</h2><table><tr><th>Criterion</th><th>Weight</th><th>What is assessed</th></tr>
${criteria.map((c) => `<tr><td>${e(c.name)}</td><td>${c.weight}%</td><td>${e(c.description)}</td></tr>`).join('')}</table>
<p>Each juror scores each criterion from 0 to 10; a submission's score is the weighted sum of its moderated
scores. Jurors declare conflicts of interest and do not score suppliers they are conflicted with.</p>
${
  competition.eligibilityQuestions.length
    ? `<h2>Eligibility</h2><ol>${competition.eligibilityQuestions.map((q) => `<li>${e(q.question)}</li>`).join('')}</ol>`
    : ''
}
<p>Submissions received after a phase's deadline are refused.</p>`;
  return htmlDocument(title, body);
}

export interface RankedPhase {
  phase: PhaseRow;
  items: {
    rank: number;
    tied: boolean;
    weightedScore: number;
    supplierName: string;
    productName: string;
    submissionId: string;
  }[];
}

/** The results notice: per moderated phase, the ranking with its weighted scores, and who was selected. */
export function resultsNoticeHtml(
  challenge: ChallengeRow,
  competition: CompetitionRow,
  criteria: readonly CriterionRow[],
  ranked: readonly RankedPhase[],
  selections: readonly SelectionRow[],
  trials: readonly TrialSummary[],
): string {
  const title = `Results: ${competition.title}`;
  const selected = new Map(selections.map((s) => [s.submissionId, s]));
  const trialName = new Map(trials.map((t) => [t.id, t.name]));
  const body = `<h1>${e(title)}</h1>
<p>${e(TYPE_NAMES[competition.type])} issued by ${e(challenge.ownerOrganisation)} for the challenge
<strong>${e(challenge.title)}</strong>.</p>
<p>Weights: ${criteria.map((c) => `${e(c.name)} ${c.weight}%`).join(', ')}. Scores are out of 10; equal weighted
scores share a rank.</p>
${ranked
  .map(
    ({ phase, items }) => `<h2>${e(phase.name)}</h2>
<p>Moderated ${e(time(phase.moderatedAt!))}. ${phase.awards} award(s) of up to ${e(gbp(phase.budgetPerAwardGbp))}.</p>
<table><tr><th>Rank</th><th>Supplier</th><th>Solution</th><th>Weighted score</th><th>Selected</th></tr>
${items
  .map((item) => {
    const selection = selected.get(item.submissionId);
    return (
      `<tr><td>${item.rank}${item.tied ? '=' : ''}</td><td>${e(item.supplierName)}</td><td>${e(item.productName)}</td>` +
      `<td>${item.weightedScore.toFixed(2)}</td><td>${
        selection
          ? `trial ${e(trialName.get(selection.trialId) ?? selection.trialId)}, entry TRL ${selection.entryTrl}`
          : ''
      }</td></tr>`
    );
  })
  .join('')}</table>`,
  )
  .join('')}`;
  return htmlDocument(title, body);
}

@Injectable()
export class NoticesService {
  constructor(
    private readonly repository: ChallengesRepository,
    private readonly competitions: CompetitionsService,
    private readonly submissions: SubmissionsService,
    private readonly pdf: PdfRenderer,
  ) {}

  async contestNotice(principal: Principal, competitionId: string, format: 'html' | 'pdf') {
    const competition = await this.competitions.visibleCompetition(principal, competitionId);
    const challenge = (await this.repository.challenge(competition.challengeId))!;
    const [phases, criteria] = await Promise.all([
      this.repository.phases(competitionId),
      this.repository.criteria(competitionId),
    ]);
    return this.render(
      contestNoticeHtml(challenge, competition, phases, criteria),
      `notice-${competitionId}`,
      format,
    );
  }

  async resultsNotice(principal: Principal, competitionId: string, format: 'html' | 'pdf') {
    const competition = await this.competitions.visibleCompetition(principal, competitionId);
    const challenge = (await this.repository.challenge(competition.challengeId))!;
    const phases = (await this.repository.phases(competitionId)).filter((phase) => phase.moderatedAt);
    if (phases.length === 0) throw invalidState(`competition ${competitionId} has no moderated phase yet`);
    const ranked = await Promise.all(
      phases.map(async (phase) => ({ phase, items: (await this.submissions.rankPhase(phase)).items })),
    );
    const selections = await this.repository.selections({ competitionIds: [competitionId] });
    const trials = await this.repository.trials([...new Set(selections.map((s) => s.trialId))]);
    const criteria = await this.repository.criteria(competitionId);
    const html = resultsNoticeHtml(challenge, competition, criteria, ranked, selections, trials);
    return this.render(html, `results-${competitionId}`, format);
  }

  private async render(html: string, name: string, format: 'html' | 'pdf'): Promise<RenderedNotice> {
    if (format === 'html')
      return { mediaType: 'text/html', filename: `${name}.html`, body: Buffer.from(html) };
    return { mediaType: 'application/pdf', filename: `${name}.pdf`, body: await this.pdf.render(html) };
  }
}
