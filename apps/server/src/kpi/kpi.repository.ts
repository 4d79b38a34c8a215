import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  type AlertMargin,
  alertMargin,
  medianAndMax,
  type TimedPosition,
  type ZoneShape,
} from './kpi.breach.js';
import type { GroundTruthInput, KpiQuery, RejectedRow } from './kpi.dto.js';
import {
  CDF_QUANTILES,
  distanceM,
  GROUP_EXPRESSIONS,
  IS_LOOKOUT_ALERT,
  msInterval,
  SCOPE_CTE,
  scopeValues,
} from './kpi.sql.js';
import type {
  AvailabilityGroup,
  CheckPointVisit,
  CheckPointErrorGroup,
  CrossingScore,
  DetectionGroup,
  FalseAlert,
  HorizontalErrorFigures,
  PositioningGroup,
  ReliabilityGroup,
} from './kpi.types.js';

/** pg returns bigint and numeric as strings; KPIs are plain numbers (null: no data). */
const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** The error columns both error queries select from `matched` (error_m per fix); `$cdfParam` holds CDF_QUANTILES. */
const errorFiguresSql = (
  cdfParam: string,
) => `count(*)::int AS fixes, count(DISTINCT device_id)::int AS devices,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY error_m) AS median_m,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY error_m) AS p95_m,
        max(error_m) AS max_m,
        percentile_cont(${cdfParam}::float8[]) WITHIN GROUP (ORDER BY error_m) AS cdf`;

function errorFigures(row: Record<string, unknown>): HorizontalErrorFigures {
  return {
    fixesMatched: Number(row.fixes),
    devices: Number(row.devices),
    medianM: num(row.median_m),
    p95M: num(row.p95_m),
    maxM: num(row.max_m),
    cep50M: num(row.median_m),
    cep95M: num(row.p95_m),
    cdf: ((row.cdf as number[] | null) ?? []).map((errorM, i) => ({ quantile: CDF_QUANTILES[i]!, errorM })),
  };
}
const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

/** Every KPI as SQL over the stored fixes, events, detections and ground truth. */
@Injectable()
export class KpiRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private group(query: KpiQuery) {
    return GROUP_EXPRESSIONS[query.groupBy];
  }

  async positioning(trialId: string, query: KpiQuery): Promise<PositioningGroup[]> {
    const { key, label } = this.group(query);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `WITH ${SCOPE_CTE},
      matched AS (
        SELECT ${key} AS key, ${label} AS label, sc.device_id,
               ${distanceM('f.lon', 'f.lat', 'gp.true_lon', 'gp.true_lat')} AS error_m
        FROM scope sc
        JOIN fix f ON f.device_id = sc.device_id AND f.time >= sc.window_from AND f.time < sc.window_to
        -- the true position taken at this fix: same device, nearest fix time within the tolerance
        JOIN LATERAL (SELECT g.true_lon, g.true_lat FROM ground_truth_position g
          WHERE g.trial_id = $1 AND g.device_id = f.device_id AND g.dropped_reason IS NULL
            AND g.fix_time BETWEEN f.time - ${msInterval(10)} AND f.time + ${msInterval(10)}
          ORDER BY abs(extract(epoch FROM g.fix_time - f.time)) LIMIT 1) gp ON true
      )
      SELECT key, label, ${errorFiguresSql('$11')}
      FROM matched GROUP BY key, label ORDER BY label`,
      [...scopeValues(trialId, query), query.positionToleranceMs, CDF_QUANTILES],
    );
    return rows.map((row) => ({ key: String(row.key), label: String(row.label), ...errorFigures(row) }));
  }

  /**
   * Horizontal error against surveyed check points: every fix a device took during a recorded visit to a
   * point (within the session's window too) against the point's surveyed position.
   */
  async checkPoints(trialId: string, query: KpiQuery): Promise<CheckPointErrorGroup[]> {
    const { key, label } = this.group(query);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `WITH ${SCOPE_CTE},
      matched AS (
        SELECT ${key} AS key, ${label} AS label, sc.device_id, v.id AS visit_id, cp.id AS check_point_id,
               cp.accuracy_m AS survey_accuracy_m, ${distanceM('f.lon', 'f.lat', 'cp.lon', 'cp.lat')} AS error_m
        FROM scope sc
        JOIN check_point_visit v ON v.session_id = sc.session_id AND v.device_id = sc.device_id
        JOIN check_point cp ON cp.id = v.check_point_id
        JOIN fix f ON f.device_id = sc.device_id
          AND f.time >= greatest(v.from_time, sc.window_from) AND f.time < least(v.to_time, sc.window_to)
      )
      SELECT key, label, count(DISTINCT visit_id)::int AS visits, count(DISTINCT check_point_id)::int AS points,
        max(survey_accuracy_m) AS survey_accuracy_max_m, ${errorFiguresSql('$10')}
      FROM matched GROUP BY key, label ORDER BY label`,
      [...scopeValues(trialId, query), CDF_QUANTILES],
    );
    return rows.map((row) => ({
      key: String(row.key),
      label: String(row.label),
      visits: Number(row.visits),
      checkPoints: Number(row.points),
      surveyAccuracyMaxM: num(row.survey_accuracy_max_m),
      ...errorFigures(row),
    }));
  }

  async availability(trialId: string, query: KpiQuery): Promise<AvailabilityGroup[]> {
    const { key, label } = this.group(query);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `WITH ${SCOPE_CTE},
      intervals AS (
        SELECT ${key} AS key, sc.session_id, sc.device_id,
          extract(epoch FROM f.time - lag(f.time) OVER (PARTITION BY sc.session_id, sc.device_id ORDER BY f.time))::float8
            AS interval_s
        FROM scope sc
        JOIN fix f ON f.device_id = sc.device_id AND f.time >= sc.window_from AND f.time < sc.window_to
      ),
      device_interval AS (
        SELECT session_id, device_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY interval_s) AS median_s
        FROM intervals GROUP BY session_id, device_id
      ),
      per AS (
        SELECT ${key} AS key, ${label} AS label,
          (SELECT count(*) FROM fix f WHERE f.device_id = sc.device_id
             AND f.time >= sc.window_from AND f.time < sc.window_to) AS received,
          (SELECT count(*) FROM fix f WHERE f.device_id = sc.device_id
             AND f.time >= sc.window_from AND f.time < sc.window_to AND f.accuracy_m <= $10) AS accurate,
          (SELECT count(*) FROM ground_truth_position g WHERE g.trial_id = $1 AND g.device_id = sc.device_id
             AND g.true_time >= sc.window_from AND g.true_time < sc.window_to) AS truth_expected,
          extract(epoch FROM sc.window_to - sc.window_from)::float8 AS window_s, di.median_s
        FROM scope sc LEFT JOIN device_interval di ON di.session_id = sc.session_id AND di.device_id = sc.device_id
      ),
      totals AS (
        SELECT key, label, sum(received)::int AS received, sum(accurate)::int AS accurate,
          -- expected: every fix the ground truth says was taken, else the window over the reporting interval
          sum(CASE WHEN truth_expected > 0 THEN truth_expected
                   WHEN median_s > 0 THEN ceil(window_s / median_s) ELSE 0 END)::int AS expected
        FROM per GROUP BY key, label
      ),
      gaps AS (
        SELECT key,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY interval_s) AS interval_p50_s,
          percentile_cont(0.95) WITHIN GROUP (ORDER BY interval_s) AS interval_p95_s,
          max(interval_s) AS interval_max_s,
          count(*) FILTER (WHERE interval_s * 1000 > $11)::int AS dropouts,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY interval_s) FILTER (WHERE interval_s * 1000 > $11) AS regain_p50_s,
          percentile_cont(0.95) WITHIN GROUP (ORDER BY interval_s) FILTER (WHERE interval_s * 1000 > $11) AS regain_p95_s,
          max(interval_s) FILTER (WHERE interval_s * 1000 > $11) AS regain_max_s
        FROM intervals WHERE interval_s IS NOT NULL GROUP BY key
      )
      SELECT t.*, g.interval_p50_s, g.interval_p95_s, g.interval_max_s, COALESCE(g.dropouts, 0) AS dropouts,
        g.regain_p50_s, g.regain_p95_s, g.regain_max_s
      FROM totals t LEFT JOIN gaps g USING (key) ORDER BY t.label`,
      [...scopeValues(trialId, query), query.accuracyThresholdM, query.dropoutMs],
    );
    return rows.map((row) => {
      const expected = Number(row.expected);
      return {
        key: String(row.key),
        label: String(row.label),
        expectedFixes: expected,
        receivedFixes: Number(row.received),
        accurateFixes: Number(row.accurate),
        availability: expected > 0 ? Math.min(1, Number(row.accurate) / expected) : null,
        fixIntervalP50S: num(row.interval_p50_s),
        fixIntervalP95S: num(row.interval_p95_s),
        fixIntervalMaxS: num(row.interval_max_s),
        dropouts: Number(row.dropouts),
        regainP50S: num(row.regain_p50_s),
        regainP95S: num(row.regain_p95_s),
        regainMaxS: num(row.regain_max_s),
      };
    });
  }

  /** The CTEs scoring each true crossing in scope against Lookout's detections and the device's alerts. */
  private scoredCte(key: string, label: string): string {
    return `${SCOPE_CTE},
      crossing AS (
        SELECT ${key} AS key, ${label} AS label, sc.device_id, c.id, c.zone_ref, c.zone_id AS truth_zone_id,
          c.time_out, c.time_back_in, c.duration_ms, c.time_out - ${msInterval(10)} AS match_from,
          COALESCE(c.time_back_in, sc.window_to) + ${msInterval(10)} AS match_to
        FROM scope sc JOIN ground_truth_crossing c ON c.trial_id = $1 AND c.device_id = sc.device_id
          AND c.time_out >= sc.window_from AND c.time_out < sc.window_to AND c.duration_ms >= $11
      ),
      scored AS (
        SELECT cr.*, lk.id AS detection_id, lk.at AS lookout_at, lk.detected_at AS lookout_detected_at,
          lk.breach_margin_m, lk.zone_id AS lookout_zone_id, lk.zone_version AS lookout_zone_version,
          ack.latency_ms AS ack_latency_ms, dv.time AS device_alert_at
        FROM crossing cr
        LEFT JOIN LATERAL (SELECT e.id, e.at, e.detected_at, e.breach_margin_m, e.zone_id, e.zone_version
          FROM detection_event e
          WHERE e.device_id = cr.device_id AND ${IS_LOOKOUT_ALERT} AND e.at BETWEEN cr.match_from AND cr.match_to
          ORDER BY e.at LIMIT 1) lk ON true
        LEFT JOIN detection_acknowledgement ack ON ack.detection_id = lk.id
        LEFT JOIN LATERAL (SELECT v.time FROM device_event v
          WHERE v.device_id = cr.device_id AND v.kind = 'alert-raised' AND v.time BETWEEN cr.match_from AND cr.match_to
          ORDER BY v.time LIMIT 1) dv ON true
      ),
      truth_window AS (
        SELECT c.device_id, c.time_out - ${msInterval(10)} AS match_from,
          COALESCE(c.time_back_in, 'infinity'::timestamptz) + ${msInterval(10)} AS match_to
        FROM ground_truth_crossing c WHERE c.trial_id = $1
      ),
      false_alert AS (
        SELECT ${key} AS key, 'lookout' AS source, e.device_id, e.at AS at
        FROM scope sc JOIN detection_event e ON e.device_id = sc.device_id
          AND e.at >= sc.window_from AND e.at < sc.window_to AND ${IS_LOOKOUT_ALERT}
        WHERE NOT EXISTS (SELECT 1 FROM truth_window w WHERE w.device_id = e.device_id
          AND e.at BETWEEN w.match_from AND w.match_to)
        UNION ALL
        SELECT ${key}, 'device', v.device_id, v.time
        FROM scope sc JOIN device_event v ON v.device_id = sc.device_id AND v.kind = 'alert-raised'
          AND v.time >= sc.window_from AND v.time < sc.window_to
        WHERE NOT EXISTS (SELECT 1 FROM truth_window w WHERE w.device_id = v.device_id
          AND v.time BETWEEN w.match_from AND w.match_to)
      )`;
  }

  async detection(trialId: string, query: KpiQuery): Promise<DetectionGroup[]> {
    const { key, label } = this.group(query);
    const seconds = (a: string, b: string) => `extract(epoch FROM ${a} - ${b})::float8`;
    const quantiles = (expression: string, name: string) => `
      percentile_cont(0.5) WITHIN GROUP (ORDER BY ${expression}) AS ${name}_p50,
      percentile_cont(0.95) WITHIN GROUP (ORDER BY ${expression}) AS ${name}_p95,
      max(${expression}) AS ${name}_max`;
    const deviceMargins = new Map<string, number[]>();
    for (const margin of await this.deviceAlertMargins(trialId, query)) {
      if (margin.marginM === null) continue;
      const list = deviceMargins.get(margin.key) ?? [];
      list.push(margin.marginM);
      deviceMargins.set(margin.key, list);
    }
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `WITH ${this.scoredCte(key, label)},
      exposure AS (
        SELECT ${key} AS key, ${label} AS label,
          sum(extract(epoch FROM sc.window_to - sc.window_from))::float8 / 3600 AS hours,
          count(DISTINCT sc.worker_id)::int AS workers, count(DISTINCT sc.device_id)::int AS devices
        FROM scope sc GROUP BY 1, 2
      ),
      totals AS (
        SELECT key, count(*)::int AS crossings, count(lookout_at)::int AS lookout_true,
          count(device_alert_at)::int AS device_true,
          ${quantiles(seconds('device_alert_at', 'time_out'), 'device_latency')},
          ${quantiles(seconds('lookout_at', 'time_out'), 'lookout_latency')},
          ${quantiles(seconds('lookout_detected_at', 'time_out'), 'lookout_decision')},
          ${quantiles('ack_latency_ms / 1000.0', 'ack_latency')},
          percentile_cont(0.5) WITHIN GROUP (ORDER BY breach_margin_m) AS margin_p50,
          max(breach_margin_m) AS margin_max, count(breach_margin_m)::int AS margins_measured
        FROM scored GROUP BY key
      ),
      falses AS (
        SELECT key, count(*) FILTER (WHERE source = 'lookout')::int AS lookout_false,
          count(*) FILTER (WHERE source = 'device')::int AS device_false
        FROM false_alert GROUP BY key
      )
      -- t.* carries t.key too (NULL for a slice without crossings): the slice's own key comes after it, and the
      -- last column of a name is the one a row keeps.
      SELECT t.*, x.key, x.label, x.hours, x.workers, x.devices, COALESCE(f.lookout_false, 0) AS lookout_false,
        COALESCE(f.device_false, 0) AS device_false
      FROM exposure x LEFT JOIN totals t USING (key) LEFT JOIN falses f USING (key) ORDER BY x.label`,
      [...scopeValues(trialId, query), query.matchToleranceMs, query.minCrossingMs],
    );
    return rows.map((row) => {
      const crossings = Number(row.crossings ?? 0);
      const hours = Number(row.hours ?? 0);
      const side = (prefix: 'lookout' | 'device') => {
        const truePositives = Number(row[`${prefix}_true`] ?? 0);
        const falseAlerts = Number(row[`${prefix}_false`] ?? 0);
        return {
          trueAlerts: truePositives,
          missedAlerts: crossings - truePositives,
          falseAlerts,
          sensitivity: crossings > 0 ? truePositives / crossings : null,
          falseAlertsPerWorkerHour: hours > 0 ? falseAlerts / hours : null,
        };
      };
      const latency = (name: string) => ({
        p50S: num(row[`${name}_p50`]),
        p95S: num(row[`${name}_p95`]),
        maxS: num(row[`${name}_max`]),
      });
      const measured = deviceMargins.get(String(row.key)) ?? [];
      const device = medianAndMax(measured);
      return {
        key: String(row.key),
        label: String(row.label),
        exposureHours: hours,
        workers: Number(row.workers),
        devices: Number(row.devices),
        crossings,
        lookout: {
          ...side('lookout'),
          breachMarginP50M: num(row.margin_p50),
          breachMarginMaxM: num(row.margin_max),
          breachMarginsMeasured: Number(row.margins_measured ?? 0),
        },
        device: {
          ...side('device'),
          breachMarginP50M: device.p50,
          breachMarginMaxM: device.max,
          breachMarginsMeasured: measured.length,
        },
        latency: {
          crossingToDeviceAlert: latency('device_latency'),
          crossingToLookoutEvent: latency('lookout_latency'),
          crossingToLookoutDecision: latency('lookout_decision'),
          detectionToAcknowledgement: latency('ack_latency'),
        },
      };
    });
  }

  /**
   * For each true crossing the device alerted: where the worker was at the alert (ground-truth samples either
   * side on the device's clock, and the device's last fix) and the zone version to measure against — the one
   * Lookout judged the crossing with, else the ground truth's zone at the version live at the alert.
   */
  async deviceAlertMargins(
    trialId: string,
    query: KpiQuery,
  ): Promise<(AlertMargin & { key: string; crossingId: string })[]> {
    const { key, label } = this.group(query);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `WITH ${this.scoredCte(key, label)},
      alerted AS (
        SELECT s.key, s.id, s.device_id, s.device_alert_at, s.match_from,
          COALESCE(s.truth_zone_id, s.lookout_zone_id) AS zone_id,
          CASE WHEN s.lookout_zone_id = COALESCE(s.truth_zone_id, s.lookout_zone_id) THEN s.lookout_zone_version END
            AS zone_version
        FROM scored s WHERE s.device_alert_at IS NOT NULL
      )
      SELECT a.key, a.id, a.device_alert_at,
        tb.fix_time AS before_t, tb.true_lon AS before_lon, tb.true_lat AS before_lat,
        ta.fix_time AS after_t, ta.true_lon AS after_lon, ta.true_lat AS after_lat,
        lf.time AS fix_t, lf.lon AS fix_lon, lf.lat AS fix_lat,
        zv.kind AS zone_kind, zv.geometry AS zone_geometry, zv.half_width_m AS zone_half_width_m
      FROM alerted a
      LEFT JOIN LATERAL (SELECT g.fix_time, g.true_lon, g.true_lat FROM ground_truth_position g
        WHERE g.trial_id = $1 AND g.device_id = a.device_id AND g.dropped_reason IS NULL
          AND g.fix_time <= a.device_alert_at ORDER BY g.fix_time DESC LIMIT 1) tb ON true
      LEFT JOIN LATERAL (SELECT g.fix_time, g.true_lon, g.true_lat FROM ground_truth_position g
        WHERE g.trial_id = $1 AND g.device_id = a.device_id AND g.dropped_reason IS NULL
          AND g.fix_time > a.device_alert_at ORDER BY g.fix_time LIMIT 1) ta ON true
      LEFT JOIN LATERAL (SELECT f.time, f.lon, f.lat FROM fix f WHERE f.device_id = a.device_id
          AND f.time <= a.device_alert_at AND f.time >= a.match_from ORDER BY f.time DESC LIMIT 1) lf ON true
      LEFT JOIN LATERAL (SELECT v.kind, v.geometry, v.half_width_m FROM zone_version v
        WHERE v.zone_id = a.zone_id AND (a.zone_version IS NULL OR v.version = a.zone_version)
        -- the version live at the alert; when every version is younger (zones drawn after a replay), the first
        ORDER BY (v.created_at <= a.device_alert_at) DESC,
          CASE WHEN v.created_at <= a.device_alert_at THEN v.version END DESC NULLS LAST, v.version
        LIMIT 1) zv ON true`,
      [...scopeValues(trialId, query), query.matchToleranceMs, query.minCrossingMs],
    );
    const position = (t: unknown, lon: unknown, lat: unknown): TimedPosition | null =>
      t instanceof Date ? { timeMs: t.getTime(), lon: Number(lon), lat: Number(lat) } : null;
    return rows.map((row) => {
      const zone: ZoneShape | null = row.zone_geometry
        ? {
            kind: row.zone_kind as ZoneShape['kind'],
            geometry: row.zone_geometry as ZoneShape['geometry'],
            halfWidthM: num(row.zone_half_width_m),
          }
        : null;
      const margin = alertMargin(
        {
          alertAtMs: (row.device_alert_at as Date).getTime(),
          truthBefore: position(row.before_t, row.before_lon, row.before_lat),
          truthAfter: position(row.after_t, row.after_lon, row.after_lat),
          lastFix: position(row.fix_t, row.fix_lon, row.fix_lat),
          zone,
        },
        query.positionToleranceMs,
      );
      return { key: String(row.key), crossingId: String(row.id), ...margin };
    });
  }

  /** Each scored crossing, and the false alerts, for the detail view and the report's plots. */
  async crossings(
    trialId: string,
    query: KpiQuery,
  ): Promise<{ crossings: CrossingScore[]; falseAlerts: FalseAlert[] }> {
    const { key, label } = this.group(query);
    const values = [...scopeValues(trialId, query), query.matchToleranceMs, query.minCrossingMs];
    const cte = this.scoredCte(key, label);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `WITH ${cte} SELECT id, key, device_id, zone_ref, time_out, time_back_in, duration_ms, lookout_at,
        lookout_detected_at, breach_margin_m, device_alert_at, ack_latency_ms FROM scored ORDER BY time_out, device_id`,
      values,
    );
    const margins = new Map(
      (await this.deviceAlertMargins(trialId, query)).map((margin) => [margin.crossingId, margin]),
    );
    const falses: Record<string, unknown>[] = await this.dataSource.query(
      `WITH ${cte} SELECT key, source, device_id, at FROM false_alert ORDER BY at`,
      values,
    );
    return {
      crossings: rows.map((row) => ({
        key: String(row.key),
        deviceId: String(row.device_id),
        zoneRef: (row.zone_ref as string | null) ?? null,
        timeOut: iso(row.time_out as Date)!,
        timeBackIn: iso(row.time_back_in as Date | null),
        durationMs: Number(row.duration_ms),
        lookoutAt: iso(row.lookout_at as Date | null),
        lookoutDetectedAt: iso(row.lookout_detected_at as Date | null),
        breachMarginM: num(row.breach_margin_m),
        deviceAlertAt: iso(row.device_alert_at as Date | null),
        deviceBreachMarginM: margins.get(String(row.id))?.marginM ?? null,
        deviceBreachPositionSource: margins.get(String(row.id))?.source ?? null,
        ackLatencyMs: num(row.ack_latency_ms),
      })),
      falseAlerts: falses.map((row) => ({
        key: String(row.key),
        source: row.source as FalseAlert['source'],
        deviceId: String(row.device_id),
        at: iso(row.at as Date)!,
      })),
    };
  }

  async reliability(trialId: string, query: KpiQuery): Promise<ReliabilityGroup[]> {
    const { key, label } = this.group(query);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `WITH ${SCOPE_CTE},
      per AS (
        SELECT ${key} AS key, ${label} AS label, sc.drift,
          (SELECT count(DISTINCT date_bin(interval '1 minute', f.time, sc.window_from)) FROM fix f
            WHERE f.device_id = sc.device_id AND f.time >= sc.window_from AND f.time < sc.window_to) AS minutes_up,
          ceil(extract(epoch FROM sc.window_to - sc.window_from) / 60) AS minutes,
          -- hours per full charge from the least-squares drain rate (%/s) over every battery reading
          CASE WHEN bat.samples >= 2 AND bat.slope_pct_per_s < 0 THEN 100 / (-bat.slope_pct_per_s * 3600) END
            AS battery_hours
        FROM scope sc
        LEFT JOIN LATERAL (
          SELECT regr_slope(pct, extract(epoch FROM t)::float8) AS slope_pct_per_s, count(*) AS samples
          FROM (SELECT f.time AS t, f.battery_pct::float8 AS pct FROM fix f WHERE f.device_id = sc.device_id
                  AND f.time >= sc.window_from AND f.time < sc.window_to AND f.battery_pct IS NOT NULL
                UNION ALL
                SELECT v.time, v.battery_pct::float8 FROM device_event v WHERE v.device_id = sc.device_id
                  AND v.kind = 'battery' AND v.time >= sc.window_from AND v.time < sc.window_to
                  AND v.battery_pct IS NOT NULL) b
        ) bat ON true
      )
      SELECT key, label, count(*)::int AS device_sessions, count(*) FILTER (WHERE drift)::int AS drift_sessions,
        sum(minutes_up)::float8 / NULLIF(sum(minutes), 0)::float8 AS uptime,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY battery_hours) AS battery_p50, min(battery_hours) AS battery_min,
        count(battery_hours)::int AS battery_sessions
      FROM per GROUP BY key, label ORDER BY label`,
      scopeValues(trialId, query),
    );
    return rows.map((row) => ({
      key: String(row.key),
      label: String(row.label),
      deviceSessions: Number(row.device_sessions),
      driftSessions: Number(row.drift_sessions),
      uptime: num(row.uptime),
      batteryHoursP50: num(row.battery_p50),
      batteryHoursMin: num(row.battery_min),
      batterySessions: Number(row.battery_sessions),
    }));
  }

  /** Stores one ground-truth document; device ids and zone refs mapped as the caller says. */
  async importGroundTruth(
    input: GroundTruthInput,
    importedBy: string,
    rejected: { count: number; rows: RejectedRow[] },
  ): Promise<{ id: string; crossings: number; positions: number; dropped: number }> {
    const { document: doc } = input;
    const device = (id: string) => input.deviceIds[id] ?? id;
    return this.dataSource.transaction(async (manager) => {
      const [{ id }] = (await manager.query(
        `INSERT INTO ground_truth_import (trial_id, session_id, format, scenario, seed, start_time, end_time, imported_by,
           rejected_count, rejected_rows)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [
          input.trialId,
          input.sessionId ?? null,
          doc.format,
          doc.scenario,
          doc.seed,
          doc.startTime,
          doc.endTime,
          importedBy,
          rejected.count,
          JSON.stringify(rejected.rows),
        ],
      )) as { id: string }[];
      const c = doc.crossings;
      await manager.query(
        `INSERT INTO ground_truth_crossing (import_id, trial_id, session_id, device_id, zone_ref, zone_id, time_out,
           time_back_in, duration_ms, max_beyond_m, fixes_during)
         SELECT $1, $2, $3, * FROM unnest($4::text[], $5::text[], $6::uuid[], $7::timestamptz[], $8::timestamptz[],
           $9::int[], $10::float8[], $11::int[])`,
        [
          id,
          input.trialId,
          input.sessionId ?? null,
          c.map((x) => device(x.deviceId)),
          c.map((x) => x.zoneId),
          c.map((x) => (x.zoneId === null ? null : (input.zoneIds[x.zoneId] ?? null))),
          c.map((x) => x.timeOut),
          c.map((x) => x.timeBackIn),
          c.map((x) => x.durationMs),
          c.map((x) => x.maxBeyondM),
          c.map((x) => x.fixesDuring),
        ],
      );
      const p = doc.positions;
      const d = doc.dropped;
      await manager.query(
        `INSERT INTO ground_truth_position (import_id, trial_id, device_id, sequence, true_time, fix_time, true_lon,
           true_lat, environment, dropped_reason)
         SELECT $1, $2, * FROM unnest($3::text[], $4::bigint[], $5::timestamptz[], $6::timestamptz[], $7::float8[],
           $8::float8[], $9::text[], $10::text[])`,
        [
          id,
          input.trialId,
          [...p.map((x) => device(x.deviceId)), ...d.map((x) => device(x.deviceId))],
          [...p.map((x) => x.sequence), ...d.map((x) => x.sequence)],
          [...p.map((x) => x.trueTime), ...d.map((x) => x.trueTime)],
          [...p.map((x) => x.fixTime), ...d.map(() => null)],
          [...p.map((x) => x.trueLon), ...d.map(() => null)],
          [...p.map((x) => x.trueLat), ...d.map(() => null)],
          [...p.map((x) => x.environment), ...d.map(() => null)],
          [...p.map(() => null), ...d.map((x) => x.reason)],
        ],
      );
      return { id, crossings: c.length, positions: p.length, dropped: d.length };
    });
  }

  /** What a check-point visit must agree with: the session's trial and devices, the point's zone's trial. */
  async visitContext(sessionId: string, checkPointId: string) {
    const [row] = (await this.dataSource.query(
      `SELECT s.trial_id AS "trialId", s.device_ids AS "deviceIds", s.status,
         COALESCE(s.actual_start, s.planned_start) AS "windowFrom", COALESCE(s.actual_end, s.planned_end) AS "windowTo",
         (SELECT z.trial_id FROM check_point cp JOIN zone z ON z.id = cp.zone_id WHERE cp.id = $2) AS "pointTrialId",
         EXISTS (SELECT 1 FROM check_point cp WHERE cp.id = $2) AS "pointExists"
       FROM session s WHERE s.id = $1`,
      [sessionId, checkPointId],
    )) as {
      trialId: string;
      deviceIds: string[];
      status: string;
      windowFrom: Date;
      windowTo: Date;
      pointTrialId: string | null;
      pointExists: boolean;
    }[];
    return row;
  }

  async insertVisit(visit: {
    sessionId: string;
    checkPointId: string;
    deviceId: string;
    from: Date;
    to: Date;
    notes: string;
    recordedBy: string;
  }): Promise<CheckPointVisit> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO check_point_visit (session_id, check_point_id, device_id, from_time, to_time, notes, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        visit.sessionId,
        visit.checkPointId,
        visit.deviceId,
        visit.from,
        visit.to,
        visit.notes,
        visit.recordedBy,
      ],
    )) as { id: string }[];
    return (await this.visits(visit.sessionId, undefined, row!.id))[0]!;
  }

  /** A session's visits (optionally only those of one supplier's devices, or one visit). */
  async visits(sessionId: string, supplierId?: string, visitId?: string): Promise<CheckPointVisit[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT v.id, v.session_id, v.check_point_id, cp.name AS check_point_name, cp.zone_id, cp.lon, cp.lat,
         cp.accuracy_m, v.device_id, v.from_time, v.to_time, v.notes, v.recorded_by, v.recorded_at
       FROM check_point_visit v JOIN check_point cp ON cp.id = v.check_point_id
       JOIN device d ON d.id = v.device_id LEFT JOIN device_model m ON m.id = d.model_id
       WHERE v.session_id = $1 AND ($2::text IS NULL OR m.supplier_id::text = $2) AND ($3::uuid IS NULL OR v.id = $3)
       ORDER BY v.from_time, v.device_id`,
      [sessionId, supplierId ?? null, visitId ?? null],
    );
    return rows.map((row) => ({
      id: String(row.id),
      sessionId: String(row.session_id),
      checkPointId: String(row.check_point_id),
      checkPointName: String(row.check_point_name),
      zoneId: String(row.zone_id),
      surveyedLon: Number(row.lon),
      surveyedLat: Number(row.lat),
      surveyAccuracyM: Number(row.accuracy_m),
      deviceId: String(row.device_id),
      from: iso(row.from_time as Date)!,
      to: iso(row.to_time as Date)!,
      notes: String(row.notes),
      recordedBy: String(row.recorded_by),
      recordedAt: iso(row.recorded_at as Date)!,
    }));
  }

  /** Device ids (after mapping) that do not exist, so an import names them instead of failing on a foreign key. */
  async unknownDevices(ids: readonly string[]): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT u.id FROM unnest($1::text[]) AS u(id) WHERE NOT EXISTS (SELECT 1 FROM device d WHERE d.id = u.id)`,
      [ids],
    );
    return rows.map((row) => row.id);
  }

  async trialOfSession(sessionId: string): Promise<string | undefined> {
    const rows: { trial_id: string }[] = await this.dataSource.query(
      `SELECT trial_id FROM session WHERE id = $1`,
      [sessionId],
    );
    return rows[0]?.trial_id;
  }

  async sessionInTrial(trialId: string, sessionId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM session WHERE id = $1 AND trial_id = $2`,
      [sessionId, trialId],
    );
    return rows.length > 0;
  }

  async criteria(trialId: string) {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT id, metric, comparator, threshold, unit, description FROM criterion WHERE trial_id = $1 ORDER BY created_at, id`,
      [trialId],
    );
    return rows.map((row) => ({
      id: String(row.id),
      metric: String(row.metric),
      comparator: row.comparator as '<' | '<=' | '>' | '>=' | '=',
      threshold: Number(row.threshold),
      unit: String(row.unit),
      description: String(row.description),
    }));
  }

  /** Suppliers taking part in the trial (optionally only one). */
  async suppliers(trialId: string, supplierId?: string): Promise<{ id: string; name: string }[]> {
    return this.dataSource.query(
      `SELECT s.id, s.name FROM trial_supplier ts JOIN supplier s ON s.id = ts.supplier_id
       WHERE ts.trial_id = $1 AND ($2::uuid IS NULL OR s.id = $2) ORDER BY s.name`,
      [trialId, supplierId ?? null],
    );
  }

  /** What the report's method and configuration sections describe. */
  async trialContext(trialId: string, supplierId?: string) {
    const [trial] = (await this.dataSource.query(
      `SELECT id, name, sponsor, status, phases, dpia_reference FROM trial WHERE id = $1`,
      [trialId],
    )) as {
      id: string;
      name: string;
      sponsor: string;
      status: string;
      phases: unknown;
      dpia_reference: string | null;
    }[];
    const sessions: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT s.id, si.name AS site, si.environment, sc.name AS scenario, s.status,
         COALESCE(s.actual_start, s.planned_start) AS start_time, COALESCE(s.actual_end, s.planned_end) AS end_time,
         (SELECT count(*) FROM unnest(s.device_ids) u(id) JOIN device d ON d.id = u.id
            LEFT JOIN device_model m ON m.id = d.model_id WHERE $2::uuid IS NULL OR m.supplier_id = $2)::int AS devices
       FROM session s JOIN site si ON si.id = s.site_id LEFT JOIN scenario sc ON sc.id = s.scenario_id
       WHERE s.trial_id = $1 ORDER BY start_time`,
      [trialId, supplierId ?? null],
    );
    const configurations: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT sup.name AS supplier, m.name AS model, d.id AS device, c.hardware_revision, c.firmware, c.app_version,
         c.gnss_receiver, c.correction_service, c.alert_mode, m.accepted_config
       FROM device d JOIN device_model m ON m.id = d.model_id JOIN supplier sup ON sup.id = m.supplier_id
       LEFT JOIN LATERAL (SELECT * FROM device_config c WHERE c.device_id = d.id ORDER BY effective_from DESC LIMIT 1) c ON true
       WHERE d.id IN (SELECT unnest(device_ids) FROM session WHERE trial_id = $1
                      UNION SELECT device_id FROM enrolment WHERE trial_id = $1)
         AND ($2::uuid IS NULL OR sup.id = $2)
       ORDER BY sup.name, m.name, d.id`,
      [trialId, supplierId ?? null],
    );
    const provenance: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT scenario, seed, format, start_time, end_time, imported_at, rejected_count,
         (SELECT count(*) FROM ground_truth_crossing c WHERE c.import_id = i.id)::int AS crossings,
         (SELECT count(*) FROM ground_truth_position p WHERE p.import_id = i.id)::int AS positions
       FROM ground_truth_import i WHERE trial_id = $1 ORDER BY imported_at`,
      [trialId],
    );
    return { trial, sessions, configurations, provenance };
  }
}
