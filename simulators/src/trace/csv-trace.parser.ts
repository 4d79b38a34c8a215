import { deviceIdSchema } from '../../../libs/telemetry/src/index.js';
import { TrackBuilder } from './track.builder.js';
import {
  describeValue,
  parseAccuracyM,
  parseLat,
  parseLon,
  parseSequence,
  parseTime,
  type Parsed,
} from './trace-values.js';
import { DEFAULT_ACCURACY_M, TraceFormatError, type LoadTraceOptions, type Trace } from './trace.model.js';

type Column = 'time' | 'lon' | 'lat' | 'accuracyM' | 'sequence' | 'device';

/** Header names, compared case-insensitively, and the column each one means. */
const HEADER_NAMES: ReadonlyMap<string, Column> = new Map([
  ['time', 'time'],
  ['lon', 'lon'],
  ['lat', 'lat'],
  ['accuracy_m', 'accuracyM'],
  ['accuracym', 'accuracyM'],
  ['sequence', 'sequence'],
  ['device', 'device'],
]);
const REQUIRED: readonly Column[] = ['time', 'lon', 'lat'];

type SplitResult = { ok: true; fields: string[] } | { ok: false; column: number; reason: string };

/**
 * Splits one CSV record (RFC 4180 quoting: `"a ""quoted"", text"`). Records may not span lines:
 * a trace has no use for multi-line fields, and line numbers stay exact.
 */
export function splitCsvLine(line: string): SplitResult {
  const fields: string[] = [];
  let index = 0;
  for (;;) {
    const column = fields.length + 1;
    let field = '';
    if (line[index] === '"') {
      index += 1;
      for (;;) {
        const quote = line.indexOf('"', index);
        if (quote === -1) return { ok: false, column, reason: 'quoted field has no closing quote' };
        field += line.slice(index, quote);
        index = quote + 1;
        if (line[index] !== '"') break;
        field += '"';
        index += 1;
      }
      const rest = line.slice(index).match(/^\s*(,|$)/);
      if (!rest) return { ok: false, column, reason: 'unexpected text after the closing quote' };
      index += rest[0].length - (rest[1] === ',' ? 1 : 0);
    } else {
      const comma = line.indexOf(',', index);
      const end = comma === -1 ? line.length : comma;
      field = line.slice(index, end).trim();
      index = end;
    }
    fields.push(field);
    if (index >= line.length) return { ok: true, fields };
    index += 1; // the comma
  }
}

/**
 * Parses a CSV trace: a header row naming `time,lon,lat` (any order) and optionally `accuracy_m`
 * (or `accuracyM`), `sequence` and `device`; unknown columns are ignored with a warning. Lines that
 * are blank or start with `#` are skipped. With a `device` column the rows form one track per device.
 */
export function parseCsvTrace(text: string, source: string, options: LoadTraceOptions = {}): Trace {
  const defaultAccuracyM = options.defaultAccuracyM ?? DEFAULT_ACCURACY_M;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const warnings: string[] = [];
  const tracks = new Map<string | undefined, TrackBuilder>();
  let columns: (Column | undefined)[] | undefined;
  let headerLine = 0;

  lines.forEach((line, lineIndex) => {
    const lineNumber = lineIndex + 1;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const split = splitCsvLine(line);
    if (!split.ok) {
      throw new TraceFormatError(source, `line ${lineNumber}, column ${split.column}`, split.reason);
    }
    if (!columns) {
      columns = readHeader(split.fields, source, lineNumber, warnings);
      headerLine = lineNumber;
      return;
    }
    if (split.fields.length !== columns.length) {
      throw new TraceFormatError(
        source,
        `line ${lineNumber}`,
        `expected ${columns.length} fields as in the header (line ${headerLine}), found ${split.fields.length}`,
      );
    }
    const cells = new Map<Column, { text: string; column: number }>();
    split.fields.forEach((field, fieldIndex) => {
      const column = columns?.[fieldIndex];
      if (column) cells.set(column, { text: field, column: fieldIndex + 1 });
    });
    const at = (column: Column) => {
      const cell = cells.get(column);
      return `line ${lineNumber}, column ${cell?.column ?? 0} (${column === 'accuracyM' ? 'accuracy_m' : column})`;
    };
    /** Undefined when the column is absent or, for an optional column, the cell is empty. */
    const read = <T>(column: Column, parse: (value: string) => Parsed<T>): T | undefined => {
      const cell = cells.get(column);
      if (!cell) return undefined;
      if (cell.text === '') {
        if (REQUIRED.includes(column) || column === 'device') {
          throw new TraceFormatError(source, at(column), `${column} is empty`);
        }
        return undefined;
      }
      const parsed = parse(cell.text);
      if (!parsed.ok) throw new TraceFormatError(source, at(column), parsed.reason);
      return parsed.value;
    };
    // The header check guarantees the required columns exist, and `read` refuses them empty.
    const readRequired = <T>(column: Column, parse: (value: string) => Parsed<T>): T =>
      read(column, parse) as T;

    const deviceId = read('device', parseDeviceId);
    const fixTimeMs = readRequired('time', parseTime);
    const lon = readRequired('lon', parseLon);
    const lat = readRequired('lat', parseLat);
    const accuracyM = read('accuracyM', parseAccuracyM) ?? defaultAccuracyM;
    const sequence = read('sequence', parseSequence);

    let track = tracks.get(deviceId);
    if (!track) {
      track = new TrackBuilder(source, deviceId);
      tracks.set(deviceId, track);
    }
    track.add(
      sequence === undefined
        ? { fixTimeMs, lon, lat, accuracyM }
        : { fixTimeMs, lon, lat, accuracyM, sequence },
      `line ${lineNumber}`,
    );
  });

  if (!columns)
    throw new TraceFormatError(source, '', 'no header row: expected a first line like time,lon,lat');
  if (tracks.size === 0)
    throw new TraceFormatError(source, '', `no fixes after the header (line ${headerLine})`);
  return { source, format: 'csv', tracks: [...tracks.values()].map((track) => track.build()), warnings };
}

function parseDeviceId(value: string): Parsed<string> {
  const parsed = deviceIdSchema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    reason: `${parsed.error.issues[0]?.message ?? 'invalid device id'}, found ${describeValue(value)}`,
  };
}

function readHeader(
  names: readonly string[],
  source: string,
  lineNumber: number,
  warnings: string[],
): (Column | undefined)[] {
  const seen = new Map<Column, number>();
  const columns = names.map((name, index) => {
    const column = HEADER_NAMES.get(name.trim().toLowerCase());
    const position = `line ${lineNumber}, column ${index + 1}`;
    if (column === undefined) {
      warnings.push(`${source}: ${position}: ignoring unknown column ${describeValue(name)}`);
      return undefined;
    }
    const earlier = seen.get(column);
    if (earlier !== undefined) {
      throw new TraceFormatError(source, position, `column ${describeValue(name)} repeats column ${earlier}`);
    }
    seen.set(column, index + 1);
    return column;
  });
  const missing = REQUIRED.filter((column) => !seen.has(column));
  if (missing.length > 0) {
    throw new TraceFormatError(
      source,
      `line ${lineNumber}`,
      `header lacks required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; ` +
        `expected time,lon,lat and optionally accuracy_m, sequence, device; found ${names.join(',')}`,
    );
  }
  return columns;
}
