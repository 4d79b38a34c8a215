/** How a report field is checked. */
export type ReportFieldKind = 'text' | 'markdown' | 'number' | 'list' | 'object';

export interface ReportField {
  key: string;
  kind: ReportFieldKind;
  required: boolean;
  description: string;
}

export interface ReportSection {
  key: string;
  title: string;
  fields: ReportField[];
}

const required = (key: string, kind: ReportFieldKind, description: string): ReportField => ({
  key,
  kind,
  required: true,
  description,
});
const optional = (key: string, kind: ReportFieldKind, description: string): ReportField => ({
  key,
  kind,
  required: false,
  description,
});

export const SUPPLIER_REPORT_TEMPLATE_NAME = 'supplier-trial-report';

/** Version 1 of the supplier trial report, section by section as DESIGN.md lists them. */
export const SUPPLIER_REPORT_SECTIONS_V1: ReportSection[] = [
  {
    key: 'control',
    title: 'Document control',
    fields: [
      required('documentReference', 'text', 'the supplier’s document number'),
      required('issue', 'text', 'issue or revision'),
      required('authors', 'list', 'author roles (no personal data needed beyond the organisation)'),
    ],
  },
  { key: 'summary', title: 'Summary', fields: [required('body', 'markdown', 'a one-page summary')] },
  {
    key: 'configuration',
    title: 'Configuration under test',
    fields: [
      required('hardwareRevision', 'text', 'hardware revision'),
      required('firmware', 'text', 'firmware version'),
      required('appVersion', 'text', 'app version'),
      required('alertMode', 'text', 'alert mode'),
      optional('notes', 'markdown', 'anything else that differs from the accepted configuration'),
    ],
  },
  {
    key: 'objectives',
    title: 'Objectives and criteria',
    fields: [
      required('objectives', 'list', 'what the trial set out to show'),
      required('criteria', 'markdown', 'the success criteria and how each was judged'),
    ],
  },
  {
    key: 'method',
    title: 'Method',
    fields: [required('body', 'markdown', 'sites, scenarios, sessions, tools')],
  },
  {
    key: 'safety',
    title: 'Safety',
    fields: [
      required('hazards', 'list', 'hazards identified and their controls'),
      required('incidents', 'markdown', 'safety incidents during the trial (or none)'),
    ],
  },
  {
    key: 'technicalResults',
    title: 'Technical results',
    fields: [
      required('body', 'markdown', 'results against each criterion'),
      optional('kpis', 'object', 'the supplier’s own figures (Lookout’s measured KPIs are authoritative)'),
    ],
  },
  {
    key: 'reliability',
    title: 'Reliability and environment',
    fields: [required('body', 'markdown', 'failures, battery, weather, environment classes')],
  },
  {
    key: 'humanFactors',
    title: 'Human factors',
    fields: [required('body', 'markdown', 'comfort, alerts, trust')],
  },
  {
    key: 'integration',
    title: 'Operational integration',
    fields: [required('body', 'markdown', 'fit with safe systems of work and other equipment')],
  },
  {
    key: 'deviations',
    title: 'Deviations',
    fields: [required('body', 'markdown', 'departures from the plan and their effect (or none)')],
  },
  {
    key: 'trlSelfAssessment',
    title: 'TRL self-assessment',
    fields: [
      required('claimedLevel', 'number', 'the TRL the supplier claims'),
      required('justification', 'markdown', 'criterion by criterion, with evidence'),
    ],
  },
  { key: 'recommendations', title: 'Recommendations', fields: [required('body', 'markdown', 'next steps')] },
  {
    key: 'annexes',
    title: 'Annexes',
    fields: [optional('list', 'list', 'annex titles; files go in attachments')],
  },
];

export interface FieldIssue {
  path: string;
  message: string;
}

function checkField(field: ReportField, value: unknown): string | null {
  if (value === undefined || value === null) return field.required ? `required (${field.description})` : null;
  switch (field.kind) {
    case 'text':
    case 'markdown':
      if (typeof value !== 'string') return `expected ${field.kind} as a string`;
      return field.required && value.trim() === '' ? `required (${field.description})` : null;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'expected a number';
    case 'list':
      if (!Array.isArray(value)) return 'expected a list';
      return field.required && value.length === 0
        ? `required: at least one entry (${field.description})`
        : null;
    case 'object':
      return typeof value === 'object' && !Array.isArray(value) ? null : 'expected an object';
    default: {
      const unreachable: never = field.kind;
      throw new Error(`unknown field kind ${String(unreachable)}`);
    }
  }
}

/** Every problem with a submission against a template, with paths like `sections.safety.hazards`. */
export function validateReportSections(
  template: readonly ReportSection[],
  sections: Record<string, unknown>,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const known = new Map(template.map((section) => [section.key, section]));
  for (const key of Object.keys(sections)) {
    if (!known.has(key)) issues.push({ path: `sections.${key}`, message: `not a section of this template` });
  }
  for (const section of template) {
    const raw = sections[section.key];
    if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
      issues.push({ path: `sections.${section.key}`, message: 'expected an object of fields' });
      continue;
    }
    const values = (raw ?? {}) as Record<string, unknown>;
    const fields = new Set(section.fields.map((field) => field.key));
    for (const key of Object.keys(values)) {
      if (!fields.has(key))
        issues.push({ path: `sections.${section.key}.${key}`, message: 'not a field of this section' });
    }
    for (const field of section.fields) {
      const problem = checkField(field, values[field.key]);
      if (problem) issues.push({ path: `sections.${section.key}.${field.key}`, message: problem });
    }
  }
  return issues;
}

/** A version as stable text, one block per section, for line diffs between versions. */
export function renderReportText(
  template: readonly ReportSection[],
  sections: Record<string, unknown>,
): string {
  const blocks: string[] = [];
  for (const section of template) {
    const values = (sections[section.key] ?? {}) as Record<string, unknown>;
    const lines = [`## ${section.title} [${section.key}]`];
    for (const field of section.fields) {
      const value = values[field.key];
      if (value === undefined) continue;
      lines.push(`### ${field.key}`);
      lines.push(typeof value === 'string' ? value : JSON.stringify(value, null, 2));
    }
    blocks.push(lines.join('\n'));
  }
  return `${blocks.join('\n\n')}\n`;
}
