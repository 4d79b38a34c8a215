import type { LiveDetection } from '../../../libs/telemetry/src/live-events.js';
import { alertKind } from './feed.js';
import { escapeHtml } from './map.js';

/** A simple session timeline: the session's span, a tick per alert, and a cursor (now, or the replay time). */
export function renderTimeline(
  container: HTMLElement,
  span: { startMs: number; endMs: number } | null,
  alerts: readonly LiveDetection[],
  cursorMs: number,
): void {
  if (!span || span.endMs <= span.startMs) {
    container.innerHTML = '<p class="muted">Pick a session to see its timeline.</p>';
    return;
  }
  const at = (t: number) =>
    `${Math.min(100, Math.max(0, ((t - span.startMs) / (span.endMs - span.startMs)) * 100))}%`;
  const ticks = alerts
    .filter((d) => d.atMs >= span.startMs && d.atMs <= span.endMs)
    .map((d) => {
      const kind = alertKind(d) ?? 'other';
      const label = `${kind} ${d.deviceId} at ${new Date(d.atMs).toLocaleTimeString()}`;
      return `<span class="tick tick-${kind}" style="left:${at(d.atMs)}" title="${escapeHtml(label)}"></span>`;
    })
    .join('');
  container.innerHTML = `
    <div class="track">${ticks}<span class="cursor" style="left:${at(cursorMs)}"></span></div>
    <div class="ends"><span>${new Date(span.startMs).toLocaleString()}</span><span>${new Date(span.endMs).toLocaleString()}</span></div>`;
}
