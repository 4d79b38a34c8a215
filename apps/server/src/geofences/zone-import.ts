import { kml } from '@tmcw/togeojson';
import { DOMParser } from '@xmldom/xmldom';
import type { Feature, Geometry } from 'geojson';
import type { FieldIssue } from '../common/domain.exception.js';
import {
  MAX_IMPORT_CONTENT_BYTES,
  MAX_IMPORT_FEATURES,
  zoneInputSchema,
  type ZoneImportRequest,
} from './zone.dto.js';

/**
 * Turns an uploaded GeoJSON FeatureCollection or KML document into zone inputs, all or nothing: either
 * every feature becomes a valid zone, or the caller gets one issue per bad feature (by index and name) and
 * nothing is created. Pure: parsing and validation only.
 */

export interface ImportLimits {
  maxContentBytes: number;
  maxFeatures: number;
}

export const DEFAULT_IMPORT_LIMITS: Readonly<ImportLimits> = Object.freeze({
  maxContentBytes: MAX_IMPORT_CONTENT_BYTES,
  maxFeatures: MAX_IMPORT_FEATURES,
});

export type ImportedZone = ReturnType<typeof zoneInputSchema.parse>;

export type ImportResult =
  { ok: true; zones: ImportedZone[] } | { ok: false; message: string; issues: FieldIssue[] };

interface RawFeature {
  geometry: Geometry | null;
  properties: Record<string, unknown>;
}

const fail = (message: string, path = 'content'): ImportResult => ({
  ok: false,
  message,
  issues: [{ path, message }],
});

/** Reads the features of a GeoJSON document; a bare Feature counts as a collection of one. */
function geoJsonFeatures(content: string): RawFeature[] | string {
  let document: unknown;
  try {
    document = JSON.parse(content);
  } catch (error) {
    return `content is not valid JSON: ${(error as Error).message}`;
  }
  const type = (document as { type?: unknown } | null)?.type;
  if (type === 'Feature') return [toRawFeature(document)];
  if (type !== 'FeatureCollection' || !Array.isArray((document as { features?: unknown }).features)) {
    return `content must be a GeoJSON FeatureCollection (or one Feature), got ${typeof type === 'string' ? type : typeof document}`;
  }
  return (document as { features: unknown[] }).features.map(toRawFeature);
}

function toRawFeature(value: unknown): RawFeature {
  const feature = (value ?? {}) as Partial<Feature>;
  const properties = feature.properties && typeof feature.properties === 'object' ? feature.properties : {};
  return { geometry: feature.geometry ?? null, properties: properties as Record<string, unknown> };
}

/** Reads the Placemarks of a KML document with togeojson; a malformed document is refused whole. */
function kmlFeatures(content: string): RawFeature[] | string {
  const errors: string[] = [];
  let document;
  try {
    document = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') errors.push(message);
      },
    }).parseFromString(content, 'text/xml');
  } catch (error) {
    return `content is not well-formed XML: ${(error as Error).message}`;
  }
  if (errors.length > 0) return `content is not well-formed XML: ${errors[0]}`;
  const root = document.documentElement?.localName;
  if (root !== 'kml') return `content is not KML: its root element is <${root ?? 'none'}>, expected <kml>`;
  return kml(document).features.map((feature) => ({
    geometry: feature.geometry,
    properties: (feature.properties ?? {}) as Record<string, unknown>,
  }));
}

/** KML MultiGeometry of polygons arrives as a GeometryCollection: it is a MultiPolygon zone. */
function zoneGeometryOf(geometry: Geometry | null): { geometry?: unknown; error?: string } {
  if (!geometry) return { error: 'the feature has no geometry' };
  if (geometry.type === 'Polygon' || geometry.type === 'MultiPolygon' || geometry.type === 'LineString') {
    return { geometry: { type: geometry.type, coordinates: stripAltitude(geometry.coordinates) } };
  }
  if (
    geometry.type === 'GeometryCollection' &&
    geometry.geometries.every((part) => part.type === 'Polygon')
  ) {
    return {
      geometry: {
        type: 'MultiPolygon',
        coordinates: geometry.geometries.map((part) =>
          stripAltitude((part as { coordinates: unknown }).coordinates),
        ),
      },
    };
  }
  return {
    error: `geometry ${geometry.type} is not a zone: expected Polygon, MultiPolygon or LineString (a corridor)`,
  };
}

/** Zones are 2D: KML's altitudes (usually 0) are dropped. */
function stripAltitude(coordinates: unknown): unknown {
  if (!Array.isArray(coordinates)) return coordinates;
  if (typeof coordinates[0] === 'number') return coordinates.slice(0, 2);
  return coordinates.map(stripAltitude);
}

/** KML ExtendedData values are strings: "3.5" is a number, "a, b" a list. */
function numberProperty(value: unknown): unknown {
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return value;
}

function listProperty(value: unknown): unknown {
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }
  return value;
}

export function parseZoneImport(
  request: ZoneImportRequest,
  limits: Readonly<ImportLimits> = DEFAULT_IMPORT_LIMITS,
): ImportResult {
  const bytes = Buffer.byteLength(request.content, 'utf8');
  if (bytes > limits.maxContentBytes) {
    return fail(`content is ${bytes} bytes; at most ${limits.maxContentBytes} are accepted: split the file`);
  }
  const features = request.format === 'kml' ? kmlFeatures(request.content) : geoJsonFeatures(request.content);
  if (typeof features === 'string') return fail(features);
  if (features.length === 0)
    return fail(`the ${request.format === 'kml' ? 'KML' : 'GeoJSON'} content has no features`);
  if (features.length > limits.maxFeatures) {
    return fail(
      `content has ${features.length} features; at most ${limits.maxFeatures} are accepted: split the file`,
    );
  }

  const { defaults, fileName, format } = request;
  const zones: ImportedZone[] = [];
  const issues: FieldIssue[] = [];
  features.forEach((feature, index) => {
    const { properties } = feature;
    const givenName = typeof properties.name === 'string' ? properties.name.trim() : '';
    const name = givenName || `${fileName} #${index + 1}`;
    const label = `feature ${index} "${name}"`;
    const { geometry, error } = zoneGeometryOf(feature.geometry);
    if (error) {
      issues.push({ path: `features.${index}.geometry`, message: `${label}: ${error}` });
      return;
    }
    const isCorridor = (geometry as { type: string }).type === 'LineString';
    const candidate = {
      name,
      trialId: request.trialId,
      siteId: request.siteId,
      kind: properties.kind ?? defaults.kind,
      geometry,
      halfWidthM:
        numberProperty(properties.halfWidthM) ?? (isCorridor ? defaults.halfWidthM : undefined) ?? null,
      appliesTo: listProperty(properties.appliesTo) ?? defaults.appliesTo ?? [],
      windows: defaults.windows ?? [],
      provenance: {
        source: 'import',
        author: defaults.provenance.author,
        method: [
          `${format.toUpperCase()} import of "${fileName}", feature ${index}`,
          defaults.provenance.method,
        ]
          .filter(Boolean)
          .join('; '),
        notes: defaults.provenance.notes,
      },
    };
    const parsed = zoneInputSchema.safeParse(candidate);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.map(String).join('.');
        const message =
          field === 'kind' && candidate.kind === undefined
            ? 'kind is missing: set it in the feature (properties.kind / ExtendedData "kind") or in defaults.kind'
            : issue.message;
        issues.push({
          path: `features.${index}.${field}`,
          message: `${label}: ${field ? `${field}: ` : ''}${message}`,
        });
      }
      return;
    }
    zones.push(parsed.data);
  });
  if (issues.length > 0) {
    const bad = new Set(issues.map((issue) => issue.path.split('.')[1])).size;
    return {
      ok: false,
      message:
        `${bad} of ${features.length} features are invalid; nothing was imported: ` +
        issues
          .slice(0, 10)
          .map((issue) => issue.message)
          .join('; ') +
        (issues.length > 10 ? `; and ${issues.length - 10} more issues` : ''),
      issues,
    };
  }
  return { ok: true, zones };
}
