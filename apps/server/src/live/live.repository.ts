import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type {
  LiveAcknowledgement,
  LiveDeviceConnection,
  LiveFix,
} from '../../../../libs/telemetry/src/index.js';
import type { DetectionQuery, DetectionView, FixRangeQuery } from './live.dto.js';

/** Which devices a query may touch: a supplier's own (null: every supplier), a trial's, one device. */
export interface DeviceScope {
  supplierId: string | null;
  trialId?: string;
  deviceId?: string;
}

/** Alerts the feed shows, as SQL over `detection_event e`. */
const IS_ALERT = `(e.type = 'crossing' OR (e.type = 'status' AND e.status IN ('breach', 'approaching', 'lost')))`;

/**
 * The visible devices as a subquery, with its parameters starting at `$first`. A trial's devices are those
 * enrolled in it or listed in one of its sessions.
 */
function visibleDevices(scope: DeviceScope, first: number): { sql: string; values: unknown[] } {
  return {
    sql: `SELECT d.id FROM device d LEFT JOIN device_model m ON m.id = d.model_id
      WHERE ($${first}::text IS NULL OR m.supplier_id::text = $${first})
        AND ($${first + 1}::uuid IS NULL OR d.id IN (
          SELECT device_id FROM enrolment WHERE trial_id = $${first + 1}
          UNION SELECT unnest(device_ids) FROM session WHERE trial_id = $${first + 1}))
        AND ($${first + 2}::text IS NULL OR d.id = $${first + 2})`,
    values: [scope.supplierId, scope.trialId ?? null, scope.deviceId ?? null],
  };
}

interface DetectionRow {
  id: string;
  type: DetectionView['type'];
  device_id: string;
  at: Date;
  detected_at: Date;
  status: DetectionView['status'];
  previous_status: DetectionView['previousStatus'];
  breach_level: DetectionView['breachLevel'];
  cause: string | null;
  rule: string | null;
  zone_id: string | null;
  zone_version: number | null;
  zone_kind: 'safe' | 'danger' | null;
  fix_time: Date | null;
  lon: number | null;
  lat: number | null;
  accuracy_m: number | null;
  breach_margin_m: number | null;
  chainage_m: number | null;
  ack_by: string | null;
  ack_email: string | null;
  ack_at: Date | null;
  ack_latency_ms: number | null;
  total?: string;
}

const DETECTION_COLUMNS = `e.id, e.type, e.device_id, e.at, e.detected_at, e.status, e.previous_status,
  e.breach_level, e.cause, e.rule, e.zone_id, e.zone_version, e.zone_kind, e.fix_time, e.lon, e.lat,
  e.accuracy_m, e.breach_margin_m, e.chainage_m, a.acknowledged_by AS ack_by, u.email AS ack_email,
  a.acknowledged_at AS ack_at, a.latency_ms AS ack_latency_ms`;
const DETECTION_JOINS = `LEFT JOIN detection_acknowledgement a ON a.detection_id = e.id
  LEFT JOIN app_user u ON u.id = a.acknowledged_by`;

function toDetectionView(row: DetectionRow): DetectionView {
  const detectedAtMs = row.detected_at.getTime();
  return {
    id: row.id,
    type: row.type,
    deviceId: row.device_id,
    atMs: row.at.getTime(),
    detectedAtMs,
    status: row.status,
    previousStatus: row.previous_status,
    breachLevel: row.breach_level,
    cause: row.cause,
    rule: row.rule,
    zone:
      row.zone_id && row.zone_version !== null && row.zone_kind
        ? { zoneId: row.zone_id, zoneVersion: row.zone_version, zoneKind: row.zone_kind }
        : null,
    fix:
      row.fix_time && row.lon !== null && row.lat !== null && row.accuracy_m !== null
        ? {
            deviceId: row.device_id,
            fixTimeMs: row.fix_time.getTime(),
            receivedAtMs: detectedAtMs,
            lon: row.lon,
            lat: row.lat,
            accuracyM: row.accuracy_m,
          }
        : null,
    breachMarginM: row.breach_margin_m,
    chainageM: row.chainage_m,
    acknowledgement:
      row.ack_by && row.ack_at && row.ack_latency_ms !== null
        ? {
            detectionId: row.id,
            deviceId: row.device_id,
            acknowledgedBy: row.ack_by,
            acknowledgedByEmail: row.ack_email ?? '',
            acknowledgedAtMs: row.ack_at.getTime(),
            latencyMs: row.ack_latency_ms,
          }
        : null,
  };
}

interface FixRow {
  device_id: string;
  time: Date;
  received_at: Date;
  lon: number;
  lat: number;
  accuracy_m: number;
  sequence: string | null;
}

function toLiveFix(row: FixRow): LiveFix {
  return {
    deviceId: row.device_id,
    fixTimeMs: row.time.getTime(),
    receivedAtMs: row.received_at.getTime(),
    lon: row.lon,
    lat: row.lat,
    accuracyM: row.accuracy_m,
    ...(row.sequence === null ? {} : { sequence: Number(row.sequence) }),
  };
}

/** SQL over `fix`, `detection_event` and `detection_acknowledgement` for the dashboard. */
@Injectable()
export class LiveRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async latestPositions(scope: DeviceScope): Promise<LiveFix[]> {
    const devices = visibleDevices(scope, 1);
    // One index probe per device on (device_id, time), never a scan of the whole table.
    const rows: FixRow[] = await this.dataSource.query(
      `SELECT f.device_id, f.time, f.received_at, f.lon, f.lat, f.accuracy_m, f.sequence
       FROM (${devices.sql}) v
       CROSS JOIN LATERAL (SELECT * FROM fix WHERE device_id = v.id ORDER BY time DESC LIMIT 1) f`,
      devices.values,
    );
    return rows.map(toLiveFix);
  }

  async latestStatuses(scope: DeviceScope) {
    const devices = visibleDevices(scope, 1);
    const rows: { device_id: string; status: DetectionView['status']; at: Date }[] =
      await this.dataSource.query(
        `SELECT e.device_id, e.status, e.at FROM (${devices.sql}) v
         CROSS JOIN LATERAL (SELECT device_id, status, at FROM detection_event
           WHERE device_id = v.id AND type = 'status' AND status IS NOT NULL ORDER BY at DESC LIMIT 1) e`,
        devices.values,
      );
    return rows.flatMap((row) =>
      row.status ? [{ deviceId: row.device_id, status: row.status, atMs: row.at.getTime() }] : [],
    );
  }

  /** Each visible device's connection state (from its status topic), where it has reported one. */
  async latestConnections(scope: DeviceScope): Promise<LiveDeviceConnection[]> {
    const devices = visibleDevices(scope, 1);
    const rows: { device_id: string; online: boolean; at: Date }[] = await this.dataSource.query(
      `SELECT c.device_id, c.online, c.at FROM (${devices.sql}) v
       CROSS JOIN LATERAL (SELECT device_id, online, at FROM device_status_change
         WHERE device_id = v.id ORDER BY at DESC LIMIT 1) c`,
      devices.values,
    );
    return rows.map((row) => ({ deviceId: row.device_id, online: row.online, atMs: row.at.getTime() }));
  }

  async openAlerts(scope: DeviceScope, sinceMs: number, limit = 200): Promise<DetectionView[]> {
    const devices = visibleDevices(scope, 1);
    const rows: DetectionRow[] = await this.dataSource.query(
      `SELECT ${DETECTION_COLUMNS} FROM detection_event e ${DETECTION_JOINS}
       WHERE e.device_id IN (${devices.sql}) AND e.at >= $4 AND ${IS_ALERT} AND a.detection_id IS NULL
       ORDER BY e.at DESC LIMIT $5`,
      [...devices.values, new Date(sinceMs), limit],
    );
    return rows.map(toDetectionView);
  }

  async detections(scope: DeviceScope, query: DetectionQuery) {
    const devices = visibleDevices(scope, 1);
    const rows: DetectionRow[] = await this.dataSource.query(
      `SELECT ${DETECTION_COLUMNS}, count(*) OVER () AS total FROM detection_event e ${DETECTION_JOINS}
       WHERE e.device_id IN (${devices.sql})
         AND ($4::timestamptz IS NULL OR e.at >= $4) AND ($5::timestamptz IS NULL OR e.at < $5)
         AND (NOT $6 OR ${IS_ALERT})
       ORDER BY e.at, e.id LIMIT $7 OFFSET $8`,
      [...devices.values, query.from ?? null, query.to ?? null, query.alertsOnly, query.limit, query.offset],
    );
    return {
      items: rows.map(toDetectionView),
      total: rows.length > 0 ? Number(rows[0]!.total) : 0,
      limit: query.limit,
      offset: query.offset,
    };
  }

  async fixes(scope: DeviceScope, query: FixRangeQuery) {
    const devices = visibleDevices(scope, 1);
    const rows: FixRow[] = await this.dataSource.query(
      `SELECT device_id, time, received_at, lon, lat, accuracy_m, sequence FROM fix
       WHERE device_id IN (${devices.sql})
         AND ($4::timestamptz IS NULL OR time >= $4) AND ($5::timestamptz IS NULL OR time < $5)
       ORDER BY time, device_id LIMIT $6`,
      [...devices.values, query.from ?? null, query.to ?? null, query.limit + 1],
    );
    const truncated = rows.length > query.limit;
    return { items: rows.slice(0, query.limit).map(toLiveFix), truncated };
  }

  async detection(id: string): Promise<DetectionView | undefined> {
    const rows: DetectionRow[] = await this.dataSource.query(
      `SELECT ${DETECTION_COLUMNS} FROM detection_event e ${DETECTION_JOINS} WHERE e.id = $1 LIMIT 1`,
      [id],
    );
    return rows[0] && toDetectionView(rows[0]);
  }

  /** Records the first acknowledgement; undefined when the detection was already acknowledged or is unknown. */
  async acknowledge(
    id: string,
    user: { userId: string; email: string },
  ): Promise<LiveAcknowledgement | undefined> {
    const rows: { device_id: string; acknowledged_at: Date; latency_ms: number }[] =
      await this.dataSource.query(
        `INSERT INTO detection_acknowledgement
           (detection_id, detection_at, device_id, acknowledged_by, acknowledged_at, latency_ms)
         SELECT e.id, e.at, e.device_id, $2, now(),
                greatest(0, round(extract(epoch FROM now() - e.detected_at) * 1000))::integer
         FROM detection_event e WHERE e.id = $1 LIMIT 1
         ON CONFLICT (detection_id) DO NOTHING
         RETURNING device_id, acknowledged_at, latency_ms`,
        [id, user.userId],
      );
    const row = rows[0];
    if (!row) return undefined;
    return {
      detectionId: id,
      deviceId: row.device_id,
      acknowledgedBy: user.userId,
      acknowledgedByEmail: user.email,
      acknowledgedAtMs: row.acknowledged_at.getTime(),
      latencyMs: row.latency_ms,
    };
  }
}
