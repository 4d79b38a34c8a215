import { alertTimeline, errorCdf, latencyHistogram, shareBars } from './kpi-plots.js';
import { renderKpiReport, type ReportData } from './kpi-report.html.js';

const base: ReportData = {
  generatedAt: '2026-01-01T00:00:00.000Z',
  trial: { id: 't1', name: 'Cess <trial>', sponsor: 'Sponsor', status: 'active', dpiaReference: 'DPIA-1' },
  supplier: { id: 's1', name: 'Acme' },
  sessions: [
    {
      site: 'Up cess',
      environment: 'open',
      scenario: 'step',
      status: 'completed',
      start: 'a',
      end: 'b',
      devices: 1,
    },
  ],
  configurations: [],
  criteria: [],
  bySupplier: [],
  availabilityBySite: [
    {
      key: 'x',
      label: 'Up cess',
      expectedFixes: 10,
      receivedFixes: 9,
      accurateFixes: 9,
      availability: 0.9,
      fixIntervalP50S: 1,
      fixIntervalP95S: 1,
      fixIntervalMaxS: 2,
      dropouts: 0,
      regainP50S: null,
      regainP95S: null,
      regainMaxS: null,
    },
  ],
  byDevice: [],
  crossings: [
    {
      key: 'd1',
      deviceId: 'd1',
      zoneRef: 'cess',
      timeOut: '2026-01-01T00:00:10Z',
      timeBackIn: '2026-01-01T00:00:20Z',
      durationMs: 10_000,
      lookoutAt: '2026-01-01T00:00:11Z',
      lookoutDetectedAt: null,
      breachMarginM: 1,
      deviceBreachMarginM: 2,
      deviceBreachPositionSource: 'ground-truth',
      deviceAlertAt: '2026-01-01T00:00:12Z',
      ackLatencyMs: null,
    },
  ],
  falseAlerts: [{ key: 'd1', source: 'device', deviceId: 'd1', at: '2026-01-01T00:00:40Z' }],
  provenance: [],
};

describe('KPI report', () => {
  it('escapes names, embeds the four SVG plots and hides worker-level figures below five workers', () => {
    const html = renderKpiReport(base);
    expect(html).toContain('Cess &lt;trial&gt;');
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html).toContain('Worker-level results hidden: fewer than 5 workers');
    expect(html).toContain('90%');
  });

  it('draws each plot from data, and says so when there is none', () => {
    expect(latencyHistogram([{ name: 'device', values: [1, 1.5, 2] }])).toMatch(/<rect /);
    expect(shareBars([{ label: 'a', value: 0.5 }], 'availability')).toContain('50%');
    expect(
      errorCdf([
        {
          name: 'A',
          cdf: [
            { quantile: 0, errorM: 0 },
            { quantile: 1, errorM: 2 },
          ],
        },
      ]),
    ).toMatch(/<path d="M/);
    expect(alertTimeline([])).toContain('no data');
    expect(latencyHistogram([])).toContain('no data');
  });
});
