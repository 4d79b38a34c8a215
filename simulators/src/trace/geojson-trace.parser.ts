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
import {
  DEFAULT_ACCURACY_M,
  TraceFormatError,
  type LoadTraceOptions,
  type Trace,
  type TraceTrack,
} from './trace.model.js';

type JsonObject = Record<string, unknown>;

/** JSON has numbers: a quoted number in a GeoJSON property is a mistake worth reporting. */
const jsonNumber =
  (parse: (value: unknown) => Parsed<number>) =>
  (value: unknown): Parsed<number> =>
    typeof value === 'number'
      ? parse(value)
      : { ok: false, reason: `expected a number, found ${describeValue(value)}` };

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `prefix.name`, or just `name` at the root. */
const join = (prefix: string, name: string) => (prefix === '' ? name : `${prefix}.${name}`);

/**
 * Parses a GeoJSON trace, in one of these shapes:
 * - a LineString Feature, a FeatureCollection (its first LineString feature is used), or a bare
 *   LineString geometry, with times in `properties.coordTimes` (the togeojson convention) or
 *   `properties.times`, one per coordinate, and `properties.accuracyM` as a number or per-point array;
 * - a FeatureCollection of Point features, each with `properties.time` and optionally `accuracyM`
 *   and `sequence`.
 * Without times, `intervalMs` spaces the points evenly. Errors name the JSON position, e.g.
 * `features[0].geometry.coordinates[4]: expected [lon, lat] numbers`.
 */
export function parseGeoJsonTrace(text: string, source: string, options: LoadTraceOptions = {}): Trace {
  let root: unknown;
  try {
    root = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new TraceFormatError(source, '', `not valid JSON: ${(error as Error).message}`);
  }
  const parser = new GeoJsonTraceParser(source, options);
  return { source, format: 'geojson', tracks: [parser.parseRoot(root)], warnings: parser.warnings };
}

class GeoJsonTraceParser {
  readonly warnings: string[] = [];
  private readonly defaultAccuracyM: number;

  constructor(
    private readonly source: string,
    private readonly options: LoadTraceOptions,
  ) {
    this.defaultAccuracyM = options.defaultAccuracyM ?? DEFAULT_ACCURACY_M;
  }

  parseRoot(root: unknown): TraceTrack {
    if (!isObject(root)) {
      throw this.error('', `expected a GeoJSON object, found ${describeValue(root)}`);
    }
    switch (root.type) {
      case 'LineString':
      case 'MultiLineString':
        return this.parseLineString(root, '', undefined, '');
      case 'Feature':
        return this.parseFeature(root, '');
      case 'FeatureCollection':
        return this.parseFeatureCollection(root);
      default:
        throw this.error(
          'type',
          `expected a LineString Feature, a FeatureCollection or a LineString geometry (or MultiLineString), found ${describeValue(root.type)}`,
        );
    }
  }

  private parseFeature(feature: JsonObject, path: string): TraceTrack {
    const geometry = feature.geometry;
    if (!isObject(geometry) || (geometry.type !== 'LineString' && geometry.type !== 'MultiLineString')) {
      const found = isObject(geometry) ? describeValue(geometry.type) : describeValue(geometry);
      throw this.error(
        join(path, 'geometry.type'),
        `expected a LineString (or MultiLineString), found ${found}`,
      );
    }
    const properties = feature.properties ?? {};
    if (!isObject(properties)) {
      throw this.error(join(path, 'properties'), `expected an object, found ${describeValue(properties)}`);
    }
    return this.parseLineString(geometry, join(path, 'geometry'), properties, join(path, 'properties'));
  }

  private parseFeatureCollection(collection: JsonObject): TraceTrack {
    const features = collection.features;
    if (!Array.isArray(features)) {
      throw this.error('features', `expected an array of features, found ${describeValue(features)}`);
    }
    const geometryType = (feature: unknown) =>
      isObject(feature) && isObject(feature.geometry) ? feature.geometry.type : undefined;
    const lineIndexes = features.flatMap((feature, index) =>
      geometryType(feature) === 'LineString' || geometryType(feature) === 'MultiLineString' ? [index] : [],
    );
    const [firstLine, ...otherLines] = lineIndexes;
    if (firstLine !== undefined) {
      if (otherLines.length > 0) {
        this.warn(
          'features',
          `using the LineString at features[${firstLine}]; ignoring ${otherLines.length} more`,
        );
      }
      return this.parseFeature(features[firstLine] as JsonObject, `features[${firstLine}]`);
    }
    return this.parsePointFeatures(features, geometryType);
  }

  private parsePointFeatures(
    features: readonly unknown[],
    geometryType: (feature: unknown) => unknown,
  ): TraceTrack {
    const track = new TrackBuilder(this.source);
    const intervalMs = this.options.intervalMs;
    let ignored = 0;
    features.forEach((feature, index) => {
      const path = `features[${index}]`;
      if (!isObject(feature) || geometryType(feature) !== 'Point') {
        ignored += 1;
        return;
      }
      const geometry = feature.geometry as JsonObject;
      const properties = feature.properties ?? {};
      if (!isObject(properties)) {
        throw this.error(`${path}.properties`, `expected an object, found ${describeValue(properties)}`);
      }
      const { lon, lat } = this.position(geometry.coordinates, `${path}.geometry.coordinates`);
      const timePath = `${path}.properties.time`;
      let fixTimeMs: number;
      if (properties.time !== undefined) {
        fixTimeMs = this.read(properties.time, timePath, parseTime);
      } else if (intervalMs !== undefined) {
        fixTimeMs = track.size * intervalMs;
      } else {
        throw this.error(timePath, 'missing: give every Point a time, or pass an interval (--interval-ms)');
      }
      const accuracyM =
        properties.accuracyM === undefined || properties.accuracyM === null
          ? this.defaultAccuracyM
          : this.read(properties.accuracyM, `${path}.properties.accuracyM`, jsonNumber(parseAccuracyM));
      const sequence =
        properties.sequence === undefined || properties.sequence === null
          ? undefined
          : this.read(properties.sequence, `${path}.properties.sequence`, jsonNumber(parseSequence));
      track.add(
        sequence === undefined
          ? { fixTimeMs, lon, lat, accuracyM }
          : { fixTimeMs, lon, lat, accuracyM, sequence },
        properties.time !== undefined ? timePath : path,
      );
    });
    if (track.size === 0) {
      throw this.error('features', 'no LineString feature and no Point features: nothing to replay');
    }
    if (ignored > 0) this.warn('features', `ignoring ${ignored} feature(s) that are not Points`);
    return track.build();
  }

  private parseLineString(
    geometry: JsonObject,
    geometryPath: string,
    properties: JsonObject | undefined,
    propertiesPath: string,
  ): TraceTrack {
    const coordinatesPath = join(geometryPath, 'coordinates');
    const multi = geometry.type === 'MultiLineString';
    const coordinates = geometry.coordinates;
    if (!Array.isArray(coordinates) || coordinates.length === 0) {
      throw this.error(
        coordinatesPath,
        multi
          ? `expected a non-empty array of segments, found ${describeValue(coordinates)}`
          : `expected a non-empty array of [lon, lat] positions, found ${describeValue(coordinates)}`,
      );
    }
    // A MultiLineString (a GPX track with several segments, through togeojson) is its segments in order.
    const segments: { coordinates: unknown[]; path: string }[] = multi
      ? coordinates.map((segment, index) => {
          const path = `${coordinatesPath}[${index}]`;
          if (!Array.isArray(segment) || segment.length === 0) {
            throw this.error(
              path,
              `expected a non-empty array of [lon, lat] positions, found ${describeValue(segment)}`,
            );
          }
          return { coordinates: segment, path };
        })
      : [{ coordinates, path: coordinatesPath }];
    const times = this.perPointTimes(properties, propertiesPath, segments, multi);
    const count = segments.reduce((sum, segment) => sum + segment.coordinates.length, 0);
    const accuracies = this.perPointAccuracies(
      properties?.accuracyM,
      join(propertiesPath, 'accuracyM'),
      count,
    );
    const track = new TrackBuilder(this.source);
    let index = 0;
    segments.forEach((segment, segmentIndex) => {
      segment.coordinates.forEach((coordinate, pointIndex) => {
        const positionPath = `${segment.path}[${pointIndex}]`;
        const { lon, lat } = this.position(coordinate, positionPath);
        const fixTimeMs = times.at(segmentIndex, pointIndex, index);
        track.add(
          { fixTimeMs: fixTimeMs.value, lon, lat, accuracyM: accuracies(index) },
          fixTimeMs.position ?? positionPath,
        );
        index += 1;
      });
    });
    return track.build();
  }

  /**
   * One time per coordinate, from `coordTimes`, `times` or togeojson's `coordinateProperties.times`
   * (for a MultiLineString: one array per segment), or from the interval option.
   */
  private perPointTimes(
    properties: JsonObject | undefined,
    propertiesPath: string,
    segments: readonly { coordinates: readonly unknown[] }[],
    multi: boolean,
  ): { at(segment: number, point: number, index: number): { value: number; position?: string } } {
    const nested = isObject(properties?.coordinateProperties) ? properties.coordinateProperties : undefined;
    const found: [unknown, string] | undefined =
      properties?.coordTimes !== undefined
        ? [properties.coordTimes, join(propertiesPath, 'coordTimes')]
        : properties?.times !== undefined
          ? [properties.times, join(propertiesPath, 'times')]
          : nested?.times !== undefined
            ? [nested.times, join(propertiesPath, 'coordinateProperties.times')]
            : undefined;
    const intervalMs = this.options.intervalMs;
    if (found === undefined) {
      if (intervalMs === undefined) {
        throw this.error(
          propertiesPath === '' ? 'properties' : propertiesPath,
          'no times: add properties.coordTimes (or properties.times), one per coordinate, or pass an interval (--interval-ms)',
        );
      }
      return { at: (_segment, _point, index) => ({ value: index * intervalMs }) };
    }
    const [times, timesPath] = found;
    const count = (list: readonly { coordinates: readonly unknown[] }[]) =>
      list.reduce((sum, segment) => sum + segment.coordinates.length, 0);
    if (!Array.isArray(times)) {
      throw this.error(timesPath, `expected an array of times, found ${describeValue(times)}`);
    }
    if (intervalMs !== undefined) this.warn(timesPath, 'the trace has times; ignoring the interval option');
    if (!multi) {
      if (times.length !== count(segments)) {
        throw this.error(
          timesPath,
          `has ${times.length} times for ${count(segments)} coordinates; expected one time per coordinate`,
        );
      }
      const parsed = times.map((time, index) => this.read(time, `${timesPath}[${index}]`, parseTime));
      return {
        at: (_segment, _point, index) => ({
          value: parsed[index] as number,
          position: `${timesPath}[${index}]`,
        }),
      };
    }
    if (times.length !== segments.length) {
      throw this.error(
        timesPath,
        `has ${times.length} arrays of times for ${segments.length} segments; expected one array per segment`,
      );
    }
    const parsed = times.map((segmentTimes, segmentIndex) => {
      const path = `${timesPath}[${segmentIndex}]`;
      const points = segments[segmentIndex]?.coordinates.length ?? 0;
      if (!Array.isArray(segmentTimes)) {
        throw this.error(path, `expected an array of times, found ${describeValue(segmentTimes)}`);
      }
      if (segmentTimes.length !== points) {
        throw this.error(
          path,
          `has ${segmentTimes.length} times for ${points} coordinates of segment ${segmentIndex}; expected one time per coordinate`,
        );
      }
      return segmentTimes.map((time, index) => this.read(time, `${path}[${index}]`, parseTime));
    });
    return {
      at: (segment, point) => ({
        value: parsed[segment]?.[point] as number,
        position: `${timesPath}[${segment}][${point}]`,
      }),
    };
  }

  private perPointAccuracies(value: unknown, path: string, count: number): (index: number) => number {
    if (value === undefined || value === null) return () => this.defaultAccuracyM;
    if (!Array.isArray(value)) {
      const accuracyM = this.read(value, path, jsonNumber(parseAccuracyM));
      return () => accuracyM;
    }
    if (value.length !== count) {
      throw this.error(
        path,
        `has ${value.length} accuracies for ${count} coordinates; expected a number or one per coordinate`,
      );
    }
    const accuracies = value.map((item, index) =>
      item === null
        ? this.defaultAccuracyM
        : this.read(item, `${path}[${index}]`, jsonNumber(parseAccuracyM)),
    );
    return (index) => accuracies[index] as number;
  }

  private position(value: unknown, path: string): { lon: number; lat: number } {
    if (
      !Array.isArray(value) ||
      value.length < 2 ||
      typeof value[0] !== 'number' ||
      typeof value[1] !== 'number'
    ) {
      const found = JSON.stringify(value) ?? describeValue(value);
      throw this.error(
        path,
        `expected [lon, lat] numbers, found ${found.length > 60 ? `${found.slice(0, 60)}…` : found}`,
      );
    }
    return { lon: this.read(value[0], path, parseLon), lat: this.read(value[1], path, parseLat) };
  }

  private read<T>(value: unknown, path: string, parse: (value: unknown) => Parsed<T>): T {
    const parsed = parse(value);
    if (!parsed.ok) throw this.error(path, parsed.reason);
    return parsed.value;
  }

  private error(path: string, detail: string): TraceFormatError {
    return new TraceFormatError(this.source, path, detail);
  }

  private warn(path: string, detail: string): void {
    this.warnings.push(`${this.source}: ${path}: ${detail}`);
  }
}
