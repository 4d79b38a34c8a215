import { renderReportText, SUPPLIER_REPORT_SECTIONS_V1, validateReportSections } from './report.template.js';

describe('supplier report template', () => {
  it('names each missing required field', () => {
    const issues = validateReportSections(SUPPLIER_REPORT_SECTIONS_V1, {
      safety: { incidents: 'none' },
      summary: { body: '   ' },
      bogus: {},
    });
    const paths = issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining(['sections.safety.hazards', 'sections.summary.body', 'sections.bogus']),
    );
    expect(paths).not.toContain('sections.safety.incidents');
    expect(paths).not.toContain('sections.annexes.list');
  });

  it('renders sections in template order for diffs', () => {
    const text = renderReportText(SUPPLIER_REPORT_SECTIONS_V1, { summary: { body: 'All good.' } });
    expect(text).toContain('## Summary [summary]\n### body\nAll good.');
  });
});
