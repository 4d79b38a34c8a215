import { escapeHtml, htmlDocument } from '../../rendering/html.js';
import type { SupplierCriteria } from '../kpi.service.js';
import type {
  AvailabilityGroup,
  CrossingScore,
  DetectionGroup,
  FalseAlert,
  KpiSummary,
} from '../kpi.types.js';
import { alertTimeline, errorCdf, latencyHistogram, shareBars, type TimelineRow } from './kpi-plots.js';

/** Worker-level figures are shown only for groups of at least this many workers (no one is singled out). */
export const MIN_WORKERS_PER_GROUP = 5;

export interface ReportData {
  generatedAt: string;
  trial: { id: string; name: string; sponsor: string; status: string; dpiaReference: string | null };
  /** null: the whole trial. */
  supplier: { id: string; name: string } | null;
  sessions: {
    site: string;
    environment: string;
    scenario: string | null;
    status: string;
    start: string;
    end: string;
    devices: number;
  }[];
  configurations: Record<string, unknown>[];
  criteria: SupplierCriteria[];
  bySupplier: KpiSummary[];
  availabilityBySite: AvailabilityGroup[];
  byDevice: DetectionGroup[];
  crossings: CrossingScore[];
  falseAlerts: FalseAlert[];
  provenance: Record<string, unknown>[];
}

const f = (value: number | null | undefined, digits = 2) =>
  value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
const pct = (value: number | null | undefined) =>
  value === null || value === undefined ? 'n/a' : `${(value * 100).toFixed(1)}%`;

function table(headers: string[], rows: (string | number)[][]): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const figure = (svg: string, caption: string) =>
  `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;

function timelineRows(crossings: CrossingScore[], falseAlerts: FalseAlert[]): TimelineRow[] {
  const rows = new Map<string, TimelineRow>();
  const row = (deviceId: string) => {
    let r = rows.get(deviceId);
    if (!r) rows.set(deviceId, (r = { deviceId, crossings: [], lookout: [], device: [], falseAlerts: [] }));
    return r;
  };
  for (const c of crossings) {
    const r = row(c.deviceId);
    const from = Date.parse(c.timeOut);
    r.crossings.push({ fromMs: from, toMs: c.timeBackIn ? Date.parse(c.timeBackIn) : from + c.durationMs });
    if (c.lookoutAt) r.lookout.push(Date.parse(c.lookoutAt));
    if (c.deviceAlertAt) r.device.push(Date.parse(c.deviceAlertAt));
  }
  for (const alert of falseAlerts)
    row(alert.deviceId).falseAlerts.push({ atMs: Date.parse(alert.at), source: alert.source });
  return [...rows.values()].sort((a, b) => a.deviceId.localeCompare(b.deviceId));
}

/** The trial's own report (DESIGN.md "Trials, evidence and reports"), self-contained HTML with inline SVG. */
export function renderKpiReport(data: ReportData): string {
  const scope = data.supplier ? data.supplier.name : 'all suppliers';
  const title = `Trial report: ${data.trial.name} (${scope})`;
  const exposureHours = data.bySupplier.reduce((sum, s) => sum + (s.detection?.exposureHours ?? 0), 0);
  const latencies = (pick: (c: CrossingScore) => string | null) =>
    data.crossings.filter((c) => pick(c)).map((c) => (Date.parse(pick(c)!) - Date.parse(c.timeOut)) / 1000);
  const criteriaRows = data.criteria.flatMap((supplier) =>
    supplier.results.map((r) => [
      supplier.supplierName,
      r.metric,
      `${r.comparator} ${r.threshold} ${r.unit}`,
      r.value === null ? 'n/a' : `${f(r.value, 3)} ${r.unit}`,
      r.verdict.toUpperCase(),
      r.link ?? '',
    ]),
  );
  const drift = data.bySupplier.reduce((sum, s) => sum + (s.reliability?.driftSessions ?? 0), 0);
  const deviations = [
    ...data.sessions
      .filter((s) => s.status === 'aborted')
      .map((s) => `session at ${s.site} (${s.start}) aborted`),
    ...(drift > 0 ? [`${drift} device-session(s) ran with a configuration other than the accepted one`] : []),
    ...data.criteria.flatMap((s) =>
      s.results
        .filter((r) => r.verdict !== 'pass' && r.verdict !== 'fail')
        .map((r) => `${s.supplierName}: ${r.metric}: ${r.reason}`),
    ),
  ];
  const workers = data.byDevice.reduce((sum, d) => sum + d.workers, 0);
  const workerLevel =
    workers >= MIN_WORKERS_PER_GROUP
      ? table(
          ['device', 'exposure h', 'crossings', 'device alerts', 'device false', 'Lookout detections'],
          data.byDevice.map((d) => [
            d.label,
            f(d.exposureHours, 3),
            d.crossings,
            d.device.trueAlerts,
            d.device.falseAlerts,
            d.lookout.trueAlerts,
          ]),
        )
      : `<p>Worker-level results hidden: fewer than ${MIN_WORKERS_PER_GROUP} workers in this group (${workers}).</p>`;

  const body = `
<h1>${escapeHtml(title)}</h1>
<p>Sponsor ${escapeHtml(data.trial.sponsor)}; trial status ${escapeHtml(data.trial.status)}; DPIA ${escapeHtml(data.trial.dpiaReference ?? 'none')}. Generated ${escapeHtml(data.generatedAt)} by Lookout from stored data: every figure is measured, none typed in.</p>

<h2>Configuration under test</h2>
${table(
  ['supplier', 'model', 'device', 'hardware', 'firmware', 'app', 'GNSS', 'corrections', 'alert mode'],
  data.configurations.map((c) =>
    [
      c.supplier,
      c.model,
      c.device,
      c.hardware_revision ?? '-',
      c.firmware ?? '-',
      c.app_version ?? '-',
      c.gnss_receiver ?? '-',
      c.correction_service ?? '-',
      c.alert_mode ?? '-',
    ].map((v) => String(v)),
  ),
)}

<h2>Method</h2>
<p>${data.sessions.length} session(s); exposure ${f(exposureHours, 3)} worker-hours.</p>
${table(
  ['site', 'environment', 'scenario', 'status', 'start', 'end', 'devices'],
  data.sessions.map((s) => [s.site, s.environment, s.scenario ?? '-', s.status, s.start, s.end, s.devices]),
)}
<p>Matching: a true crossing is detected by Lookout when a breach status or crossing of that device falls within the crossing ± tolerance, and alerted by the device when it raised an alert in that window; any other breach or alert is false.</p>

<h2>Results against criteria</h2>
${criteriaRows.length ? table(['supplier', 'metric', 'criterion', 'measured', 'verdict', 'source'], criteriaRows) : '<p>No criteria.</p>'}

<h2>Technical results</h2>
${table(
  [
    'supplier',
    'crossings',
    'Lookout sensitivity',
    'device sensitivity',
    'device false / worker-h',
    'device latency p50 s',
    'device latency p95 s',
    'Lookout latency p95 s',
    'device past edge p50 m',
    'error median m',
    'error p95 m',
    'check-point error p95 m',
    'availability',
    'uptime',
  ],
  data.bySupplier.map((s) => [
    s.label,
    s.detection?.crossings ?? 0,
    f(s.detection?.lookout.sensitivity, 3),
    f(s.detection?.device.sensitivity, 3),
    f(s.detection?.device.falseAlertsPerWorkerHour, 2),
    f(s.detection?.latency.crossingToDeviceAlert.p50S),
    f(s.detection?.latency.crossingToDeviceAlert.p95S),
    f(s.detection?.latency.crossingToLookoutEvent.p95S),
    f(s.detection?.device.breachMarginP50M),
    f(s.positioning?.medianM),
    f(s.positioning?.p95M),
    f(s.checkPoints?.p95M),
    pct(s.availability?.availability),
    pct(s.reliability?.uptime),
  ]),
)}
${figure(
  latencyHistogram([
    { name: 'device alert', values: latencies((c) => c.deviceAlertAt) },
    { name: 'Lookout detection', values: latencies((c) => c.lookoutAt) },
  ]),
  'Latency from the true crossing to the device alert and to Lookout\u2019s detection (event time).',
)}
${figure(
  shareBars(
    data.availabilityBySite.map((a) => ({ label: a.label, value: a.availability })),
    'availability',
  ),
  'Availability per site: expected fixes received within the accuracy threshold.',
)}
${figure(errorCdf(data.bySupplier.filter((s) => s.positioning).map((s) => ({ name: s.label, cdf: s.positioning!.cdf }))), 'Horizontal positioning error against ground truth, cumulative.')}
${figure(alertTimeline(timelineRows(data.crossings, data.falseAlerts)), 'True crossings, matched detections and alerts, false alerts.')}

<h2>Worker-level results</h2>
${workerLevel}

<h2>Deviations</h2>
${deviations.length ? `<ul>${deviations.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>` : '<p>None recorded.</p>'}

<h2>Data provenance</h2>
${table(
  ['ground truth', 'seed', 'format', 'from', 'to', 'crossings', 'positions', 'rows refused', 'imported'],
  data.provenance.map((p) =>
    [
      p.scenario,
      p.seed,
      p.format,
      iso(p.start_time),
      iso(p.end_time),
      p.crossings,
      p.positions,
      p.rejected_count ?? 0,
      iso(p.imported_at),
    ].map((v) => String(v)),
  ),
)}
<p>Fixes, device events and Lookout detections as stored; KPI endpoints under /trials/${escapeHtml(data.trial.id)}/kpis.</p>`;
  return htmlDocument(title, body);
}

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value ?? ''));
