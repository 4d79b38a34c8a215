/**
 * Domain errors of the breach detector. They carry a machine-readable code and the path of the
 * offending value inside the zone input (for example `coordinates[0][5]`), so the server can map
 * them to its own HTTP/WS errors at the edge. Nothing here knows about HTTP.
 */
export enum ZoneValidationErrorCode {
  InvalidId = 'INVALID_ID',
  InvalidVersion = 'INVALID_VERSION',
  InvalidKind = 'INVALID_KIND',
  InvalidGeometryType = 'INVALID_GEOMETRY_TYPE',
  InvalidStructure = 'INVALID_STRUCTURE',
  NonFiniteCoordinate = 'NON_FINITE_COORDINATE',
  CoordinateOutOfRange = 'COORDINATE_OUT_OF_RANGE',
  RingNotClosed = 'RING_NOT_CLOSED',
  RingTooShort = 'RING_TOO_SHORT',
  DegenerateRing = 'DEGENERATE_RING',
  SelfIntersection = 'SELF_INTERSECTION',
  HoleOutsideShell = 'HOLE_OUTSIDE_SHELL',
  HoleInsideHole = 'HOLE_INSIDE_HOLE',
  OverlappingPolygons = 'OVERLAPPING_POLYGONS',
  CorridorTooShort = 'CORRIDOR_TOO_SHORT',
  CorridorZeroWidth = 'CORRIDOR_ZERO_WIDTH',
  TooManyVertices = 'TOO_MANY_VERTICES',
  ZoneTooLarge = 'ZONE_TOO_LARGE',
  InvalidValidity = 'INVALID_VALIDITY',
  InvalidAppliesTo = 'INVALID_APPLIES_TO',
}

export interface ZoneValidationErrorDetails {
  /** Path of the offending value inside the zone input, e.g. `geometry.coordinates[0][5]`. */
  path: string;
  zoneId?: string;
  /** The offending position, when the error is about one. */
  position?: readonly number[];
  expected?: string;
  actual?: string;
}

export class ZoneValidationError extends Error {
  readonly code: ZoneValidationErrorCode;
  readonly path: string;
  readonly zoneId: string | undefined;
  readonly position: readonly number[] | undefined;
  readonly expected: string | undefined;
  readonly actual: string | undefined;

  constructor(code: ZoneValidationErrorCode, message: string, details: ZoneValidationErrorDetails) {
    const where = details.zoneId === undefined ? details.path : `zone ${details.zoneId}: ${details.path}`;
    const expectation =
      details.expected === undefined ? '' : ` (expected ${details.expected}, got ${details.actual ?? '?'})`;
    super(`${code} at ${where}: ${message}${expectation}`);
    this.name = 'ZoneValidationError';
    this.code = code;
    this.path = details.path;
    this.zoneId = details.zoneId;
    this.position = details.position;
    this.expected = details.expected;
    this.actual = details.actual;
  }
}

/** Thrown for misuse of the engine API itself (unknown options, bad policy values). */
export class GeofenceConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`invalid geofence setting ${setting}: ${message}`);
    this.name = 'GeofenceConfigError';
  }
}
