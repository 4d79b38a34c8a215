/**
 * libs/geofence — the breach detector. Pure TypeScript: no framework, no I/O.
 * See README.md for the semantics, the API and the measured performance.
 */
export {
  GeofenceEngine,
  NO_EVENTS,
  createQueryScratch,
  type DeviceSnapshot,
  type EngineStats,
  type GeofenceEngineOptions,
  type QueryScratch,
  type ZoneSummary,
} from './geofence.engine.js';
export { GeofenceConfigError, ZoneValidationError, ZoneValidationErrorCode } from './geofence.errors.js';
export { DEFAULT_POLICY, resolvePolicy, type DetectionPolicy } from './geofence.policy.js';
export type * from './geofence.types.js';
export {
  MEAN_EARTH_RADIUS_M,
  localDistanceM,
  metresPerDegreeLat,
  metresPerDegreeLon,
  type EarthModel,
} from './projection.js';
export { DEFAULT_ZONE_LIMITS, compileZone, type CompiledZone, type ZoneLimits } from './zone.validation.js';
export { reserveIndexMemory } from './scratch.js';
