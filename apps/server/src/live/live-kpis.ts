import type { LiveDetection, LiveKpiFrame, LiveSupplierKpi } from '../../../../libs/telemetry/src/index.js';

/** A device counts as reporting when its last fix reached the server this recently. */
export const REPORTING_WITHIN_MS = 30_000;
const FIX_BUCKET_MS = 5_000;
const FIX_BUCKETS = 12; // 60 s
const ALERT_BUCKET_MS = 60_000;
const ALERT_BUCKETS = 60; // 1 h
const ALERT_KINDS = ['breach', 'crossing', 'approaching', 'lost'] as const;
type AlertKind = (typeof ALERT_KINDS)[number];

/** Counts in fixed time buckets over a rolling window; no allocation per event. */
export class RollingCounter {
  private readonly counts: Int32Array;
  private last = -Infinity;

  constructor(
    private readonly bucketMs: number,
    private readonly buckets: number,
  ) {
    this.counts = new Int32Array(buckets);
  }

  add(atMs: number, n = 1): void {
    const bucket = Math.floor(atMs / this.bucketMs);
    if (bucket > this.last) {
      // The buckets skipped since the last event are empty: clear them (at most the whole ring).
      const from = Math.max(this.last + 1, bucket - this.buckets + 1);
      for (let b = from; b <= bucket; b++) this.counts[this.slot(b)] = 0;
      this.last = bucket;
    } else if (bucket <= this.last - this.buckets) return; // older than the window
    this.counts[this.slot(bucket)]! += n;
  }

  private slot(bucket: number): number {
    return ((bucket % this.buckets) + this.buckets) % this.buckets;
  }

  /** The count over the window ending at `nowMs`. */
  total(nowMs: number): number {
    const now = Math.floor(nowMs / this.bucketMs);
    let sum = 0;
    for (
      let b = Math.max(now - this.buckets + 1, this.last - this.buckets + 1);
      b <= Math.min(now, this.last);
      b++
    ) {
      sum += this.counts[this.slot(b)]!;
    }
    return sum;
  }
}

/** Which alert of the feed a detection is, if any (the same kinds the dashboard feed shows). */
export function alertKind(detection: LiveDetection): AlertKind | undefined {
  if (detection.type === 'crossing') return 'crossing';
  if (detection.type !== 'status' || detection.status === detection.previousStatus) return undefined;
  if (detection.status === 'breach') return 'breach';
  if (detection.status === 'approaching') return 'approaching';
  if (detection.status === 'lost') return 'lost';
  return undefined;
}

interface DeviceKpi {
  lastFixAtMs: number;
  fixes: RollingCounter;
  alerts: Record<AlertKind, RollingCounter>;
  online: boolean | null;
}

const newAlerts = () =>
  Object.fromEntries(
    ALERT_KINDS.map((kind) => [kind, new RollingCounter(ALERT_BUCKET_MS, ALERT_BUCKETS)]),
  ) as Record<AlertKind, RollingCounter>;

/**
 * The live KPI cards' figures, kept by the server from what it ingests (so they do not depend on what one
 * page happened to see): per device, when it last reported, fixes in the last minute, alerts in the last hour
 * and its connection state; summed per supplier for each room's frame.
 */
export class LiveKpis {
  private readonly devices = new Map<string, DeviceKpi>();

  private device(deviceId: string): DeviceKpi {
    let kpi = this.devices.get(deviceId);
    if (!kpi) {
      kpi = {
        lastFixAtMs: -Infinity,
        fixes: new RollingCounter(FIX_BUCKET_MS, FIX_BUCKETS),
        alerts: newAlerts(),
        online: null,
      };
      this.devices.set(deviceId, kpi);
    }
    return kpi;
  }

  deviceIds(): IterableIterator<string> {
    return this.devices.keys();
  }

  fixReceived(deviceId: string, receivedAtMs: number): void {
    const kpi = this.device(deviceId);
    kpi.lastFixAtMs = Math.max(kpi.lastFixAtMs, receivedAtMs);
    kpi.fixes.add(receivedAtMs);
  }

  detection(detection: LiveDetection, atMs = detection.detectedAtMs): void {
    const kind = alertKind(detection);
    if (kind) this.device(detection.deviceId).alerts[kind].add(atMs);
  }

  connection(deviceId: string, online: boolean): void {
    this.device(deviceId).online = online;
  }

  /**
   * One frame per room in `rooms`: `roomsOf(deviceId)` gives the rooms a device's events go to, and
   * `supplierOf(rooms)` its supplier. Devices silent for an hour (and without a known state) are left out.
   */
  frames(
    nowMs: number,
    rooms: ReadonlySet<string>,
    roomsOf: (deviceId: string) => readonly string[],
    supplierOf: (deviceRooms: readonly string[]) => string | null,
  ): Map<string, LiveKpiFrame> {
    const bySupplier = new Map<string, Map<string | null, LiveSupplierKpi>>();
    for (const [deviceId, kpi] of this.devices) {
      const fixes = kpi.fixes.total(nowMs);
      const recent = nowMs - kpi.lastFixAtMs <= ALERT_BUCKET_MS * ALERT_BUCKETS;
      if (!recent && kpi.online === null) continue;
      const deviceRooms = roomsOf(deviceId);
      const supplierId = supplierOf(deviceRooms);
      for (const room of deviceRooms) {
        if (!rooms.has(room)) continue;
        let suppliers = bySupplier.get(room);
        if (!suppliers) bySupplier.set(room, (suppliers = new Map()));
        let card = suppliers.get(supplierId);
        if (!card) {
          card = {
            supplierId,
            devices: 0,
            reporting: 0,
            online: 0,
            offline: 0,
            fixesLastMinute: 0,
            alertsLastHour: { breach: 0, crossing: 0, approaching: 0, lost: 0 },
          };
          suppliers.set(supplierId, card);
        }
        card.devices++;
        if (nowMs - kpi.lastFixAtMs <= REPORTING_WITHIN_MS) card.reporting++;
        if (kpi.online === true) card.online++;
        if (kpi.online === false) card.offline++;
        card.fixesLastMinute += fixes;
        for (const kind of ALERT_KINDS) card.alertsLastHour[kind] += kpi.alerts[kind].total(nowMs);
      }
    }
    const frames = new Map<string, LiveKpiFrame>();
    for (const room of rooms) {
      const suppliers = [...(bySupplier.get(room)?.values() ?? [])];
      frames.set(room, { atMs: nowMs, suppliers });
    }
    return frames;
  }
}
