import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseCsvTrace } from './csv-trace.parser.js';
import { parseGeoJsonTrace } from './geojson-trace.parser.js';
import { parseGpxTrace } from './gpx-trace.parser.js';
import { parseNmeaTrace } from './nmea-trace.parser.js';
import { TraceFormatError, type LoadTraceOptions, type Trace, type TraceFormat } from './trace.model.js';

/** A trace already in memory, e.g. an upload or a fixture. `name` is used in messages. */
export interface TraceText {
  format: TraceFormat;
  text: string;
  name?: string;
}

const FORMAT_BY_EXTENSION: Readonly<Record<string, TraceFormat>> = {
  '.geojson': 'geojson',
  '.json': 'geojson',
  '.csv': 'csv',
  '.gpx': 'gpx',
  '.nmea': 'nmea',
  '.nma': 'nmea',
  '.log': 'nmea',
};

/**
 * The format named by the file extension, else guessed from the first characters: `{` is JSON, `<` is
 * GPX (XML), `$` is an NMEA sentence, anything else CSV.
 */
export function detectTraceFormat(path: string, text: string): TraceFormat {
  const byExtension = FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
  if (byExtension) return byExtension;
  const first = /^\uFEFF?\s*(.)/.exec(text)?.[1];
  return first === '{' ? 'geojson' : first === '<' ? 'gpx' : first === '$' ? 'nmea' : 'csv';
}

export function parseTrace(source: TraceText, options: LoadTraceOptions = {}): Trace {
  const name = source.name ?? `<${source.format} text>`;
  switch (source.format) {
    case 'csv':
      return parseCsvTrace(source.text, name, options);
    case 'geojson':
      return parseGeoJsonTrace(source.text, name, options);
    case 'gpx':
      return parseGpxTrace(source.text, name, options);
    case 'nmea':
      return parseNmeaTrace(source.text, name, options);
    default:
      throw new TraceFormatError(
        name,
        '',
        `unknown trace format ${JSON.stringify(source.format)}; expected csv, geojson, gpx or nmea`,
      );
  }
}

/** Loads a trace from a file (format from the extension) or from text; throws TraceFormatError on bad input. */
export async function loadTrace(source: string | TraceText, options: LoadTraceOptions = {}): Promise<Trace> {
  if (typeof source !== 'string') return parseTrace(source, options);
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new TraceFormatError(source, '', `cannot read the trace: ${reason}`);
  }
  return parseTrace({ format: detectTraceFormat(source, text), text, name: source }, options);
}
