import { gpx } from '@tmcw/togeojson';
import { DOMParser, type Element as XmlElement } from '@xmldom/xmldom';
import { NMEA_UERE_M } from '../../../devices/src/index.js';
import { TrackBuilder } from './track.builder.js';
import { parseLat, parseLon, parseTime, type Parsed } from './trace-values.js';
import { DEFAULT_ACCURACY_M, TraceFormatError, type LoadTraceOptions, type Trace } from './trace.model.js';

/**
 * GPX 1.0/1.1 tracks, converted by togeojson (a maintained GPX parser) on an xmldom document.
 *
 * - The first `<trk>` is used (others are ignored with a warning); its segments are played in order, so a
 *   gap between segments is a gap in the replay (togeojson gives a MultiLineString with times per segment).
 * - Every `<trkpt>` needs `lat`/`lon` and a `<time>` with a zone; a point without a time is an error naming
 *   its line, because guessing when a worker was somewhere is not the replay's call. A track without any
 *   time is accepted with an interval (`--interval-ms`).
 * - Accuracy: from `<hdop>` as 2 × HDOP × UERE (5 m), the same rule as the NMEA codec; otherwise the default.
 *
 * togeojson drops a missing time silently (the times array just gets shorter, misaligned with the
 * points), which is why the points are checked on the document first, where line numbers are known.
 */
export function parseGpxTrace(text: string, source: string, options: LoadTraceOptions = {}): Trace {
  const warnings: string[] = [];
  const document = parseXml(text, source);
  const root = document.documentElement;
  if (!root || root.localName !== 'gpx') {
    throw new TraceFormatError(
      source,
      root ? at(root) : '',
      `expected a <gpx> document, found <${root?.localName ?? 'nothing'}>`,
    );
  }
  const tracks = children(root, 'trk');
  const [track, ...others] = tracks;
  if (!track) {
    throw new TraceFormatError(
      source,
      at(root),
      'no <trk> track in the GPX file (routes and waypoints are not replayed)',
    );
  }
  if (others.length > 0)
    warnings.push(`${source}: ${at(track)}: using the first <trk>; ignoring ${others.length} more`);

  // Check every point where its line is known; collect what togeojson must agree with. togeojson makes
  // a line of each segment, so a one-point segment is dropped: say so rather than lose it silently.
  const points = children(track, 'trkseg').flatMap((segment, segmentIndex) => {
    const segmentPoints = children(segment, 'trkpt');
    if (segmentPoints.length === 1) {
      warnings.push(`${source}: ${at(segment)}: ignoring trkseg[${segmentIndex}], which has a single point`);
      return [];
    }
    return segmentPoints.map((point, pointIndex) => ({
      element: point,
      name: `trkseg[${segmentIndex}].trkpt[${pointIndex}]`,
    }));
  });
  if (points.length === 0)
    throw new TraceFormatError(source, at(track), 'the track has no segment of two or more <trkpt> points');
  const withTime = points.filter(({ element }) => children(element, 'time').length > 0);
  if (withTime.length > 0 && withTime.length < points.length) {
    const missing = points.find(({ element }) => children(element, 'time').length === 0)!;
    throw new TraceFormatError(
      source,
      `${at(missing.element)} (${missing.name})`,
      `the point has no <time>, but ${withTime.length} of the track's ${points.length} points have one; ` +
        'give every point a time, or none (and pass --interval-ms)',
    );
  }
  if (withTime.length === 0 && options.intervalMs === undefined) {
    throw new TraceFormatError(
      source,
      at(track),
      'the track has no <time> on its points; pass an interval (--interval-ms)',
    );
  }
  const read = <T>(parsed: Parsed<T>, element: XmlElement, name: string): T => {
    if (!parsed.ok) throw new TraceFormatError(source, `${at(element)} (${name})`, parsed.reason);
    return parsed.value;
  };
  const checked = points.map(({ element, name }) => {
    const time = children(element, 'time')[0];
    const hdop = children(element, 'hdop')[0];
    let accuracyM = options.defaultAccuracyM ?? DEFAULT_ACCURACY_M;
    if (hdop) {
      const value = Number(hdop.textContent?.trim());
      if (!(Number.isFinite(value) && value > 0 && value <= 1000)) {
        throw new TraceFormatError(
          source,
          `${at(hdop)} (${name}.hdop)`,
          `expected an HDOP in (0, 1000], found "${hdop.textContent}"`,
        );
      }
      accuracyM = Math.min(10_000, 2 * value * NMEA_UERE_M);
    }
    return {
      element,
      name,
      lon: read(parseLon(element.getAttribute('lon')), element, `${name}@lon`),
      lat: read(parseLat(element.getAttribute('lat')), element, `${name}@lat`),
      timeMs: time ? read(parseTime(time.textContent?.trim() ?? ''), time, `${name}.time`) : undefined,
      accuracyM,
    };
  });

  // The conversion itself is togeojson's: its first track feature, one or several segments.
  const feature = gpx(document).features.find((f) => f.properties?._gpxType === 'trk');
  const geometry = feature?.geometry;
  const lines =
    geometry?.type === 'LineString'
      ? [geometry.coordinates]
      : geometry?.type === 'MultiLineString'
        ? geometry.coordinates
        : [];
  const converted = lines.flat();
  if (converted.length !== checked.length) {
    throw new TraceFormatError(
      source,
      at(track),
      `togeojson read ${converted.length} points, the document has ${checked.length}`,
    );
  }
  const builder = new TrackBuilder(source);
  checked.forEach((point, index) => {
    const [lon, lat] = converted[index] as [number, number];
    builder.add(
      {
        fixTimeMs: point.timeMs ?? index * (options.intervalMs as number),
        lon: lon ?? point.lon,
        lat: lat ?? point.lat,
        accuracyM: point.accuracyM,
      },
      `${at(point.element)} (${point.name})`,
    );
  });
  return { source, format: 'gpx', tracks: [builder.build()], warnings };
}

function parseXml(text: string, source: string) {
  try {
    return new DOMParser({ locator: true, onError: () => undefined }).parseFromString(
      text.replace(/^\uFEFF/, ''),
      'text/xml',
    );
  } catch (error) {
    const locator = (error as { locator?: { lineNumber?: number; columnNumber?: number } }).locator;
    const message = ((error as Error).message.split('\n')[0] ?? '').replace(/\[xmldom [a-zA-Z]+\]\s*/, '');
    throw new TraceFormatError(
      source,
      locator?.lineNumber ? `line ${locator.lineNumber}, column ${locator.columnNumber ?? 0}` : '',
      `not well-formed XML: ${message}`,
    );
  }
}

/** Child elements with a local name (any namespace: GPX 1.0 and 1.1 differ only there). */
function children(parent: XmlElement, localName: string): XmlElement[] {
  const found: XmlElement[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1 && (node as XmlElement).localName === localName) found.push(node as XmlElement);
  }
  return found;
}

function at(element: XmlElement): string {
  return `line ${element.lineNumber ?? 0}, column ${element.columnNumber ?? 0}`;
}
