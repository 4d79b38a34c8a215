import { bin, max } from 'd3-array';
import { scaleBand, scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import { escapeHtml } from '../../rendering/html.js';

/**
 * Plots for the trial report as inline SVG strings, built server-side with d3's scales and shapes (no DOM),
 * so the same markup prints to PDF.
 */
const WIDTH = 640;
const HEIGHT = 220;
const MARGIN = { top: 16, right: 16, bottom: 36, left: 48 };
const COLOURS = ['#1f6fb2', '#d9822b', '#2a9d4b', '#8e44ad', '#c0392b', '#555'];
const fmt = (value: number) => (Math.round(value * 100) / 100).toString();

function svg(title: string, body: string, height = HEIGHT): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="10"><title>${escapeHtml(title)}</title>${body}</svg>`;
}

function axisX(scale: (v: number) => number, ticks: number[], y: number, label: string): string {
  const marks = ticks
    .map(
      (t) =>
        `<line x1="${scale(t)}" x2="${scale(t)}" y1="${y}" y2="${y + 4}" stroke="#333"/><text x="${scale(t)}" y="${y + 14}" text-anchor="middle">${fmt(t)}</text>`,
    )
    .join('');
  return `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" stroke="#333"/>${marks}<text x="${(MARGIN.left + WIDTH - MARGIN.right) / 2}" y="${y + 30}" text-anchor="middle">${escapeHtml(label)}</text>`;
}

function axisY(scale: (v: number) => number, ticks: number[], label: string): string {
  const marks = ticks
    .map(
      (t) =>
        `<line x1="${MARGIN.left - 4}" x2="${MARGIN.left}" y1="${scale(t)}" y2="${scale(t)}" stroke="#333"/><text x="${MARGIN.left - 6}" y="${scale(t) + 3}" text-anchor="end">${fmt(t)}</text>`,
    )
    .join('');
  return `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}" stroke="#333"/>${marks}<text transform="translate(12 ${HEIGHT / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(label)}</text>`;
}

function legend(names: string[]): string {
  return names
    .map(
      (name, i) =>
        `<rect x="${WIDTH - 170}" y="${MARGIN.top + i * 14}" width="10" height="10" fill="${COLOURS[i % COLOURS.length]}"/><text x="${WIDTH - 155}" y="${MARGIN.top + 9 + i * 14}">${escapeHtml(name)}</text>`,
    )
    .join('');
}

function empty(title: string): string {
  return svg(title, `<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">no data</text>`);
}

/** Histogram of latencies (seconds), one translucent series per source. */
export function latencyHistogram(series: { name: string; values: number[] }[]): string {
  const title = 'Latency histogram';
  const all = series.flatMap((s) => s.values);
  if (all.length === 0) return empty(title);
  const x = scaleLinear()
    .domain([Math.min(0, ...all), Math.max(1, ...all)])
    .nice()
    .range([MARGIN.left, WIDTH - MARGIN.right]);
  const binner = bin()
    .domain(x.domain() as [number, number])
    .thresholds(x.ticks(20));
  const binned = series.map((s) => binner(s.values));
  const y = scaleLinear()
    .domain([0, max(binned.flat(), (b) => b.length) ?? 1])
    .nice()
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const bars = binned
    .map((bins, i) =>
      bins
        .filter((b) => b.length > 0)
        .map(
          (b) =>
            `<rect x="${x(b.x0!) + 1}" y="${y(b.length)}" width="${Math.max(1, x(b.x1!) - x(b.x0!) - 2)}" height="${y(0) - y(b.length)}" fill="${COLOURS[i % COLOURS.length]}" fill-opacity="0.6"/>`,
        )
        .join(''),
    )
    .join('');
  return svg(
    title,
    bars +
      axisX(x, x.ticks(10), HEIGHT - MARGIN.bottom, 'latency from true crossing, s') +
      axisY(y, y.ticks(4), 'crossings') +
      legend(series.map((s) => s.name)),
  );
}

/** Bars of a 0..1 share per item (availability per site). */
export function shareBars(items: { label: string; value: number | null }[], yLabel: string): string {
  const title = `${yLabel} per slice`;
  if (items.length === 0) return empty(title);
  const x = scaleBand()
    .domain(items.map((item) => item.label))
    .range([MARGIN.left, WIDTH - MARGIN.right])
    .padding(0.2);
  const y = scaleLinear()
    .domain([0, 1])
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const bars = items
    .map((item) => {
      const value = item.value ?? 0;
      const left = x(item.label) ?? 0;
      return `<rect x="${left}" y="${y(value)}" width="${x.bandwidth()}" height="${y(0) - y(value)}" fill="${COLOURS[0]}"/><text x="${left + x.bandwidth() / 2}" y="${y(value) - 3}" text-anchor="middle">${item.value === null ? 'n/a' : `${fmt(value * 100)}%`}</text><text x="${left + x.bandwidth() / 2}" y="${HEIGHT - MARGIN.bottom + 14}" text-anchor="middle">${escapeHtml(item.label)}</text>`;
    })
    .join('');
  return svg(
    title,
    bars +
      axisY(y, y.ticks(5), yLabel) +
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(0)}" y2="${y(0)}" stroke="#333"/>`,
  );
}

/** Cumulative distribution of positioning error, one line per slice. */
export function errorCdf(series: { name: string; cdf: { quantile: number; errorM: number }[] }[]): string {
  const title = 'Positioning error CDF';
  const all = series.flatMap((s) => s.cdf.map((point) => point.errorM));
  if (all.length === 0) return empty(title);
  const x = scaleLinear()
    .domain([0, Math.max(1, ...all)])
    .nice()
    .range([MARGIN.left, WIDTH - MARGIN.right]);
  const y = scaleLinear()
    .domain([0, 1])
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const path = line<{ quantile: number; errorM: number }>()
    .x((point) => x(point.errorM))
    .y((point) => y(point.quantile));
  const lines = series
    .map(
      (s, i) =>
        `<path d="${path(s.cdf) ?? ''}" fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="2"/>`,
    )
    .join('');
  return svg(
    title,
    lines +
      axisX(x, x.ticks(8), HEIGHT - MARGIN.bottom, 'horizontal error, m') +
      axisY(y, y.ticks(5), 'share of fixes') +
      legend(series.map((s) => s.name)),
  );
}

export interface TimelineRow {
  deviceId: string;
  crossings: { fromMs: number; toMs: number }[];
  lookout: number[];
  device: number[];
  falseAlerts: { atMs: number; source: 'lookout' | 'device' }[];
}

/**
 * Alerts on a timeline: per device, the true crossings as bands, Lookout's matched detections as circles,
 * the device's matched alerts as triangles, and false alerts in red.
 */
export function alertTimeline(rows: TimelineRow[]): string {
  const title = 'Alerts on a timeline';
  const times = rows.flatMap((row) => [
    ...row.crossings.flatMap((c) => [c.fromMs, c.toMs]),
    ...row.lookout,
    ...row.device,
    ...row.falseAlerts.map((f) => f.atMs),
  ]);
  if (times.length === 0) return empty(title);
  const rowHeight = 22;
  const height = MARGIN.top + MARGIN.bottom + rowHeight * rows.length;
  const start = Math.min(...times);
  const x = scaleLinear()
    .domain([0, Math.max(1, (Math.max(...times) - start) / 1000)])
    .nice()
    .range([MARGIN.left + 80, WIDTH - MARGIN.right]);
  const at = (ms: number) => x((ms - start) / 1000);
  const body = rows
    .map((row, i) => {
      const mid = MARGIN.top + i * rowHeight + rowHeight / 2;
      const bands = row.crossings
        .map(
          (c) =>
            `<rect x="${at(c.fromMs)}" y="${mid - 8}" width="${Math.max(1, at(c.toMs) - at(c.fromMs))}" height="16" fill="#bbb"/>`,
        )
        .join('');
      const lookout = row.lookout
        .map((t) => `<circle cx="${at(t)}" cy="${mid - 3}" r="3" fill="${COLOURS[0]}"/>`)
        .join('');
      const device = row.device
        .map((t) => `<path d="M${at(t)},${mid + 1} l3,6 l-6,0 z" fill="${COLOURS[1]}"/>`)
        .join('');
      const falses = row.falseAlerts
        .map(
          (f) =>
            `<line x1="${at(f.atMs)}" x2="${at(f.atMs)}" y1="${mid - 9}" y2="${mid + 9}" stroke="#c00" stroke-width="2"><title>false ${f.source} alert</title></line>`,
        )
        .join('');
      return `<text x="${MARGIN.left + 76}" y="${mid + 3}" text-anchor="end">${escapeHtml(row.deviceId.slice(0, 20))}</text>${bands}${lookout}${device}${falses}`;
    })
    .join('');
  const axisY0 = height - MARGIN.bottom;
  const ticks = x
    .ticks(8)
    .map((t) => `<text x="${x(t)}" y="${axisY0 + 14}" text-anchor="middle">${fmt(t)}</text>`)
    .join('');
  return svg(
    title,
    `${body}<line x1="${MARGIN.left + 80}" x2="${WIDTH - MARGIN.right}" y1="${axisY0}" y2="${axisY0}" stroke="#333"/>${ticks}<text x="${WIDTH / 2}" y="${axisY0 + 30}" text-anchor="middle">seconds from first event (grey: true crossing; circle: Lookout; triangle: device; red: false alert)</text>`,
    height,
  );
}
