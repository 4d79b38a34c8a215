import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { DetectionEvent } from '../../../../libs/geofence/src/index.js';
import { deviceTopic, type LiveDetection } from '../../../../libs/telemetry/src/index.js';
import { MqttService } from '../broker/mqtt.service.js';
import { multiRowValues } from '../database/multi-row-insert.js';
import { EventBus } from '../events/event-bus.js';

const FLUSH_INTERVAL_MS = 50;
const MAX_ROWS_PER_INSERT = 500;
const COLUMNS = [
  'id',
  'at',
  'detected_at',
  'device_id',
  'type',
  'status',
  'breach_level',
  'previous_status',
  'cause',
  'rule',
  'zone_id',
  'zone_version',
  'zone_kind',
  'fix_time',
  'lon',
  'lat',
  'accuracy_m',
  'breach_margin_m',
  'chainage_m',
  'evidence',
] as const;

/** What the device is told on `lookout/v1/devices/{d}/alert`: the independent tap on the shoulder. */
export interface DeviceAlert {
  detectionId: string;
  type: 'status' | 'crossing';
  status: LiveDetection['status'];
  breachLevel: LiveDetection['breachLevel'];
  rule: string | null;
  zoneId: string | null;
  zoneVersion: number | null;
  atMs: number;
  breachMarginM: number | null;
}

/** Alerts worth sending to the wearer: any change of status they can act on, and crossings. */
export function alertFor(detection: LiveDetection): DeviceAlert | undefined {
  if (detection.type === 'fix-flagged' || detection.status === 'lost') return undefined;
  return {
    detectionId: detection.id,
    type: detection.type,
    status: detection.status,
    breachLevel: detection.breachLevel,
    rule: detection.rule,
    zoneId: detection.zone?.zoneId ?? null,
    zoneVersion: detection.zone?.zoneVersion ?? null,
    atMs: detection.atMs,
    breachMarginM: detection.breachMarginM,
  };
}

/**
 * What happens to each detection: logged when it is a breach, stored in `detection_event` with its full
 * evidence (written behind, in batches, retried through outages), and sent to the device at QoS 1.
 */
@Injectable()
export class DetectionsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DetectionsService.name);
  private queue: { detection: LiveDetection; event: DetectionEvent }[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private off?: () => void;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly mqtt: MqttService,
    private readonly bus: EventBus,
  ) {}

  onModuleInit(): void {
    this.off = this.bus.on('detection.raised', (raised) => this.handle(raised.detection, raised.event));
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.off?.();
    clearInterval(this.timer);
    await this.flush().catch((error: unknown) =>
      this.logger.error(`detections not stored: ${String(error)}`),
    );
  }

  private handle(detection: LiveDetection, event: DetectionEvent): void {
    const entersBreach = detection.status === 'breach' && detection.previousStatus !== 'breach';
    if (detection.type === 'crossing' || entersBreach || detection.status === 'lost') {
      const where = detection.zone
        ? ` zone=${detection.zone.zoneId} v${detection.zone.zoneVersion} (${detection.zone.zoneKind})`
        : '';
      const margin =
        detection.breachMarginM === null
          ? ''
          : ` ${detection.breachMarginM.toFixed(1)} m beyond the boundary,`;
      const what =
        detection.type === 'crossing'
          ? 'CROSSING'
          : detection.status === 'lost'
            ? 'LOST'
            : `BREACH ${detection.breachLevel}`;
      this.logger.warn(
        `${what} device=${detection.deviceId}${where}${margin} rule ${detection.rule ?? detection.cause}, ` +
          `at ${new Date(detection.atMs).toISOString()}${detection.fix ? `, accuracy ${detection.fix.accuracyM} m` : ''}`,
      );
    }
    this.queue.push({ detection, event });
    if (this.queue.length >= MAX_ROWS_PER_INSERT) void this.flush();
    const alert = alertFor(detection);
    if (alert && this.mqtt.connected) {
      this.mqtt
        .publish(deviceTopic(detection.deviceId, 'alert'), JSON.stringify(alert), 1)
        .catch((error: unknown) =>
          this.logger.warn(`alert to ${detection.deviceId} not sent: ${String(error)}`),
        );
    }
  }

  /** Writes what is queued; one flush at a time, rows kept for the next try if the database is away. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, MAX_ROWS_PER_INSERT);
      const { sql, values } = multiRowValues(
        COLUMNS.length,
        batch.map(({ detection: d, event }) => [
          d.id,
          new Date(d.atMs),
          new Date(d.detectedAtMs),
          d.deviceId,
          d.type,
          d.status,
          d.breachLevel,
          d.previousStatus,
          d.cause,
          d.rule,
          d.zone?.zoneId ?? null,
          d.zone?.zoneVersion ?? null,
          d.zone?.zoneKind ?? null,
          d.fix ? new Date(d.fix.fixTimeMs) : null,
          d.fix?.lon ?? null,
          d.fix?.lat ?? null,
          d.fix?.accuracyM ?? null,
          d.breachMarginM,
          d.chainageM,
          JSON.stringify(event),
        ]),
      );
      try {
        await this.dataSource.query(
          `INSERT INTO detection_event (${COLUMNS.join(', ')}) VALUES ${sql} ON CONFLICT DO NOTHING`,
          values,
        );
        this.queue.splice(0, batch.length);
      } catch (error) {
        this.logger.warn(`detections not stored yet (${(error as Error).message}); retrying`);
        return;
      }
    }
  }
}
