import type { GroupBy, KpiQuery } from './kpi.dto.js';

/**
 * SQL fragments shared by the KPI queries. Every KPI starts from `scope`: one row per device per session
 * of the trial (not aborted), with the slices it belongs to (supplier, model, firmware at session start,
 * site, environment class, session, phase) and its window (actual times, else planned). Parameters $1..$9
 * are the trial and the filters; each query numbers its own from $10.
 */

/** Key and label of each grouping, over the `sc` alias of `scope`. Only these strings reach the SQL. */
export const GROUP_EXPRESSIONS: Readonly<Record<GroupBy, { key: string; label: string }>> = {
  trial: { key: `'trial'`, label: `'whole trial'` },
  supplier: {
    key: `COALESCE(sc.supplier_id::text, 'none')`,
    label: `COALESCE(sc.supplier_name, 'no supplier')`,
  },
  model: { key: `COALESCE(sc.model_id::text, 'none')`, label: `COALESCE(sc.model_name, 'no model')` },
  firmware: { key: `sc.firmware`, label: `sc.firmware` },
  site: { key: `sc.site_id::text`, label: `sc.site_name` },
  environment: { key: `sc.environment`, label: `sc.environment` },
  session: {
    key: `sc.session_id::text`,
    label: `sc.site_name || ' ' || to_char(sc.window_from, 'YYYY-MM-DD HH24:MI')`,
  },
  phase: { key: `sc.phase`, label: `sc.phase` },
  device: { key: `sc.device_id`, label: `sc.device_id` },
};

/** The configuration in force differs from the model's accepted one (`c` device_config, `m` device_model). */
const CONFIG_DIFFERS = `(c.hardware_revision, c.firmware, c.app_version, c.gnss_receiver, c.correction_service,
  c.alert_mode) IS DISTINCT FROM (m.accepted_config->>'hardwareRevision', m.accepted_config->>'firmware',
  m.accepted_config->>'appVersion', m.accepted_config->>'gnssReceiver', m.accepted_config->>'correctionService',
  m.accepted_config->>'alertMode')`;

export const SCOPE_CTE = `scope AS (
  SELECT * FROM (
    SELECT s.id AS session_id, s.site_id, si.name AS site_name, si.environment,
      d.id AS device_id, m.id AS model_id, m.name AS model_name, sup.id AS supplier_id, sup.name AS supplier_name,
      COALESCE(cfg.firmware, 'unknown') AS firmware, COALESCE(ph.name, 'unphased') AS phase,
      w.from_t AS window_from, w.to_t AS window_to,
      -- drift: any configuration in force during the session differs from the accepted one
      EXISTS (SELECT 1 FROM device_config c WHERE c.device_id = d.id AND m.accepted_config IS NOT NULL
        AND c.effective_from < w.to_t AND c.effective_from >= COALESCE(cfg.effective_from, '-infinity')
        AND ${CONFIG_DIFFERS}) AS drift,
      (SELECT e.worker_id FROM enrolment e WHERE e.trial_id = s.trial_id AND e.device_id = d.id
        AND e.valid_from <= w.to_t AND (e.valid_to IS NULL OR e.valid_to > w.from_t)
        ORDER BY e.valid_from DESC LIMIT 1) AS worker_id
    FROM session s
    JOIN trial t ON t.id = s.trial_id
    JOIN site si ON si.id = s.site_id
    CROSS JOIN LATERAL (SELECT COALESCE(s.actual_start, s.planned_start) AS from_t,
                               COALESCE(s.actual_end, s.planned_end) AS to_t) w
    CROSS JOIN LATERAL unnest(s.device_ids) AS u(device_id)
    JOIN device d ON d.id = u.device_id
    LEFT JOIN device_model m ON m.id = d.model_id
    LEFT JOIN supplier sup ON sup.id = m.supplier_id
    LEFT JOIN LATERAL (SELECT c.firmware, c.effective_from FROM device_config c
      WHERE c.device_id = d.id AND c.effective_from <= w.from_t ORDER BY c.effective_from DESC LIMIT 1) cfg ON true
    LEFT JOIN LATERAL (SELECT p->>'name' AS name FROM jsonb_array_elements(t.phases) p
      WHERE (p->>'from' IS NULL OR (p->>'from')::timestamptz <= w.from_t)
        AND (p->>'to' IS NULL OR (p->>'to')::timestamptz > w.from_t) LIMIT 1) ph ON true
    WHERE s.trial_id = $1 AND s.status <> 'aborted'
  ) x
  WHERE ($2::uuid IS NULL OR supplier_id = $2) AND ($3::uuid IS NULL OR model_id = $3)
    AND ($4::text IS NULL OR firmware = $4) AND ($5::uuid IS NULL OR site_id = $5)
    AND ($6::text IS NULL OR environment = $6) AND ($7::uuid IS NULL OR session_id = $7)
    AND ($8::text IS NULL OR phase = $8) AND ($9::text IS NULL OR device_id = $9)
)`;

export function scopeValues(trialId: string, query: KpiQuery): unknown[] {
  return [
    trialId,
    query.supplierId ?? null,
    query.modelId ?? null,
    query.firmware ?? null,
    query.siteId ?? null,
    query.environment ?? null,
    query.sessionId ?? null,
    query.phase ?? null,
    query.deviceId ?? null,
  ];
}

/** Great-circle distance in metres (haversine, mean Earth radius), between two lon/lat pairs in degrees. */
export function distanceM(lon1: string, lat1: string, lon2: string, lat2: string): string {
  return `(2 * 6371008.8 * asin(sqrt(
    power(sin(radians(${lat2} - ${lat1}) / 2), 2) +
    cos(radians(${lat1})) * cos(radians(${lat2})) * power(sin(radians(${lon2} - ${lon1}) / 2), 2))))`;
}

/** A Lookout detection that counts as an alert for a crossing: a crossing, or a status change to breach. */
export const IS_LOOKOUT_ALERT = `(e.type = 'crossing' OR (e.type = 'status' AND e.status = 'breach'))`;

/** Milliseconds parameter `$n` as an interval. */
export const msInterval = (n: number) => `($${n}::int * interval '1 millisecond')`;

/** Quantiles of the error CDF returned with the positioning KPIs. */
export const CDF_QUANTILES = Array.from({ length: 21 }, (_, i) => i / 20);
