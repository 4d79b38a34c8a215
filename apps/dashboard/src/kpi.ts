import type { LiveAcknowledgement, LiveFix, LiveKpiFrame } from '../../../libs/telemetry/src/live-events.js';
import type { AlertKind } from './feed.js';
import { escapeHtml } from './map.js';

/** A device counts as available when its last fix is younger than this. */
const AVAILABLE_WITHIN_MS = 30_000;
const RATE_WINDOW_MS = 60_000;

export interface KpiInputs {
  nowMs: number;
  supplierOf: (deviceId: string) => string;
  supplierName: (supplierId: string) => string;
  lastFixes: readonly LiveFix[];
  /** Positions this page received, per device, inside the rate window. */
  positionTimes: ReadonlyMap<string, readonly number[]>;
  alertCounts: ReadonlyMap<string, Record<AlertKind, number>>;
  acknowledgements: readonly LiveAcknowledgement[];
  /** The server's latest `kpis` frame for this page's room (live mode), when one has come. */
  server?: LiveKpiFrame | null;
}

interface SupplierKpi {
  devices: number;
  available: number;
  positions: number;
  alerts: Record<AlertKind, number>;
  ackLatenciesMs: number[];
}

/**
 * Per-supplier cards computed from what this page has seen, plus, live, the server's own figures from its
 * `kpis` frames (every fix it received, whatever the page saw; the measured trial KPIs are in /trials/:id/kpis):
 * position rate (frames are throttled per device, so this is the shown rate), availability, alerts by kind
 * and acknowledgement latency.
 */
export function renderKpis(container: HTMLElement, input: KpiInputs): void {
  const bySupplier = new Map<string, SupplierKpi>();
  const entry = (supplierId: string) => {
    let kpi = bySupplier.get(supplierId);
    if (!kpi) {
      kpi = {
        devices: 0,
        available: 0,
        positions: 0,
        alerts: { breach: 0, 'probable-breach': 0, approaching: 0, crossing: 0, lost: 0 },
        ackLatenciesMs: [],
      };
      bySupplier.set(supplierId, kpi);
    }
    return kpi;
  };
  for (const fix of input.lastFixes) {
    const kpi = entry(input.supplierOf(fix.deviceId));
    kpi.devices++;
    if (input.nowMs - fix.receivedAtMs <= AVAILABLE_WITHIN_MS) kpi.available++;
    kpi.positions += (input.positionTimes.get(fix.deviceId) ?? []).filter(
      (t) => input.nowMs - t <= RATE_WINDOW_MS,
    ).length;
  }
  for (const [deviceId, counts] of input.alertCounts) {
    const kpi = entry(input.supplierOf(deviceId));
    for (const kind of Object.keys(counts) as AlertKind[]) kpi.alerts[kind] += counts[kind];
  }
  for (const card of input.server?.suppliers ?? []) entry(card.supplierId ?? '');
  for (const ack of input.acknowledgements)
    entry(input.supplierOf(ack.deviceId)).ackLatenciesMs.push(ack.latencyMs);
  const cards = [...bySupplier.entries()]
    .sort(([a], [b]) => input.supplierName(a).localeCompare(input.supplierName(b)))
    .map(([supplierId, kpi]) => {
      const rateHz = kpi.devices ? kpi.positions / kpi.devices / (RATE_WINDOW_MS / 1000) : 0;
      const availability = kpi.devices ? Math.round((100 * kpi.available) / kpi.devices) : 0;
      const meanAck = kpi.ackLatenciesMs.length
        ? `${(kpi.ackLatenciesMs.reduce((s, v) => s + v, 0) / kpi.ackLatenciesMs.length / 1000).toFixed(1)} s`
        : '—';
      const measured = input.server?.suppliers.find((card) => (card.supplierId ?? '') === supplierId);
      const serverRows = measured
        ? `<dt>Reporting (server)</dt><dd>${measured.reporting} of ${measured.devices}</dd>
          <dt>Fixes last min</dt><dd>${measured.fixesLastMinute}</dd>
          <dt>Online / offline</dt><dd>${measured.online} / ${measured.offline}</dd>
          <dt>Breaches last hour</dt><dd>${measured.alertsLastHour.breach}</dd>`
        : '';
      return `<article class="kpi card" data-supplier="${escapeHtml(supplierId)}">
        <h3>${escapeHtml(input.supplierName(supplierId))}</h3>
        <dl>
          <dt>Devices</dt><dd>${kpi.devices}</dd>
          <dt>Availability</dt><dd>${availability}%</dd>
          <dt>Fix rate shown</dt><dd>${rateHz.toFixed(2)} Hz</dd>
          <dt>Breaches</dt><dd>${kpi.alerts.breach} + ${kpi.alerts['probable-breach']} probable</dd>
          <dt>Approaching</dt><dd>${kpi.alerts.approaching}</dd>
          <dt>Crossings</dt><dd>${kpi.alerts.crossing}</dd>
          <dt>Lost</dt><dd>${kpi.alerts.lost}</dd>
          <dt>Mean ack</dt><dd>${meanAck}</dd>
          ${serverRows}
        </dl></article>`;
    });
  container.innerHTML = cards.join('') || '<p class="muted">No devices seen yet.</p>';
}
