import type { LiveAcknowledgement, LiveDetection } from '../../../libs/telemetry/src/live-events.js';
import { escapeHtml } from './map.js';

export type AlertKind = 'breach' | 'probable-breach' | 'approaching' | 'crossing' | 'lost';

const KIND_LABEL: Record<AlertKind, string> = {
  breach: 'BREACH',
  'probable-breach': 'PROBABLE BREACH',
  approaching: 'APPROACHING',
  crossing: 'CROSSING',
  lost: 'LOST',
};

/** The alerts the feed shows; other detections (back to safe, flagged fixes) only update the map. */
export function alertKind(detection: LiveDetection): AlertKind | undefined {
  if (detection.type === 'crossing') return 'crossing';
  if (detection.type !== 'status') return undefined;
  switch (detection.status) {
    case 'breach':
      return detection.breachLevel === 'probable' ? 'probable-breach' : 'breach';
    case 'approaching':
      return 'approaching';
    case 'lost':
      return 'lost';
    default:
      return undefined;
  }
}

interface FeedItem {
  detection: LiveDetection;
  kind: AlertKind;
  acknowledgement: LiveAcknowledgement | null;
  element: HTMLLIElement;
}

const MAX_ITEMS = 300;

/** Newest first; each item carries its evidence and, for managers, a keyboard-reachable Acknowledge button. */
export class AlertFeed {
  private readonly items = new Map<string, FeedItem>();
  /** Replay: the feed as it stood at this time (alerts after it hidden and not counted); live: no limit. */
  private untilMs = Infinity;

  constructor(
    private readonly list: HTMLOListElement,
    private readonly count: HTMLElement,
    private readonly canAcknowledge: boolean,
    private readonly onAcknowledge: (detectionId: string) => Promise<void>,
  ) {}

  clear(): void {
    this.items.clear();
    this.untilMs = Infinity;
    this.list.replaceChildren();
    this.updateCount();
  }

  /** Adds an alert once (live and snapshot may both carry it); returns its kind when it is new. */
  add(detection: LiveDetection, acknowledgement: LiveAcknowledgement | null = null): AlertKind | undefined {
    const kind = alertKind(detection);
    if (!kind || this.items.has(detection.id)) return undefined;
    const element = document.createElement('li');
    const item: FeedItem = { detection, kind, acknowledgement, element };
    this.items.set(detection.id, item);
    this.render(item);
    // Keep newest first by the detection's own time.
    const after = [...this.list.children].find(
      (child) => Number((child as HTMLElement).dataset.atMs) < detection.atMs,
    );
    this.list.insertBefore(element, after ?? null);
    while (this.list.children.length > MAX_ITEMS) {
      const last = this.list.lastElementChild as HTMLElement;
      this.items.delete(last.dataset.id!);
      last.remove();
    }
    this.updateCount();
    return kind;
  }

  acknowledged(acknowledgement: LiveAcknowledgement): void {
    const item = this.items.get(acknowledgement.detectionId);
    if (!item) return;
    item.acknowledgement = acknowledgement;
    this.render(item);
    this.updateCount();
  }

  /** Replay: shows and counts only the alerts up to a time, open as they were then. */
  showUntil(timeMs: number): void {
    this.untilMs = timeMs;
    for (const item of this.items.values()) item.element.hidden = item.detection.atMs > timeMs;
    this.updateCount();
  }

  /** The alerts shown: all of them live; in replay, those up to the replay time. */
  private shown(): FeedItem[] {
    return [...this.items.values()].filter((item) => item.detection.atMs <= this.untilMs);
  }

  counts(): Map<string, Record<AlertKind, number>> {
    const byDevice = new Map<string, Record<AlertKind, number>>();
    for (const item of this.shown()) {
      const counts = byDevice.get(item.detection.deviceId) ?? {
        breach: 0,
        'probable-breach': 0,
        approaching: 0,
        crossing: 0,
        lost: 0,
      };
      counts[item.kind]++;
      byDevice.set(item.detection.deviceId, counts);
    }
    return byDevice;
  }

  acknowledgements(): LiveAcknowledgement[] {
    return this.shown().flatMap((item) =>
      item.acknowledgement && item.acknowledgement.acknowledgedAtMs <= this.untilMs
        ? [item.acknowledgement]
        : [],
    );
  }

  alerts(): LiveDetection[] {
    return [...this.items.values()].map((item) => item.detection);
  }

  private updateCount(): void {
    const shown = this.shown();
    const open = shown.filter(
      (item) => !item.acknowledgement || item.acknowledgement.acknowledgedAtMs > this.untilMs,
    ).length;
    this.count.textContent = `(${open} open of ${shown.length})`;
  }

  private render(item: FeedItem): void {
    const { detection: d, kind, acknowledgement } = item;
    const element = item.element;
    element.className = `alert alert-${kind}${acknowledgement ? ' acknowledged' : ''}`;
    element.dataset.id = d.id;
    element.dataset.atMs = String(d.atMs);
    element.dataset.deviceId = d.deviceId;
    const evidence: string[] = [];
    if (d.breachMarginM !== null) evidence.push(`${d.breachMarginM.toFixed(1)} m beyond boundary`);
    if (d.fix) evidence.push(`accuracy ±${d.fix.accuracyM.toFixed(1)} m`);
    if (d.zone)
      evidence.push(`zone ${d.zone.zoneId.slice(0, 8)} v${d.zone.zoneVersion} (${d.zone.zoneKind})`);
    if (d.rule) evidence.push(`rule ${d.rule}`);
    if (d.chainageM !== null) evidence.push(`chainage ${d.chainageM.toFixed(0)} m`);
    element.innerHTML = `
      <div class="alert-head"><span class="kind">${KIND_LABEL[kind]}</span>
        <span class="device">${escapeHtml(d.deviceId)}</span>
        <time datetime="${new Date(d.atMs).toISOString()}">${new Date(d.atMs).toLocaleTimeString()}</time></div>
      <div class="evidence">${evidence.map(escapeHtml).join(' · ')}</div>`;
    if (acknowledgement) {
      const note = document.createElement('div');
      note.className = 'ack-note';
      note.textContent = `Acknowledged by ${acknowledgement.acknowledgedByEmail} after ${(acknowledgement.latencyMs / 1000).toFixed(1)} s`;
      element.append(note);
    } else if (this.canAcknowledge) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'ack';
      button.textContent = 'Acknowledge';
      button.setAttribute('aria-label', `Acknowledge ${KIND_LABEL[kind]} of ${d.deviceId}`);
      button.addEventListener('click', () => {
        button.disabled = true;
        this.onAcknowledge(d.id).catch((error: unknown) => {
          button.disabled = false;
          button.title = String(error);
        });
      });
      element.append(button);
    }
  }
}
