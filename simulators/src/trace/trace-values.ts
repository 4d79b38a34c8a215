/**
 * Field parsers shared by the trace formats. Each returns the value or a message saying what was
 * expected and what was found; the format parser adds the position.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

/** ISO 8601 date-time with an explicit zone; a time without a zone is ambiguous, so it is refused. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const EPOCH_MS = /^\d+$/;

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** A time as an ISO 8601 string with a zone or as epoch milliseconds (number, or digits in text). */
export function parseTime(value: unknown): Parsed<number> {
  const expected = 'expected an ISO 8601 time with a zone (e.g. 2026-05-01T10:00:00Z) or epoch milliseconds';
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0
      ? ok(value)
      : fail(`${expected}, found ${describeValue(value)}`);
  }
  if (typeof value !== 'string') return fail(`${expected}, found ${describeValue(value)}`);
  const text = value.trim();
  if (EPOCH_MS.test(text)) {
    const ms = Number(text);
    return Number.isSafeInteger(ms) ? ok(ms) : fail(`${expected}, found ${describeValue(value)}`);
  }
  if (!ISO_WITH_ZONE.test(text)) return fail(`${expected}, found ${describeValue(value)}`);
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? fail(`${expected}, found ${describeValue(value)} (not a valid date)`) : ok(ms);
}

/** Number from JSON or from text; text must be a plain decimal (no hex, no empty string). */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const parsed = Number(text);
  return Number.isFinite(parsed) ? parsed : undefined;
}

export function parseLon(value: unknown): Parsed<number> {
  const lon = toNumber(value);
  return lon !== undefined && lon >= -180 && lon <= 180
    ? ok(lon)
    : fail(`expected a longitude in [-180, 180], found ${describeValue(value)}`);
}

export function parseLat(value: unknown): Parsed<number> {
  const lat = toNumber(value);
  return lat !== undefined && lat >= -90 && lat <= 90
    ? ok(lat)
    : fail(`expected a latitude in [-90, 90], found ${describeValue(value)}`);
}

/** Same range as the canonical fix schema: 0..10000 m. */
export function parseAccuracyM(value: unknown): Parsed<number> {
  const accuracyM = toNumber(value);
  return accuracyM !== undefined && accuracyM >= 0 && accuracyM <= 10_000
    ? ok(accuracyM)
    : fail(`expected an accuracy in metres in [0, 10000], found ${describeValue(value)}`);
}

export function parseSequence(value: unknown): Parsed<number> {
  const sequence = toNumber(value);
  return sequence !== undefined && Number.isSafeInteger(sequence) && sequence >= 0
    ? ok(sequence)
    : fail(`expected a non-negative integer sequence number, found ${describeValue(value)}`);
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}
