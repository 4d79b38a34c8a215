/** One position of a trace, in the trace's own time (epoch ms), before any re-timing. */
export interface TracePoint {
  fixTimeMs: number;
  lon: number;
  lat: number;
  /** Horizontal accuracy in metres (95%); the loader's default when the trace gives none. */
  accuracyM: number;
  /** The trace's own sequence number, when it has one; the replay numbers fixes 0..n-1 otherwise. */
  sequence?: number;
}

/** The fixes of one device, in non-decreasing time order. */
export interface TraceTrack {
  /** The device the trace names (CSV `device` column); undefined when the trace names none. */
  deviceId?: string;
  points: readonly TracePoint[];
}

export type TraceFormat = 'geojson' | 'csv' | 'gpx' | 'nmea';

export interface Trace {
  /** Where the trace came from (file path or caller's name), used in messages. */
  source: string;
  format: TraceFormat;
  tracks: readonly TraceTrack[];
  /** Things the loader ignored on purpose (unknown CSV columns, extra features); worth telling the user. */
  warnings: readonly string[];
}

export interface LoadTraceOptions {
  /** Accuracy given to points whose trace has none. Default 3 m. */
  defaultAccuracyM?: number;
  /** Spacing for a GeoJSON trace without times: point i is at i × intervalMs from the epoch until re-timed. */
  intervalMs?: number;
}

export const DEFAULT_ACCURACY_M = 3;

/** A trace that cannot be read. The message names the source and the line/column or JSON position. */
export class TraceFormatError extends Error {
  constructor(
    readonly source: string,
    /** `line 7, column 2 (lon)` or `features[0].geometry.coordinates[4]`; empty for the whole file. */
    readonly position: string,
    readonly detail: string,
  ) {
    super(position ? `${source}: ${position}: ${detail}` : `${source}: ${detail}`);
    this.name = 'TraceFormatError';
  }
}

/** Total number of points over all tracks. */
export function traceFixCount(trace: Trace): number {
  return trace.tracks.reduce((count, track) => count + track.points.length, 0);
}
