import {
  FIX_TYPES,
  parseCanonicalDeviceEvent,
  parseCanonicalFix,
  type CanonicalDeviceEvent,
  type CanonicalFix,
  type DecodeContext,
  type DecodeResult,
  type RejectedItem,
} from '../../../../libs/telemetry/src/index.js';
import { isRecord, MAX_ITEMS_PER_MESSAGE, rejectWhole } from '../codec-support.js';

/**
 * SenML (RFC 8428) packs of location records, shared by the JSON and CBOR codecs. Records arrive here in
 * JSON label form (`bn`, `bt`, `n`, `v`...); the CBOR codec maps its integer labels first.
 *
 * Which record means what (RFC 8428 defines no location names, so Lookout defines them):
 * the record's own `n`, last segment after ":" or "/", selects the field; a record without `n` falls back
 * to the last segment of the base name, then to its unit (RFC 8428 §5.1.3 reports position as records with
 * units `lat`/`lon` and battery as `%EL`).
 */
export const SENML_FIELDS = {
  lat: { canonical: 'lat', units: ['lat', undefined] },
  lon: { canonical: 'lon', units: ['lon', undefined] },
  /** Horizontal accuracy, metres, 95% confidence: the canonical definition. */
  acc: { canonical: 'accuracyM', units: ['m'] },
  alt: { canonical: 'altitudeM', units: ['m'] },
  spd: { canonical: 'speedMps', units: ['m/s'] },
  hdg: { canonical: 'headingDeg', units: ['deg', 'rad'] },
  batt: { canonical: 'batteryPct', units: ['%EL', '%', undefined] },
  sats: { canonical: 'satellites', units: [undefined] },
  seq: { canonical: 'sequence', units: [undefined] },
  /** String value (`vs`): one of the canonical fix types. */
  fix: { canonical: 'fixType', units: [undefined] },
} as const;

type FieldName = keyof typeof SENML_FIELDS;
const UNIT_ONLY: Readonly<Record<string, FieldName>> = { lat: 'lat', lon: 'lon', '%EL': 'batt' };

/** SenML version this decoder implements (RFC 8428 §4.4: default and current 10). */
export const SENML_VERSION = 10;
/** Relative-time threshold, RFC 8428 §4.5.3: resolved times below 2^28 s are relative to "now". */
export const SENML_RELATIVE_TIME_LIMIT_S = 2 ** 28;
export const MAX_SENML_RECORDS = MAX_ITEMS_PER_MESSAGE * 8;

const STRING_LABELS = ['bn', 'bu', 'n', 'u', 'vs', 'vd'] as const;
const NUMBER_LABELS = ['bt', 'bv', 'bs', 'bver', 'v', 's', 't', 'ut'] as const;
const KNOWN_LABELS = new Set<string>([...STRING_LABELS, ...NUMBER_LABELS, 'vb']);

/** A record after RFC 8428 §4.6 resolution: base values folded in, time absolute (seconds). */
export interface ResolvedSenmlRecord {
  index: number;
  name: string;
  /** The record's own `n` (or the base name when it has none), used to pick the field. */
  localName: string;
  unit?: string;
  value?: number;
  stringValue?: string;
  booleanValue?: boolean;
  timeS: number;
}

export interface SenmlResolution {
  records: ResolvedSenmlRecord[];
  rejected: RejectedItem[];
}

/**
 * Resolves base fields per RFC 8428 §4.6. A record with a malformed label is rejected (by index) and its
 * base fields are not applied. `nowS` is the receive time, for relative times (§4.5.3).
 */
export function resolveSenmlPack(pack: unknown, nowS: number): SenmlResolution | { whole: string } {
  if (!Array.isArray(pack)) return { whole: 'a SenML pack must be an array of records' };
  if (pack.length === 0) return { whole: 'SenML pack is empty' };
  if (pack.length > MAX_SENML_RECORDS) {
    return { whole: `SenML pack has ${pack.length} records; at most ${MAX_SENML_RECORDS} are accepted` };
  }
  const base: { bn: string; bt: number; bu?: string; bv: number; bver: number } = {
    bn: '',
    bt: 0,
    bv: 0,
    bver: SENML_VERSION,
  };
  const result: SenmlResolution = { records: [], rejected: [] };
  for (const [index, record] of pack.entries()) {
    const problem = checkLabels(record);
    if (problem) {
      // RFC 8428 §4.4: a label ending in "_" must be understood, or the whole pack is refused.
      if (problem.mustUnderstand) return { whole: `record ${index}: ${problem.reason}` };
      result.rejected.push({ index, reason: `record ${index}: ${problem.reason}` });
      continue;
    }
    const r = record as Record<string, unknown>;
    if (r['bver'] !== undefined) {
      if ((r['bver'] as number) > SENML_VERSION) {
        return {
          whole: `record ${index}: bver ${String(r['bver'])} is newer than SenML version ${SENML_VERSION}`,
        };
      }
      base.bver = r['bver'] as number;
    }
    if (r['bn'] !== undefined) base.bn = r['bn'] as string;
    if (r['bt'] !== undefined) base.bt = r['bt'] as number;
    if (r['bu'] !== undefined) base.bu = r['bu'] as string;
    if (r['bv'] !== undefined) base.bv = r['bv'] as number;
    const ownName = r['n'] as string | undefined;
    const name = base.bn + (ownName ?? '');
    if (name === '') {
      result.rejected.push({ index, reason: `record ${index}: no name (neither bn nor n)` });
      continue;
    }
    let timeS = base.bt + ((r['t'] as number | undefined) ?? 0);
    if (timeS < SENML_RELATIVE_TIME_LIMIT_S) timeS += nowS;
    const resolved: ResolvedSenmlRecord = { index, name, localName: ownName ?? base.bn, timeS };
    const unit = (r['u'] as string | undefined) ?? base.bu;
    if (unit !== undefined) resolved.unit = unit;
    if (r['v'] !== undefined) resolved.value = base.bv + (r['v'] as number);
    if (r['vs'] !== undefined) resolved.stringValue = r['vs'] as string;
    if (r['vb'] !== undefined) resolved.booleanValue = r['vb'] as boolean;
    result.records.push(resolved);
  }
  return result;
}

function checkLabels(record: unknown): { reason: string; mustUnderstand?: true } | undefined {
  if (!isRecord(record)) return { reason: 'expected a SenML record (a map of labels)' };
  for (const [label, value] of Object.entries(record)) {
    if ((STRING_LABELS as readonly string[]).includes(label) && typeof value !== 'string') {
      return { reason: `${label}: expected a string` };
    }
    if (
      (NUMBER_LABELS as readonly string[]).includes(label) &&
      (typeof value !== 'number' || !Number.isFinite(value))
    ) {
      return { reason: `${label}: expected a finite number` };
    }
    if (label === 'vb' && typeof value !== 'boolean') return { reason: 'vb: expected a boolean' };
    if (!KNOWN_LABELS.has(label) && label.endsWith('_')) {
      return { reason: `label "${label}" must be understood (ends in "_") and is not`, mustUnderstand: true };
    }
  }
  return undefined;
}

function lastSegment(name: string): string {
  const cut = Math.max(name.lastIndexOf(':'), name.lastIndexOf('/'));
  return name.slice(cut + 1);
}

function fieldOf(record: ResolvedSenmlRecord): FieldName | undefined {
  const segment = lastSegment(record.localName);
  if (segment in SENML_FIELDS) return segment as FieldName;
  return record.unit === undefined ? undefined : UNIT_ONLY[record.unit];
}

interface Group {
  timeMs: number;
  firstIndex: number;
  indexes: number[];
  values: Partial<Record<FieldName, number | string>>;
}

/** Reads one record's value for its field, converting units (heading in rad -> degrees). */
function fieldValue(
  field: FieldName,
  record: ResolvedSenmlRecord,
): { value: number | string } | { reason: string } {
  const spec = SENML_FIELDS[field];
  if (!(spec.units as readonly (string | undefined)[]).includes(record.unit)) {
    const expected = spec.units.map((unit) => (unit === undefined ? 'none' : `"${unit}"`)).join(' or ');
    return { reason: `${field}: unit "${record.unit ?? ''}" is not ${expected}` };
  }
  if (field === 'fix') {
    if (record.stringValue === undefined || !(FIX_TYPES as readonly string[]).includes(record.stringValue)) {
      return { reason: `fix: vs must be one of ${FIX_TYPES.join(', ')}` };
    }
    return { value: record.stringValue };
  }
  if (record.value === undefined) return { reason: `${field}: needs a numeric value (v)` };
  if (field === 'hdg' && record.unit === 'rad') return { value: (record.value * 180) / Math.PI };
  return { value: record.value };
}

function describeGroup(group: Group): string {
  return `records ${group.indexes.join(', ')} at ${new Date(group.timeMs).toISOString()}`;
}

/**
 * Groups resolved records by time (to the millisecond) into fixes. A group with lat/lon is a fix and
 * needs lat, lon and acc; a group with only a battery level becomes a `battery` device event; a group with
 * none of Lookout's fields (humidity, say) is ignored, but a pack yielding nothing at all is rejected.
 */
export function senmlToCanonical(pack: unknown, context: DecodeContext): DecodeResult {
  const resolution = resolveSenmlPack(pack, context.receivedAtMs / 1000);
  if ('whole' in resolution) return rejectWhole(resolution.whole);
  const rejected = [...resolution.rejected];
  const groups = new Map<number, Group>();
  for (const record of resolution.records) {
    const field = fieldOf(record);
    if (field === undefined) continue;
    const read = fieldValue(field, record);
    if ('reason' in read) {
      rejected.push({ index: record.index, reason: `record ${record.index}: ${read.reason}` });
      continue;
    }
    const timeMs = Math.round(record.timeS * 1000);
    const group = groups.get(timeMs) ?? { timeMs, firstIndex: record.index, indexes: [], values: {} };
    groups.set(timeMs, group);
    if (group.values[field] !== undefined) {
      rejected.push({
        index: record.index,
        reason: `record ${record.index}: second ${field} at ${new Date(timeMs).toISOString()}`,
      });
      continue;
    }
    group.indexes.push(record.index);
    group.values[field] = read.value;
  }
  if (groups.size > MAX_ITEMS_PER_MESSAGE) {
    return rejectWhole(
      `SenML pack has ${groups.size} distinct times; at most ${MAX_ITEMS_PER_MESSAGE} are accepted`,
    );
  }

  const fixes: CanonicalFix[] = [];
  const events: CanonicalDeviceEvent[] = [];
  for (const group of groups.values()) {
    const { values } = group;
    const reject = (reason: string) =>
      rejected.push({ index: group.firstIndex, reason: `${describeGroup(group)}: ${reason}` });
    const hasPosition = values.lat !== undefined || values.lon !== undefined;
    if (!hasPosition) {
      const others = Object.keys(values).filter((key) => key !== 'batt');
      if (others.length > 0) reject(`${others.join(', ')} without lat/lon`);
      else if (values.batt !== undefined) {
        const parsed = parseCanonicalDeviceEvent({
          deviceId: context.deviceId,
          receivedAtMs: context.receivedAtMs,
          eventTimeMs: group.timeMs,
          kind: 'battery',
          batteryPct: values.batt,
        });
        if (parsed.ok) events.push(parsed.event);
        else reject(parsed.reason);
      }
      continue;
    }
    const missing = (['lat', 'lon', 'acc'] as const).filter((key) => values[key] === undefined);
    if (missing.length > 0) {
      reject(`missing ${missing.join(', ')} (Lookout needs lat, lon and acc in metres at one time)`);
      continue;
    }
    const candidate: Record<string, unknown> = {
      deviceId: context.deviceId,
      receivedAtMs: context.receivedAtMs,
      fixTimeMs: group.timeMs,
    };
    for (const [field, value] of Object.entries(values)) {
      candidate[SENML_FIELDS[field as FieldName].canonical] = value;
    }
    const parsed = parseCanonicalFix(candidate);
    if (parsed.ok) fixes.push(parsed.fix);
    else reject(parsed.reason);
  }
  if (fixes.length === 0 && events.length === 0 && rejected.length === 0) {
    return rejectWhole(
      `SenML pack has no location or battery records (names ${Object.keys(SENML_FIELDS).join(', ')}, or units lat, lon, %EL)`,
    );
  }
  rejected.sort((a, b) => a.index - b.index);
  return events.length > 0 ? { fixes, rejected, events } : { fixes, rejected };
}

export type SenmlRecordOut = Record<string, string | number>;

/**
 * Writes fixes as one pack: the first record carries `bt` (the first fix time, seconds), later records a
 * `t` relative to it. Times before 2^28 s (1978) cannot be written: SenML would read them as relative.
 */
export function canonicalToSenml(
  fixes: readonly Omit<CanonicalFix, 'deviceId' | 'receivedAtMs'>[],
): SenmlRecordOut[] {
  const records: SenmlRecordOut[] = [];
  const baseMs = fixes[0]?.fixTimeMs ?? 0;
  for (const fix of fixes) {
    if (fix.fixTimeMs < SENML_RELATIVE_TIME_LIMIT_S * 1000) {
      throw new RangeError(
        `fixTimeMs ${fix.fixTimeMs} is before 2^28 s and would read back as a relative time`,
      );
    }
    const fields: [FieldName, number | string | undefined][] = [
      ['lat', fix.lat],
      ['lon', fix.lon],
      ['acc', fix.accuracyM],
      ['alt', fix.altitudeM],
      ['spd', fix.speedMps],
      ['hdg', fix.headingDeg],
      ['batt', fix.batteryPct],
      ['sats', fix.satellites],
      ['seq', fix.sequence],
      ['fix', fix.fixType],
    ];
    for (const [field, value] of fields) {
      if (value === undefined) continue;
      const record: SenmlRecordOut = {};
      if (records.length === 0) record['bt'] = baseMs / 1000;
      record['n'] = field;
      const unit = SENML_FIELDS[field].units[0];
      if (unit !== undefined) record['u'] = unit;
      if (fix.fixTimeMs !== baseMs) record['t'] = (fix.fixTimeMs - baseMs) / 1000;
      record[typeof value === 'string' ? 'vs' : 'v'] = value;
      records.push(record);
    }
  }
  return records;
}
