/**
 * The breach detector: zones, per-device state machines, events.
 *
 * Hot path (processFix): the device's certificate may settle a fix with no geometry at all (a
 * confirmed breach far from every boundary, see processFix); otherwise one hash lookup for the
 * fix's grid cell (skipped while the device stays in its cell), then for each zone registered
 * there an applicability/activity check, a bounding-box early exit and a slab query
 * (zone.geometry.ts). Results go to preallocated scratch objects; nothing is allocated unless an
 * event is emitted (the returned array is then new; otherwise the shared frozen NO_EVENTS).
 */
import { ZoneValidationError, ZoneValidationErrorCode } from './geofence.errors.js';
import { resolvePolicy, type DetectionPolicy } from './geofence.policy.js';
import type {
  AppliedThresholds,
  BreachLevel,
  CrossingEvent,
  DetectionEvent,
  DeviceStatus,
  FixFlagReason,
  FixFlaggedEvent,
  FixInput,
  FixSnapshot,
  PointQueryResult,
  PointRule,
  StatusCause,
  StatusEvent,
  ZoneInput,
  ZoneKind,
  ZoneRef,
} from './geofence.types.js';
import { metresPerDegreeLat, metresPerDegreeLon, type EarthModel } from './projection.js';
import { ENTRY, ZoneGrid } from './zone.grid.js';
import {
  collectBoundaryParams,
  coverBoxes,
  distanceIn,
  distanceScratch,
  touchOwnSlab,
  upperDistanceIn,
  FLAG_SWAP,
  H_FLAGS,
  H_INV_KX0,
  H_INV_KY0,
  H_KX0,
  H_KY0,
  H_LAT0,
  H_LON0,
  marginDegrees,
  ParamBuffer,
  type ZoneGeometry,
} from './zone.geometry.js';
import {
  compileZone,
  DEFAULT_ZONE_LIMITS,
  type CompiledZone,
  type ZoneGeometryType,
  type ZoneLimits,
} from './zone.validation.js';
import type { CompiledValidity } from './zone.validity.js';

export interface GeofenceEngineOptions {
  policy?: Partial<DetectionPolicy>;
  limits?: Partial<ZoneLimits>;
  /** Earth model of the local metric (default WGS84 ellipsoid radii; `sphere` = turf's mean sphere). */
  earthModel?: EarthModel;
  /**
   * Zones farther than this from a fix are not looked at (metres, default 100). Bounds the warning
   * search; must exceed warningDistanceM + warningExitMarginM. Breach distances to a safe zone
   * farther away are still exact (a slower search over safe zones).
   */
  searchRadiusM?: number;
  /** Grid cell size in degrees (default 0.002). */
  cellDeg?: number;
  /** Length of the pieces a zone is cut into for the grid's cover boxes, metres (default 50). */
  chunkM?: number;
  /**
   * Evaluate every fix exactly (default false): no certificates and no lazy breach judgement.
   * Slower, and the same events, snapshots and query answers: a reference for tests and audits.
   */
  exactEveryFix?: boolean;
}

export interface ZoneSummary extends ZoneRef {
  geometryType: ZoneGeometryType;
  vertexCount: number;
  /** Corridors: length of the centreline, metres. */
  lengthM: number | null;
  bbox: [minLon: number, minLat: number, maxLon: number, maxLat: number];
  indexBytes: number;
}

export interface DeviceSnapshot {
  deviceId: string;
  status: DeviceStatus;
  breachLevel: BreachLevel | null;
  lastFix: FixSnapshot | null;
  decidingZone: ZoneRef | null;
  groups: readonly string[];
}

export interface EngineStats {
  zones: number;
  devices: number;
  vertices: number;
  /** Bytes of typed arrays in zone geometries plus the grid. */
  indexBytes: number;
  bytesPerVertex: number;
  gridCells: number;
}

/** Returned when a call emits nothing (shared, frozen: never mutate a returned array). */
export const NO_EVENTS: readonly DetectionEvent[] = Object.freeze([]);

// Device states: the four severities a fix can be classified to, then unknown and lost.
const SAFE = 0;
const APPROACHING = 1;
const PROBABLE = 2;
const CONFIRMED = 3;
const UNKNOWN = -2;
const LOST = -1;

/**
 * `decidingSlot` of a device whose last fix was judged a confirmed breach from distance bounds
 * alone (see processFix): the deciding zone is the nearest active safe zone to its last position,
 * within the search radius, resolved exactly when it is asked for (getDevice).
 */
const DECIDING_LAZY = -2;
/**
 * Lazy judgement measures the near zones with a cutoff this much beyond the fix accuracy: the
 * clearance left over lets the device's next fixes reuse the bound (its certificate).
 */
const LAZY_SLACK_M = 6;
/** Lazy judgement needs a safe zone known to be within this fraction of the search radius. */
const LAZY_UPPER_FRACTION = 0.9;

const RULES: readonly PointRule[] = [
  'inside-danger-zone',
  'on-danger-boundary',
  'outside-safe-union',
  'on-safe-boundary',
  'inside-safe-zone',
  'near-danger-zone',
  'no-applicable-zone',
];
const RULE_INSIDE_DANGER = 0;
const RULE_ON_DANGER_BOUNDARY = 1;
const RULE_OUTSIDE_SAFE = 2;
const RULE_ON_SAFE_BOUNDARY = 3;
const RULE_INSIDE_SAFE = 4;
const RULE_NEAR_DANGER = 5;
const RULE_NO_ZONE = 6;

// Per-slot flags (GeofenceEngine.slotFlags), so the hot loops test a zone without loading its record.
const SLOT_DANGER = 1;
/** Applies to every device and has no validity windows: no per-device or per-time check needed. */
const SLOT_UNCONDITIONAL = 2;

class ZoneRecord {
  // Copied out of `zone` so the hot path reads them from this object directly.
  readonly danger: boolean;
  readonly appliesAll: boolean;
  readonly geometry: ZoneGeometry;
  readonly validity: CompiledValidity;
  /** No validity windows: active at all times. */
  readonly always: boolean;
  readonly ref: ZoneRef;
  /** Activity at the last tick (null until the first tick after it was added). */
  tickActive: boolean | null = null;

  constructor(
    readonly slot: number,
    readonly zone: CompiledZone,
    public cells: Int32Array,
  ) {
    this.danger = zone.kind === 'danger';
    this.appliesAll = zone.appliesToDevices === null && zone.appliesToGroups === null;
    this.geometry = zone.geometry;
    this.validity = zone.validity;
    this.always = zone.validity.always;
    this.ref = Object.freeze({ zoneId: zone.id, zoneVersion: zone.version, zoneKind: zone.kind });
  }

  /** Applies to the device and is active at `atMs`: whether it takes part in the device's evaluation. */
  activeFor(device: DeviceState, atMs: number): boolean {
    return this.appliesTo(device) && (this.always || this.validity.isActive(atMs));
  }

  appliesTo(device: DeviceState): boolean {
    if (this.appliesAll) return true;
    const devices = this.zone.appliesToDevices;
    if (devices !== null && devices.has(device.id)) return true;
    const groups = this.zone.appliesToGroups;
    if (groups !== null) {
      const mine = device.groups;
      for (let i = 0; i < mine.length; i++) if (groups.has(mine[i])) return true;
    }
    return false;
  }

  /** Whether the position may be within `reachM` of the zone (degree bbox test). */
  near(lon: number, lat: number, reachM: number): boolean {
    const g = this.zone.geometry;
    const dLat = reachM / g.ky0 + 1e-9;
    const dLon =
      reachM /
      metresPerDegreeLon(Math.min(89, Math.max(Math.abs(g.minLat), Math.abs(g.maxLat)) + dLat), g.model);
    return (
      lon >= g.minLon - dLon && lon <= g.maxLon + dLon && lat >= g.minLat - dLat && lat <= g.maxLat + dLat
    );
  }
}

class DeviceState {
  groups: readonly string[] = [];
  state = UNKNOWN;
  hasFix = false;
  lastFixTimeMs = -Infinity;
  lastHeardMs = -Infinity;
  /** Zone activity is evaluated at max(fix time, this): a later re-evaluation is never undone by a late fix. */
  ruleClockMs = -Infinity;
  lastLon = 0;
  lastLat = 0;
  lastAccuracyM = 0;
  lastSequence = NaN;
  lastRawBreach = false;
  decidingSlot = -1;
  lastSafeConstraint = false;
  // Dwell: direction (+1 escalating, -1 de-escalating, 0 none), count, start, most severe target.
  pendingDir = 0;
  pendingCount = 0;
  pendingSinceMs = 0;
  pendingTarget = 0;
  // Duplicate detection over the last N fixes.
  readonly recentTimes: Float64Array;
  readonly recentSeqs: Float64Array;
  recentNext = 0;
  maxSeenTimeMs = -Infinity;
  maxSeenSeq = -Infinity;
  // Cache of "has an active safe zone", valid for [safeFrom, safeUntil) at safeEpoch.
  safeEpoch = -1;
  safeFromMs = 0;
  safeUntilMs = 0;
  safeValue = false;
  // Breach certificate of the last lazy judgement, or of an exact evaluation that found a breach
  // outside every safe zone (processFix): at (certLon, certLat), in grid cell
  // (certCellX, certCellY), with the zone set of certEpoch, the position was outside every safe
  // zone, no boundary of a safe zone was within certSafeClearM, some applicable safe zone was
  // within certUpperM, and the breach margin was at most certBreachUpperM. Invalid when
  // certEpoch is -1.
  certEpoch = -1;
  certCellX = 0;
  certCellY = 0;
  certLon = 0;
  certLat = 0;
  certKx = 0;
  certKy = 0;
  certBreachUpperM = 0;
  certSafeClearM = 0;
  certUpperM = Infinity;
  // Interval certificate of the last exact evaluation (processFix): at (ivLon, ivLat), with the zone
  // set of ivEpoch, no boundary of any zone within ivClearM (so no inside/outside changes within it),
  // the breach margin was ivMarginM (1-Lipschitz in the position while no side changes), the
  // position's breach ivRawBreach and the safe constraint ivSafeConstraint. Invalid when ivEpoch is -1.
  ivEpoch = -1;
  ivLon = 0;
  ivLat = 0;
  ivKx = 0;
  ivKy = 0;
  ivClearM = 0;
  ivMarginM = 0;
  ivRawBreach = false;
  ivSafeConstraint = false;
  // The grid cell of the last evaluated position (a cell's id never changes once created).
  cellX = 0;
  cellY = 0;
  cellId = -1;

  constructor(
    readonly id: string,
    window: number,
  ) {
    this.recentTimes = new Float64Array(window).fill(NaN);
    this.recentSeqs = new Float64Array(window).fill(NaN);
  }
}

/** Scratch result of one point evaluation (reused; see PointQueryResult for the meaning). */
class PointEval {
  breach = false;
  rule = RULE_NO_ZONE;
  decidingSlot = -1;
  signedDistanceM = NaN;
  /** > 0 breaching, < 0 safe; -Infinity when nothing constrains the device. */
  marginM = -Infinity;
  chainageM = NaN;
  nearestSlot = -1;
  nearestDistanceM = Infinity;
  nearestChainageM = NaN;
  safeConstraint = false;
}

const STATUS_NAMES: Record<number, DeviceStatus> = {
  [UNKNOWN]: 'unknown',
  [LOST]: 'lost',
  [SAFE]: 'safe',
  [APPROACHING]: 'approaching',
  [PROBABLE]: 'breach',
  [CONFIRMED]: 'breach',
};

/**
 * The distance of a move (dLon, dLat) in metres, measured with the scales (kx, ky) of a position's
 * latitude, rounded up to hold in the metric of any latitude a certificate may still cover (the
 * relative change is ~1e-5 over a grid cell). The certificates compare moves against distances
 * certified at that position.
 */
function metresUpTo(dLon: number, dLat: number, kx: number, ky: number): number {
  const dx = dLon * kx;
  const dy = dLat * ky;
  return Math.sqrt(dx * dx + dy * dy) * 1.001 + 1e-6;
}

function statusName(state: number): DeviceStatus {
  return STATUS_NAMES[state];
}

function levelName(state: number): BreachLevel | null {
  return state === CONFIRMED ? 'confirmed' : state === PROBABLE ? 'probable' : null;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

export class GeofenceEngine {
  readonly policy: Readonly<DetectionPolicy>;
  readonly limits: Readonly<ZoneLimits>;
  readonly earthModel: EarthModel;
  readonly searchRadiusM: number;
  private readonly chunkM: number;
  private readonly thresholds: Readonly<AppliedThresholds>;
  private readonly grid: ZoneGrid;
  private readonly zones: (ZoneRecord | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private readonly byId = new Map<string, ZoneRecord>();
  private readonly safeSlots = new Set<number>();
  private readonly windowedSlots = new Set<number>();
  /** Safe zones that apply to every device and have no windows: the safe constraint always holds. */
  private alwaysSafeCount = 0;
  private zoneEpoch = 0;
  /** Bumped by every zone change and window toggle: invalidates the devices' certificates. */
  private geometryEpoch = 0;
  private readonly devices = new Map<string, DeviceState>();
  private eventSeq = 0;
  private lastTickMs = -Infinity;
  private vertexTotal = 0;
  private geometryBytes = 0;
  // Scratch, allocated once.
  private readonly ev = new PointEval();
  private readonly segEv = new PointEval();
  private readonly params = new ParamBuffer();
  private segEntries = new Float64Array(1 + 64 * ENTRY);
  private slotIndex = new Int32Array(1024);
  private slotStamp = new Int32Array(1024);
  // Hot view of each slot's zone (flatbush style): its chunk's shared arrays and its header offset.
  private slotF64: Float64Array[] = [];
  private slotI32: Int32Array[] = [];
  private slotF32: Float32Array[] = [];
  private slotBase = new Int32Array(1024);
  private slotFlags = new Uint8Array(1024);
  private stampGen = 0;
  private readonly anonymous: DeviceState;
  /** Certificates and lazy judgement allowed (see GeofenceEngineOptions.exactEveryFix). */
  private readonly shortcuts: boolean;

  constructor(options: GeofenceEngineOptions = {}) {
    this.policy = resolvePolicy(options.policy);
    this.limits = Object.freeze({ ...DEFAULT_ZONE_LIMITS, ...options.limits });
    this.earthModel = options.earthModel ?? 'wgs84';
    this.searchRadiusM = options.searchRadiusM ?? 100;
    const p = this.policy;
    if (!(this.searchRadiusM > p.warningDistanceM + p.warningExitMarginM)) {
      throw new ZoneValidationError(ZoneValidationErrorCode.InvalidStructure, 'searchRadiusM too small', {
        path: 'options.searchRadiusM',
        expected: `> warningDistanceM + warningExitMarginM (${p.warningDistanceM + p.warningExitMarginM})`,
        actual: String(this.searchRadiusM),
      });
    }
    this.grid = new ZoneGrid(options.cellDeg ?? 0.002);
    this.chunkM = options.chunkM ?? 50;
    this.shortcuts = options.exactEveryFix !== true;
    this.thresholds = this.policy;
    this.anonymous = new DeviceState('', 1);
  }

  // ---------------------------------------------------------------- zones

  /**
   * Adds or replaces a zone (validated first: on error nothing changes). Versions may not go
   * backwards. Re-evaluates every device whose last fix the change could affect, at
   * max(its last evaluation time, nowMs), and returns their events.
   */
  upsertZone(input: ZoneInput, nowMs?: number): readonly DetectionEvent[] {
    const compiled = compileZone(input, this.limits, this.earthModel);
    const existing = this.byId.get(compiled.id);
    if (existing !== undefined && compiled.version < existing.zone.version) {
      throw new ZoneValidationError(ZoneValidationErrorCode.InvalidVersion, 'zone version went backwards', {
        path: 'version',
        zoneId: compiled.id,
        expected: `>= ${existing.zone.version}`,
        actual: String(compiled.version),
      });
    }
    let slot: number;
    if (existing !== undefined) {
      slot = existing.slot;
      this.detach(existing);
    } else {
      slot = this.freeSlots.length > 0 ? (this.freeSlots.pop() as number) : this.zones.length;
    }
    const [marginLon, marginLat] = marginDegrees(compiled.geometry, this.searchRadiusM);
    const boxes = coverBoxes(compiled.geometry, this.chunkM);
    const cells = this.grid.insert(slot, boxes, marginLon, marginLat);
    const record = new ZoneRecord(slot, compiled, cells);
    this.attach(record);
    if (Number.isFinite(this.lastTickMs)) record.tickActive = compiled.validity.isActive(this.lastTickMs);
    return this.reevaluateFor(existing, record, slot, nowMs, 'zone-change');
  }

  /** Removes a zone; re-evaluates affected devices as upsertZone does. Unknown ids are a no-op. */
  removeZone(id: string, nowMs?: number): readonly DetectionEvent[] {
    const existing = this.byId.get(id);
    if (existing === undefined) return NO_EVENTS;
    this.detach(existing);
    this.byId.delete(id);
    const events = this.reevaluateFor(existing, undefined, existing.slot, nowMs, 'zone-change');
    this.freeSlots.push(existing.slot);
    return events;
  }

  hasZone(id: string): boolean {
    return this.byId.has(id);
  }

  get zoneCount(): number {
    return this.byId.size;
  }

  getZone(id: string): ZoneSummary | undefined {
    const record = this.byId.get(id);
    return record === undefined ? undefined : this.summarise(record);
  }

  listZones(): ZoneSummary[] {
    return [...this.byId.values()].map((r) => this.summarise(r));
  }

  private summarise(record: ZoneRecord): ZoneSummary {
    const g = record.geometry;
    return {
      ...record.ref,
      geometryType: record.zone.geometryType,
      vertexCount: g.vertexCount,
      lengthM: g.chainage === null ? null : g.lengthM,
      bbox: [g.minLon, g.minLat, g.maxLon, g.maxLat],
      indexBytes: g.byteLength + record.cells.byteLength,
    };
  }

  private attach(record: ZoneRecord): void {
    const slot = record.slot;
    this.geometryEpoch++;
    this.zones[slot] = record;
    this.byId.set(record.zone.id, record);
    if (!record.danger) {
      this.safeSlots.add(slot);
      if (record.appliesAll && record.validity.always) this.alwaysSafeCount++;
      this.zoneEpoch++;
    }
    if (!record.validity.always) this.windowedSlots.add(slot);
    this.vertexTotal += record.geometry.vertexCount;
    this.geometryBytes += record.geometry.byteLength + record.cells.byteLength;
    if (slot >= this.slotStamp.length) {
      const size = Math.max(this.slotStamp.length * 2, slot + 1);
      const grown = new Int32Array(size);
      grown.set(this.slotStamp);
      this.slotStamp = grown;
      this.slotIndex = new Int32Array(size);
      const base = new Int32Array(size);
      base.set(this.slotBase);
      this.slotBase = base;
      const flags = new Uint8Array(size);
      flags.set(this.slotFlags);
      this.slotFlags = flags;
    }
    const views = record.geometry.views;
    this.slotF64[slot] = views.f64;
    this.slotI32[slot] = views.i32;
    this.slotF32[slot] = views.f32;
    this.slotBase[slot] = record.geometry.base;
    this.slotFlags[slot] =
      (record.danger ? SLOT_DANGER : 0) | (record.appliesAll && record.always ? SLOT_UNCONDITIONAL : 0);
  }

  private detach(record: ZoneRecord): void {
    const slot = record.slot;
    this.geometryEpoch++;
    this.grid.remove(slot, record.cells);
    this.zones[slot] = undefined;
    if (!record.danger) {
      this.safeSlots.delete(slot);
      if (record.appliesAll && record.validity.always) this.alwaysSafeCount--;
      this.zoneEpoch++;
    }
    this.windowedSlots.delete(slot);
    this.vertexTotal -= record.geometry.vertexCount;
    this.geometryBytes -= record.geometry.byteLength + record.cells.byteLength;
  }

  /**
   * Re-evaluates devices whose last fix a change of `slot` (before: `oldRecord`, after:
   * `newRecord`) could affect: near either geometry and applicable, decided by that zone, or whose
   * safe constraint (any active safe zone at all) flips.
   */
  private reevaluateFor(
    oldRecord: ZoneRecord | undefined,
    newRecord: ZoneRecord | undefined,
    slot: number,
    nowMs: number | undefined,
    cause: StatusCause,
  ): readonly DetectionEvent[] {
    let events: DetectionEvent[] | null = null;
    const reach = this.searchRadiusM;
    const safeKind =
      (oldRecord !== undefined && !oldRecord.danger) || (newRecord !== undefined && !newRecord.danger);
    for (const device of this.devices.values()) {
      if (!device.hasFix || device.state === LOST) continue;
      const lon = device.lastLon;
      const lat = device.lastLat;
      const at = nowMs === undefined ? device.ruleClockMs : Math.max(device.ruleClockMs, nowMs);
      const appliesOld = oldRecord !== undefined && oldRecord.appliesTo(device);
      const appliesNew = newRecord !== undefined && newRecord.appliesTo(device);
      let affected =
        device.decidingSlot === slot ||
        (appliesOld && oldRecord.near(lon, lat, reach)) ||
        (appliesNew && newRecord.near(lon, lat, reach));
      if (!affected && safeKind && (appliesOld || appliesNew)) {
        affected = this.hasActiveSafeZone(device, at) !== device.lastSafeConstraint;
      }
      if (!affected) continue;
      const event = this.reevaluate(device, at, cause);
      if (event !== null) (events ??= []).push(event);
    }
    return events ?? NO_EVENTS;
  }

  private reevaluate(device: DeviceState, atMs: number, cause: StatusCause): StatusEvent | null {
    const ev = this.ev;
    device.ruleClockMs = atMs;
    this.evaluatePoint(device.lastLon, device.lastLat, atMs, device, ev, true);
    device.lastRawBreach = ev.breach;
    return this.step(device, ev, device.lastAccuracyM, atMs, atMs, cause, true);
  }

  // ---------------------------------------------------------------- time

  /**
   * Advances the engine's clock: zones whose validity window opened or closed since the last tick
   * re-evaluate the devices they affect (dwell bypassed, margins kept), then devices silent for
   * longer than policy.lostAfterMs become `lost`.
   */
  tick(nowMs: number): readonly DetectionEvent[] {
    let events: DetectionEvent[] | null = null;
    if (nowMs < this.lastTickMs) return NO_EVENTS;
    this.lastTickMs = nowMs;
    for (const slot of this.windowedSlots) {
      const record = this.zones[slot] as ZoneRecord;
      const active = record.validity.isActive(nowMs);
      if (record.tickActive === null) {
        record.tickActive = active;
        continue;
      }
      if (active === record.tickActive) continue;
      record.tickActive = active;
      this.geometryEpoch++;
      if (!record.danger) this.zoneEpoch++;
      const changed = this.reevaluateFor(record, record, slot, nowMs, 'window-change');
      if (changed.length > 0) (events ??= []).push(...changed);
    }
    const lostAfter = this.policy.lostAfterMs;
    for (const device of this.devices.values()) {
      if (!device.hasFix || device.state === LOST) continue;
      const silence = nowMs - device.lastHeardMs;
      if (silence <= lostAfter) continue;
      const previous = device.state;
      device.state = LOST;
      device.pendingDir = 0;
      (events ??= []).push({
        type: 'status',
        eventSeq: ++this.eventSeq,
        deviceId: device.id,
        atMs: nowMs,
        status: 'lost',
        breachLevel: null,
        previousStatus: statusName(previous),
        previousBreachLevel: levelName(previous),
        cause: 'silence',
        evidence: null,
        lastFix: this.lastFixSnapshot(device),
        silenceMs: silence,
      });
    }
    return events ?? NO_EVENTS;
  }

  // ---------------------------------------------------------------- fixes

  /**
   * Processes one fix. Returns the events it caused (NO_EVENTS, shared and frozen, when none):
   * possibly a `crossing` (the straight path since the previous fix breached), then a `status`
   * change; or a `fix-flagged` (duplicate, out-of-order, invalid) that changes nothing.
   */
  processFix(fix: FixInput): readonly DetectionEvent[] {
    const { deviceId, fixTimeMs, lon, lat, accuracyM } = fix;
    if (
      typeof deviceId !== 'string' ||
      deviceId.length === 0 ||
      !Number.isFinite(fixTimeMs) ||
      !Number.isFinite(lon) ||
      !Number.isFinite(lat) ||
      lon < -180 ||
      lon > 180 ||
      lat < -90 ||
      lat > 90 ||
      !(accuracyM >= 0) ||
      accuracyM === Infinity
    ) {
      return [
        this.flag(this.devices.get(deviceId), fix, 'invalid', 'fix fields out of range or not finite', null),
      ];
    }
    let device = this.devices.get(deviceId);
    if (device === undefined) {
      device = new DeviceState(deviceId, this.policy.reorderWindowFixes);
      this.devices.set(deviceId, device);
    }
    if (fix.groups !== undefined && !sameList(device.groups, fix.groups)) {
      device.groups = Object.freeze([...fix.groups]);
      device.safeEpoch = -1;
    }

    const seq = fix.sequence;
    const hasSeq = typeof seq === 'number' && Number.isFinite(seq);
    if (this.isDuplicate(device, fixTimeMs, hasSeq ? (seq as number) : NaN)) {
      return [this.flag(device, fix, 'duplicate', 'same sequence number or fix time as a recent fix', null)];
    }
    this.remember(device, fixTimeMs, hasSeq ? (seq as number) : NaN);
    const heard =
      fix.receivedAtMs !== undefined && Number.isFinite(fix.receivedAtMs) ? fix.receivedAtMs : fixTimeMs;
    if (heard > device.lastHeardMs) device.lastHeardMs = heard;

    if (device.hasFix && fixTimeMs < device.lastFixTimeMs) {
      // Never changes state; evaluated at its own time for the record.
      const atMs = Math.max(fixTimeMs, device.ruleClockMs);
      this.evaluatePoint(lon, lat, atMs, device, this.segEv, true);
      return [
        this.flag(
          device,
          fix,
          'out-of-order',
          `fix time ${fixTimeMs} is older than the last processed ${device.lastFixTimeMs}`,
          this.toResult(this.segEv),
        ),
      ];
    }

    const atMs = Math.max(fixTimeMs, device.ruleClockMs);
    const ev = this.ev;
    // A device in breach stays at its level while the fix is outside every safe zone (not on a
    // safe boundary) with the safe constraint applying: the breach margin is then the larger of
    // the distance to the nearest safe zone and the depth in the danger zones holding the fix,
    // > 0 > -exit margin, so the breach holds; it stays confirmed while that distance is
    // >= accuracyM, and probable while both are < accuracyM. Bounds settle both (step() would
    // only clear a pending dwell, done here), so the exact distance is not needed. It is computed
    // when an event is emitted, and the deciding zone when getDevice asks for it.
    const state = device.state;
    const lazyNeedM = this.shortcuts && (state === CONFIRMED || state === PROBABLE) ? accuracyM : -1;
    const below = state === PROBABLE;
    const lazy =
      (lazyNeedM >= 0 && this.certificateHolds(device, lon, lat, atMs, lazyNeedM, below)) ||
      (this.shortcuts && state >= SAFE && this.intervalHolds(device, lon, lat, atMs, accuracyM, fixTimeMs)) ||
      this.evaluatePoint(lon, lat, atMs, device, ev, true, lazyNeedM, below);

    let crossing: CrossingEvent | null = null;
    let status: StatusEvent | null = null;
    if (lazy) {
      // (The interval certificate, when it settled the fix, has moved the dwell on and set these.)
      if (!this.intervalSettled) {
        device.decidingSlot = DECIDING_LAZY;
        device.lastSafeConstraint = true;
        device.pendingDir = 0;
      }
    } else {
      device.certEpoch = -1;
      // (Read before checkSegment, whose evaluations overwrite them.)
      const clearM = this.evalClearM;
      const safeOutsideM = this.evalSafeOutsideM;
      const certifiable = this.evalUnconditional;
      const kx = this.evalKx;
      const ky = this.evalKy;
      if (
        device.hasFix &&
        !device.lastRawBreach &&
        !ev.breach &&
        device.state !== LOST &&
        fixTimeMs - device.lastFixTimeMs <= this.policy.maxCrossingGapMs &&
        (lon !== device.lastLon || lat !== device.lastLat) &&
        !(this.shortcuts && this.pathClear(device, lon, lat, kx, ky, clearM))
      ) {
        crossing = this.checkSegment(device, fix, atMs);
      }
      status = this.step(device, ev, accuracyM, fixTimeMs, atMs, 'fix', false, fix);
      if (certifiable) {
        device.ivEpoch = this.geometryEpoch;
        device.ivLon = lon;
        device.ivLat = lat;
        device.ivKx = kx;
        device.ivKy = ky;
        device.ivClearM = clearM;
        device.ivMarginM = ev.marginM;
        device.ivRawBreach = ev.breach;
        device.ivSafeConstraint = ev.safeConstraint;
        if (safeOutsideM === safeOutsideM && (device.state === CONFIRMED || device.state === PROBABLE)) {
          // A breach outside every safe zone: the exact values are also a breach certificate (as a
          // lazy judgement leaves), with the nearest safe zone's distance as clearance and bound.
          this.certify(device, lon, lat, kx, ky, safeOutsideM, safeOutsideM, ev.marginM);
        }
      } else {
        device.ivEpoch = -1;
      }
    }

    device.hasFix = true;
    device.lastFixTimeMs = fixTimeMs;
    device.ruleClockMs = atMs;
    device.lastLon = lon;
    device.lastLat = lat;
    device.lastAccuracyM = accuracyM;
    device.lastSequence = hasSeq ? (seq as number) : NaN;
    device.lastRawBreach = this.intervalSettled ? device.ivRawBreach : lazy || ev.breach;
    this.intervalSettled = false;

    if (crossing === null && status === null) return NO_EVENTS;
    if (crossing === null) return [status as StatusEvent];
    return status === null ? [crossing] : [crossing, status];
  }

  private isDuplicate(device: DeviceState, timeMs: number, seq: number): boolean {
    const timeFresh = timeMs > device.maxSeenTimeMs;
    const seqFresh = Number.isNaN(seq) || seq > device.maxSeenSeq;
    if (timeFresh && seqFresh) return false;
    const times = device.recentTimes;
    const seqs = device.recentSeqs;
    for (let i = 0; i < times.length; i++) {
      if (times[i] === timeMs || seqs[i] === seq) return true;
    }
    return false;
  }

  private remember(device: DeviceState, timeMs: number, seq: number): void {
    const i = device.recentNext;
    device.recentTimes[i] = timeMs;
    device.recentSeqs[i] = seq;
    device.recentNext = (i + 1) % device.recentTimes.length;
    if (timeMs > device.maxSeenTimeMs) device.maxSeenTimeMs = timeMs;
    if (seq > device.maxSeenSeq) device.maxSeenSeq = seq;
  }

  /**
   * Whether the device's certificate (its last lazy judgement) still settles this fix: same grid
   * cell (same candidate zones), same zone set, and the fix moved less than the safe zones'
   * clearance minus the tolerance and minus the distance that must stay clear (`needM`); with
   * `below` (a probable breach), less than needM minus the margin's upper bound instead.
   * Distances and depths change by at most the move, so the bounds that settled the last
   * judgement still settle this one.
   */
  private certificateHolds(
    device: DeviceState,
    lon: number,
    lat: number,
    atMs: number,
    needM: number,
    below: boolean,
  ): boolean {
    if (device.certEpoch !== this.geometryEpoch) return false;
    const grid = this.grid;
    if (grid.cellX(lon) !== device.certCellX || grid.cellY(lat) !== device.certCellY) return false;
    const movedM = metresUpTo(lon - device.certLon, lat - device.certLat, device.certKx, device.certKy);
    const safeClearM = device.certSafeClearM * (1 - 1e-4) - movedM;
    if (!(safeClearM > this.policy.boundaryToleranceM)) return false;
    if (below ? !(device.certBreachUpperM * (1 + 1e-4) + movedM < needM) : !(safeClearM >= needM)) {
      return false;
    }
    if (!(device.certUpperM + movedM <= LAZY_UPPER_FRACTION * this.searchRadiusM)) return false;
    return this.policy.requireSafeZone || this.hasActiveSafeZone(device, atMs);
  }

  /**
   * Whether the straight path from the device's last position to (lon, lat) is known to cross no
   * zone boundary, so the crossing test has nothing to find: it lies in the union of two discs
   * without a boundary, one around the new position (radius `clearM`, from its exact evaluation,
   * metric kx/ky) and, when the last position lies in the device's interval-certificate disc, one
   * around the last position inside that disc. Two such discs cover the path when their radii add
   * up to more than its length. (The last position is in that disc when the last fix was not a
   * breach and the certificate is valid: it was the certificate's own position or settled by it.)
   */
  private pathClear(
    device: DeviceState,
    lon: number,
    lat: number,
    kx: number,
    ky: number,
    clearM: number,
  ): boolean {
    const eps = this.policy.boundaryToleranceM;
    const lengthM = metresUpTo(lon - device.lastLon, lat - device.lastLat, kx, ky);
    let radiiM = clearM * (1 - 1e-4) - eps;
    if (device.ivEpoch === this.geometryEpoch) {
      const lastRadiusM =
        device.ivClearM * (1 - 1e-4) -
        eps -
        metresUpTo(device.lastLon - device.ivLon, device.lastLat - device.ivLat, device.ivKx, device.ivKy);
      if (lastRadiusM > 0) radiiM += lastRadiusM;
    }
    return lengthM < radiiM;
  }

  /**
   * Gives the device a breach certificate at (lon, lat), in the grid cell of its last evaluation
   * (see DeviceState.certEpoch for what the bounds mean).
   */
  private certify(
    device: DeviceState,
    lon: number,
    lat: number,
    kx: number,
    ky: number,
    safeClearM: number,
    upperM: number,
    breachUpperM: number,
  ): void {
    device.certEpoch = this.geometryEpoch;
    device.certCellX = device.cellX;
    device.certCellY = device.cellY;
    device.certLon = lon;
    device.certLat = lat;
    device.certKx = kx;
    device.certKy = ky;
    device.certSafeClearM = safeClearM;
    device.certUpperM = upperM;
    device.certBreachUpperM = breachUpperM;
  }

  /** Set by intervalHolds when it settled the current fix (processFix reads and clears it). */
  private intervalSettled = false;

  /**
   * Whether the device's interval certificate (its last exact evaluation) settles this fix without
   * geometry: the fix moved less than the clearance, so no zone's inside/outside changed and the
   * breach margin lies within `moved` of the certified one; the state the fix classifies to is the
   * same at both ends of that interval (targetFor is monotone in the margin), and the dwell moved
   * on by it reaches no new state (a change needs the exact evaluation: its evidence). The straight
   * path from the previous fix stays within the clearance too, so it crosses nothing. Only with
   * every zone within the search radius unconditional (taken when certified) and the deciding zone
   * within 90 % of the search radius (as for the lazy judgement: zone changes reach the device).
   */
  private intervalHolds(
    device: DeviceState,
    lon: number,
    lat: number,
    atMs: number,
    accuracyM: number,
    fixTimeMs: number,
  ): boolean {
    if (device.ivEpoch !== this.geometryEpoch) return false;
    const movedM = metresUpTo(lon - device.ivLon, lat - device.ivLat, device.ivKx, device.ivKy);
    if (!(movedM < device.ivClearM * (1 - 1e-4) - this.policy.boundaryToleranceM)) return false;
    // The deciding zone stays within 90 % of the search radius, and no zone beyond the radius can
    // come nearer than that.
    const radius = this.searchRadiusM;
    const b = device.ivMarginM;
    const reachM = (b < 0 ? -b : b) + movedM;
    if (!(reachM <= LAZY_UPPER_FRACTION * radius) || !(movedM < (1 - LAZY_UPPER_FRACTION) * radius))
      return false;
    const safeConstraint = this.policy.requireSafeZone || this.hasActiveSafeZone(device, atMs);
    if (safeConstraint !== device.ivSafeConstraint) return false;
    const current = device.state;
    const raw = device.ivRawBreach;
    const target = this.targetFor(current, raw, b - movedM, accuracyM);
    if (target !== this.targetFor(current, raw, b + movedM, accuracyM)) return false;
    const pendingDir = device.pendingDir;
    const pendingCount = device.pendingCount;
    const pendingSinceMs = device.pendingSinceMs;
    const pendingTarget = device.pendingTarget;
    if (this.advance(device, target, fixTimeMs, false) !== current) {
      device.pendingDir = pendingDir;
      device.pendingCount = pendingCount;
      device.pendingSinceMs = pendingSinceMs;
      device.pendingTarget = pendingTarget;
      return false;
    }
    device.decidingSlot = DECIDING_LAZY;
    device.lastSafeConstraint = device.ivSafeConstraint;
    this.intervalSettled = true;
    return true;
  }

  /**
   * The state machine. Margins (hysteresis) depend on the current state; dwell (count or fix-time
   * duration) gates escalation and de-escalation separately; re-evaluations bypass dwell.
   */
  private step(
    device: DeviceState,
    ev: PointEval,
    accuracyM: number,
    fixTimeMs: number,
    atMs: number,
    cause: StatusCause,
    bypassDwell: boolean,
    fix?: FixInput,
  ): StatusEvent | null {
    const current = device.state;
    device.decidingSlot = ev.decidingSlot;
    device.lastSafeConstraint = ev.safeConstraint;
    const next = this.advance(
      device,
      this.targetFor(current, ev.breach, ev.marginM, accuracyM),
      fixTimeMs,
      bypassDwell,
    );
    if (next === current) return null;
    device.state = next;
    const deciding = ev.decidingSlot >= 0 ? (this.zones[ev.decidingSlot] as ZoneRecord) : undefined;
    const nearest = ev.nearestSlot >= 0 ? (this.zones[ev.nearestSlot] as ZoneRecord) : undefined;
    return {
      type: 'status',
      eventSeq: ++this.eventSeq,
      deviceId: device.id,
      atMs,
      status: statusName(next),
      breachLevel: levelName(next),
      previousStatus: statusName(current),
      previousBreachLevel: levelName(current),
      cause,
      // One literal (no spread of toResult: V8 builds spread objects slowly); same keys, same order.
      evidence: {
        breach: ev.breach,
        rule: RULES[ev.rule],
        decidingZone: deciding === undefined ? null : deciding.ref,
        signedDistanceM: deciding === undefined ? null : finiteOrNull(ev.signedDistanceM),
        breachMarginM: finiteOrNull(ev.marginM),
        chainageM: finiteOrNull(ev.chainageM),
        nearestBoundary:
          nearest === undefined
            ? null
            : {
                ...nearest.ref,
                distanceM: ev.nearestDistanceM,
                chainageM: finiteOrNull(ev.nearestChainageM),
              },
        fix: fix === undefined ? (this.lastFixSnapshot(device) as FixSnapshot) : snapshot(fix),
        accuracyM,
        thresholds: this.thresholds,
        evaluatedAtMs: atMs,
      },
      lastFix: null,
      silenceMs: null,
    };
  }

  /**
   * The state a fix classifies to, from the current state (margins depend on it: hysteresis), the
   * position's breach (`rawBreach`), its breach margin `b` and the fix's accuracy. Non-decreasing in
   * `b` (the states are ordered safe < approaching < probable < confirmed), which the interval
   * certificate relies on.
   */
  private targetFor(current: number, rawBreach: boolean, b: number, accuracyM: number): number {
    const p = this.policy;
    const wasBreach = current >= PROBABLE;
    let breach: boolean;
    if (wasBreach) breach = b > -p.breachExitMarginM;
    else
      breach = rawBreach && b >= p.breachEnterMarginM && (p.minBreachLevel === 'probable' || b >= accuracyM);
    if (breach) return rawBreach && b >= accuracyM ? CONFIRMED : PROBABLE;
    const reach = b + (p.warningIncludesAccuracy ? accuracyM : 0);
    const approaching =
      current === APPROACHING || wasBreach
        ? reach > -(p.warningDistanceM + p.warningExitMarginM)
        : reach >= -p.warningDistanceM;
    return approaching ? APPROACHING : SAFE;
  }

  /** Dwell: moves the device's pending change towards `target`; returns the state it reaches now. */
  private advance(device: DeviceState, target: number, fixTimeMs: number, bypassDwell: boolean): number {
    const p = this.policy;
    const current = device.state;
    let next = current;
    if (current === UNKNOWN || current === LOST || bypassDwell) {
      next = target;
      device.pendingDir = 0;
    } else if (target === current) {
      device.pendingDir = 0;
    } else {
      const dir = target > current ? 1 : -1;
      if (device.pendingDir !== dir) {
        device.pendingDir = dir;
        device.pendingCount = 1;
        device.pendingSinceMs = fixTimeMs;
        device.pendingTarget = target;
      } else {
        device.pendingCount++;
        if (dir < 0 && target > device.pendingTarget) device.pendingTarget = target;
        if (dir > 0) device.pendingTarget = target;
      }
      const minFixes = dir > 0 ? p.escalateMinFixes : p.deescalateMinFixes;
      const minDuration = dir > 0 ? p.escalateMinDurationMs : p.deescalateMinDurationMs;
      if (
        device.pendingCount >= minFixes ||
        (minDuration > 0 && fixTimeMs - device.pendingSinceMs >= minDuration)
      ) {
        next = device.pendingTarget;
        device.pendingDir = 0;
      }
    }
    return next;
  }

  private flag(
    device: DeviceState | undefined,
    fix: FixInput,
    reason: FixFlagReason,
    detail: string,
    evaluation: PointQueryResult | null,
  ): FixFlaggedEvent {
    return {
      type: 'fix-flagged',
      eventSeq: ++this.eventSeq,
      deviceId: String(fix.deviceId),
      atMs: Number.isFinite(fix.fixTimeMs) ? fix.fixTimeMs : null,
      reason,
      detail,
      fix: snapshot(fix),
      lastProcessedFixTimeMs: device !== undefined && device.hasFix ? device.lastFixTimeMs : null,
      evaluation,
      currentStatus: device === undefined ? 'unknown' : statusName(device.state),
    };
  }

  private lastFixSnapshot(device: DeviceState): FixSnapshot | null {
    if (!device.hasFix) return null;
    return {
      deviceId: device.id,
      fixTimeMs: device.lastFixTimeMs,
      lon: device.lastLon,
      lat: device.lastLat,
      accuracyM: device.lastAccuracyM,
      sequence: Number.isNaN(device.lastSequence) ? null : device.lastSequence,
    };
  }

  // ---------------------------------------------------------------- queries

  /**
   * Point query without state (allocates its result; for APIs and tests). `deviceId`/`groups`
   * select applicable zones (default: only zones that apply to every device).
   */
  query(
    lon: number,
    lat: number,
    options: { atMs: number; deviceId?: string; groups?: readonly string[] },
  ): PointQueryResult {
    const device = this.contextFor(options.deviceId, options.groups);
    this.evaluatePoint(lon, lat, options.atMs, device, this.segEv, true);
    return this.toResult(this.segEv);
  }

  /**
   * Allocation-free variant of query() for benchmarks and batch use: fills `out` and returns the
   * breach margin (NaN when unconstrained). `out` must come from createQueryScratch().
   */
  queryInto(lon: number, lat: number, atMs: number, out: QueryScratch): number {
    const ev = out as unknown as PointEval;
    this.evaluatePoint(lon, lat, atMs, this.anonymous, ev, true);
    return Number.isFinite(ev.marginM) ? ev.marginM : NaN;
  }

  getDevice(deviceId: string): DeviceSnapshot | undefined {
    const device = this.devices.get(deviceId);
    if (device === undefined) return undefined;
    if (device.decidingSlot === DECIDING_LAZY) {
      // Same position, same rule clock and (see reevaluateFor) no change near it since: exact.
      this.evaluatePoint(device.lastLon, device.lastLat, device.ruleClockMs, device, this.segEv, true, -1);
      device.decidingSlot = this.segEv.decidingSlot;
    }
    const deciding = device.decidingSlot >= 0 ? this.zones[device.decidingSlot] : undefined;
    return {
      deviceId,
      status: statusName(device.state),
      breachLevel: levelName(device.state),
      lastFix: this.lastFixSnapshot(device),
      decidingZone: deciding === undefined ? null : deciding.ref,
      groups: device.groups,
    };
  }

  /** Forgets a device (its state, dedupe memory and silence timer). */
  removeDevice(deviceId: string): boolean {
    return this.devices.delete(deviceId);
  }

  stats(): EngineStats {
    const indexBytes = this.geometryBytes + this.grid.byteLength;
    return {
      zones: this.byId.size,
      devices: this.devices.size,
      vertices: this.vertexTotal,
      indexBytes,
      bytesPerVertex: this.vertexTotal > 0 ? indexBytes / this.vertexTotal : 0,
      gridCells: this.grid.cellTotal,
    };
  }

  private contextFor(deviceId: string | undefined, groups: readonly string[] | undefined): DeviceState {
    if (deviceId === undefined && groups === undefined) return this.anonymous;
    const context = new DeviceState(deviceId ?? '', 1);
    context.groups = groups ?? this.devices.get(deviceId ?? '')?.groups ?? [];
    return context;
  }

  private toResult(ev: PointEval): PointQueryResult {
    const deciding = ev.decidingSlot >= 0 ? (this.zones[ev.decidingSlot] as ZoneRecord) : undefined;
    const nearest = ev.nearestSlot >= 0 ? (this.zones[ev.nearestSlot] as ZoneRecord) : undefined;
    return {
      breach: ev.breach,
      rule: RULES[ev.rule],
      decidingZone: deciding === undefined ? null : deciding.ref,
      signedDistanceM: deciding === undefined ? null : finiteOrNull(ev.signedDistanceM),
      breachMarginM: finiteOrNull(ev.marginM),
      chainageM: finiteOrNull(ev.chainageM),
      nearestBoundary:
        nearest === undefined
          ? null
          : { ...nearest.ref, distanceM: ev.nearestDistanceM, chainageM: finiteOrNull(ev.nearestChainageM) },
    };
  }

  private hasActiveSafeZone(device: DeviceState, atMs: number): boolean {
    if (this.alwaysSafeCount > 0) return true;
    if (device.safeEpoch === this.zoneEpoch && atMs >= device.safeFromMs && atMs < device.safeUntilMs) {
      return device.safeValue;
    }
    let value = false;
    let from = -Infinity;
    let until = Infinity;
    for (const slot of this.safeSlots) {
      const record = this.zones[slot] as ZoneRecord;
      if (!record.appliesTo(device)) continue;
      const validity = record.validity;
      if (validity.always) {
        value = true;
        continue;
      }
      if (validity.isActive(atMs)) value = true;
      from = Math.max(from, validity.lastChangeAtOrBefore(atMs));
      until = Math.min(until, validity.nextChangeAfter(atMs));
    }
    device.safeEpoch = this.zoneEpoch;
    device.safeFromMs = from;
    device.safeUntilMs = until;
    device.safeValue = value;
    return value;
  }

  /**
   * Evaluates a position against the zones registered in its grid cell. With `lazyNeedM` >= 0
   * (processFix, see there) it may stop early: it returns true, with only `out.breach` set, when
   * the position is outside every safe zone, no safe boundary is within lazyNeedM (with `below`:
   * some applicable safe zone is known nearer than lazyNeedM, and so is every boundary of a danger
   * zone holding the position) and an applicable safe zone is known within the search radius; the
   * device's certificate then holds the bounds.
   */
  private evaluatePoint(
    lon: number,
    lat: number,
    atMs: number,
    device: DeviceState,
    out: PointEval,
    exact: boolean,
    lazyNeedM = -1,
    below = false,
  ): boolean {
    const grid = this.grid;
    const cx = grid.cellX(lon);
    const cy = grid.cellY(lat);
    let cell = device.cellId;
    if (cell < 0 || cx !== device.cellX || cy !== device.cellY) {
      cell = grid.find(cx, cy);
      device.cellX = cx;
      device.cellY = cy;
      device.cellId = cell;
    }
    const entries = cell < 0 ? EMPTY_CELL : grid.cells[cell];
    if (!this.evaluateList(entries, lon, lat, atMs, device, out, exact, lazyNeedM, below)) return false;
    if (this.lazyCertifiable) {
      this.certify(
        device,
        lon,
        lat,
        this.lazyKx,
        this.lazyKy,
        this.lazySafeClearM,
        this.lazyUpperM,
        this.lazyBreachUpperM,
      );
    } else {
      device.certEpoch = -1;
    }
    return true;
  }

  // Bounds of the last lazy judgement (evaluateList with lazyNeedM >= 0 that returned true).
  private lazyBreachUpperM = 0;
  private lazySafeClearM = 0;
  private lazyUpperM = Infinity;
  private lazyKx = 0;
  private lazyKy = 0;
  /** Every zone within the search radius applies to every device at all times (no re-check needed). */
  private lazyCertifiable = false;
  // Of the last exact evaluation (evaluateList returning false): no zone boundary within evalClearM,
  // whether every zone within the search radius was unconditional, the metric at the position.
  private evalClearM = 0;
  private evalSafeOutsideM = NaN;
  private evalUnconditional = false;
  private evalKx = 0;
  private evalKy = 0;

  /**
   * The point rule. Danger zones are closed (a point on, or within boundaryToleranceM of, a danger
   * edge is in danger, whatever safe zone shares that edge). Safe zones: a point strictly inside
   * one is covered; a point on a safe boundary is covered only if it is also on or inside another
   * safe zone (an edge shared by two safe zones is interior to their union), else it is outside.
   * Breach = in any danger zone, or (when the safe constraint applies) not covered.
   *
   * Pass 1: a zone whose cover box (in the cell entry) is farther than warningDistanceM is outside
   * and only noted with that lower bound ("far"); the others are measured with a cutoff of
   * warningDistanceM (the inside/outside sign is always exact). Pass 2 refines only distances
   * that can still decide: the depth in the deciding zone, the nearest safe zone when outside all
   * of them, a danger zone closer than the safe depth. `exact` false (segment walks) skips pass 2:
   * only `breach` is then meaningful. `lazyNeedM` >= 0: see evaluatePoint (pass 1 then uses a
   * cutoff of lazyNeedM + LAZY_SLACK_M unless `below`; returns true when judged lazily).
   */
  private evaluateList(
    entries: Float64Array,
    lon: number,
    lat: number,
    atMs: number,
    device: DeviceState,
    out: PointEval,
    exact: boolean,
    lazyNeedM: number,
    below: boolean,
  ): boolean {
    const model = this.earthModel;
    const kxP = metresPerDegreeLon(lat, model);
    const kyP = metresPerDegreeLat(lat, model);
    const radius = this.searchRadiusM;
    const radius2 = radius * radius;
    const eps = this.policy.boundaryToleranceM;
    const warning = this.policy.warningDistanceM;
    // Pass 1 measures within `cutoff`: beyond it only the sign (and the cutoff as a lower bound).
    const cutoff = lazyNeedM >= 0 && !below ? Math.max(warning, lazyNeedM + LAZY_SLACK_M) : warning;
    const cutoff2 = cutoff * cutoff;
    this.passCutoffM = cutoff;
    const zones = this.zones;
    const flags = this.slotFlags;
    const count = entries[0] | 0;
    if (count > this.candSlot.length) this.growCandidates(count);
    // A confirmed breach judged lazily depends on the safe zones only (see the lazy test below):
    // the danger zones are measured only if that judgement fails.
    const deferDanger = lazyNeedM >= 0 && !below;
    const cSlot = this.candSlot;
    const cSd = this.candSd;
    const cChain = this.candChain;
    const cLower = this.candLower;

    // Pass 1. Near candidates fill [0, m), far ones [far, count) from the top.
    let m = 0;
    let far = count;
    let nearestAbs = Infinity;
    let nearestSlot = -1;
    let nearestChain = NaN;
    // For lazy judgement: inside (or on) any zone, the least upper bound of a safe zone's distance,
    // and whether every zone within the radius is unconditional.
    let insideSafe = false;
    let dangerDepth = -Infinity;
    let nearestSafe = Infinity;
    let safeUpper = Infinity;
    let unconditional = true;
    for (let n = 0; n < count; n++) {
      const e = 1 + n * ENTRY;
      const dxDeg =
        lon < entries[e + 1] ? entries[e + 1] - lon : lon > entries[e + 3] ? lon - entries[e + 3] : 0;
      const dyDeg =
        lat < entries[e + 2] ? entries[e + 2] - lat : lat > entries[e + 4] ? lat - entries[e + 4] : 0;
      const dx = dxDeg * kxP;
      const dy = dyDeg * kyP;
      const box2 = (dx * dx + dy * dy) * 0.998;
      if (box2 > radius2) continue;
      const slot = entries[e] | 0;
      const slotFlags = flags[slot];
      if ((slotFlags & SLOT_UNCONDITIONAL) === 0) unconditional = false;
      if (box2 > cutoff2) {
        far--;
        cSlot[far] = slot;
        cLower[far] = Math.sqrt(box2);
        cSd[far] = Infinity;
        continue;
      }
      if ((slotFlags & SLOT_UNCONDITIONAL) === 0 && !(zones[slot] as ZoneRecord).activeFor(device, atMs)) {
        continue;
      }
      cSlot[m++] = slot;
      if (!deferDanger || (slotFlags & SLOT_DANGER) === 0) this.touchSink += this.touch(slot, lon, lat);
    }
    for (let i = 0; i < m; i++) {
      const slot = cSlot[i];
      if (deferDanger && (flags[slot] & SLOT_DANGER) !== 0) continue;
      const sd = this.measure(slot, lon, lat, kxP, kyP, cutoff);
      const chain = distanceScratch.chainageM;
      cSd[i] = sd;
      cChain[i] = chain;
      cLower[i] = cutoff;
      const safe = (flags[slot] & SLOT_DANGER) === 0;
      if (!safe) {
        // In it (closed, within the tolerance) at this depth; -Infinity: deeper than the cutoff.
        if (sd <= eps && (sd < 0 ? -sd : 0) > dangerDepth) dangerDepth = sd < 0 ? -sd : 0;
      } else if (sd <= 0) {
        insideSafe = true;
      } else {
        if (sd < nearestSafe) nearestSafe = sd;
        const upper = sd < distanceScratch.upperM ? sd : distanceScratch.upperM;
        if (upper < safeUpper) safeUpper = upper;
      }
      const abs = sd < 0 ? -sd : sd;
      if (abs < nearestAbs || (abs === nearestAbs && abs !== Infinity && this.idBefore(slot, nearestSlot))) {
        nearestAbs = abs;
        nearestSlot = slot;
        nearestChain = chain;
      }
    }
    this.farStart = far;
    this.farEnd = count;

    if (lazyNeedM >= 0 && !insideSafe) {
      // Outside every safe zone and every safe boundary at least `safeClear` away (far zones:
      // beyond the cutoff): not covered, so a breach, with the margin the larger of the nearest
      // safe zone's distance (>= safeClear, < safeUpper) and the depth in the danger zones holding
      // the position (dangerDepth). safeClear >= lazyNeedM keeps a confirmed breach; for a
      // probable one (`below`), both < lazyNeedM keep it.
      const safeClear = nearestSafe < cutoff ? nearestSafe : cutoff;
      const bounded = safeClear > eps && (below ? dangerDepth < lazyNeedM : safeClear >= lazyNeedM);
      const upperLimit = below ? lazyNeedM : LAZY_UPPER_FRACTION * radius;
      if (bounded && !(safeUpper <= upperLimit)) {
        // No near safe zone gave a bound: the far ones can, from the point's slab alone.
        safeUpper = this.farSafeUpper(lon, lat, atMs, device, kxP, kyP, safeUpper);
      }
      if (
        bounded &&
        safeUpper <= LAZY_UPPER_FRACTION * radius &&
        (!below || safeUpper < lazyNeedM) &&
        (this.policy.requireSafeZone || this.hasActiveSafeZone(device, atMs))
      ) {
        out.breach = true;
        // (Danger zones not measured: no bound on the depth, which only a probable breach needs.)
        this.lazyBreachUpperM = deferDanger ? Infinity : safeUpper > dangerDepth ? safeUpper : dangerDepth;
        this.lazySafeClearM = safeClear;
        this.lazyUpperM = safeUpper;
        this.lazyKx = kxP;
        this.lazyKy = kyP;
        this.lazyCertifiable = unconditional;
        return true;
      }
    }
    if (deferDanger) {
      // Not judged lazily: measure the danger zones after all, as pass 1 would have.
      for (let i = 0; i < m; i++) {
        const slot = cSlot[i];
        if ((flags[slot] & SLOT_DANGER) === 0) continue;
        const sd = this.measure(slot, lon, lat, kxP, kyP, cutoff);
        const chain = distanceScratch.chainageM;
        cSd[i] = sd;
        cChain[i] = chain;
        cLower[i] = cutoff;
        const abs = sd < 0 ? -sd : sd;
        if (
          abs < nearestAbs ||
          (abs === nearestAbs && abs !== Infinity && this.idBefore(slot, nearestSlot))
        ) {
          nearestAbs = abs;
          nearestSlot = slot;
          nearestChain = chain;
        }
      }
    }

    // Danger zones containing the point (closed): the deepest decides.
    let dangerMargin = -Infinity;
    let dangerIdx = -1;
    for (let i = 0; i < m; i++) {
      if ((flags[cSlot[i]] & SLOT_DANGER) === 0 || !(cSd[i] <= eps)) continue;
      if (cSd[i] === -Infinity && exact) this.refine(i, lon, lat, kxP, kyP, Infinity);
      const depth = -cSd[i];
      if (depth > dangerMargin || (depth === dangerMargin && this.idBefore(cSlot[i], cSlot[dangerIdx]))) {
        dangerMargin = depth;
        dangerIdx = i;
      }
    }
    const inDanger = dangerIdx >= 0;
    if (inDanger && dangerMargin < 0) dangerMargin = 0; // within the tolerance outside: on the boundary

    // The safe union.
    const safeConstraint = this.policy.requireSafeZone || this.hasActiveSafeZone(device, atMs);
    let covered = true;
    let safeMargin = -Infinity;
    let safeIdx = -1;
    let safeRule = RULE_NO_ZONE;
    let fallback = false;
    if (safeConstraint) {
      let edgeCount = 0;
      let edgeIdx = -1;
      for (let i = 0; i < m; i++) {
        if ((flags[cSlot[i]] & SLOT_DANGER) !== 0) continue;
        const sd = cSd[i];
        if (sd < -eps) {
          if (sd === -Infinity && exact) this.refine(i, lon, lat, kxP, kyP, Infinity);
          if (
            safeIdx < 0 ||
            cSd[i] < cSd[safeIdx] ||
            (cSd[i] === cSd[safeIdx] && this.idBefore(cSlot[i], cSlot[safeIdx]))
          ) {
            safeIdx = i;
          }
        } else if (sd <= eps) {
          edgeCount++;
          if (edgeIdx < 0 || this.idBefore(cSlot[i], cSlot[edgeIdx])) edgeIdx = i;
        }
      }
      if (safeIdx >= 0) {
        safeMargin = cSd[safeIdx];
        safeRule = RULE_INSIDE_SAFE;
      } else if (edgeCount >= 2 && this.probeCovered(m, lon, lat, kxP, kyP)) {
        safeIdx = edgeIdx;
        safeMargin = -Math.abs(cSd[edgeIdx]);
        safeRule = RULE_INSIDE_SAFE;
      } else if (edgeCount >= 1) {
        covered = false;
        safeIdx = edgeIdx;
        safeMargin = Math.max(0, cSd[edgeIdx]);
        safeRule = RULE_ON_SAFE_BOUNDARY;
      } else {
        covered = false;
        safeRule = RULE_OUTSIDE_SAFE;
        safeMargin = Infinity;
        if (exact) {
          safeIdx = this.nearestOutside(false, m, lon, lat, atMs, device, kxP, kyP, radius);
          if (safeIdx >= 0) safeMargin = cSd[safeIdx];
          else fallback = true;
        }
      }
    }

    // Danger zones outside: they decide when closer than the safe depth (or with no safe constraint).
    if (!inDanger && covered) {
      const relevant = Math.min(radius, -safeMargin);
      dangerIdx = this.nearestOutside(true, m, lon, lat, atMs, device, kxP, kyP, exact ? relevant : warning);
      if (dangerIdx >= 0) dangerMargin = -cSd[dangerIdx];
    }

    out.breach = inDanger || !covered;
    out.safeConstraint = safeConstraint;
    if (fallback) {
      // No safe zone within the search radius: exact distance to the nearest one anywhere.
      this.nearestSafeFallback(lon, lat, atMs, device, kxP, kyP);
      out.decidingSlot = this.fallbackSlot;
      out.signedDistanceM = this.fallbackSd;
      out.chainageM = this.fallbackChain;
      out.marginM = this.fallbackSd;
      out.rule = safeRule;
    } else if (dangerIdx >= 0 && dangerMargin >= safeMargin) {
      out.decidingSlot = cSlot[dangerIdx];
      out.signedDistanceM = cSd[dangerIdx];
      out.chainageM = cChain[dangerIdx];
      out.marginM = dangerMargin;
      out.rule = inDanger
        ? cSd[dangerIdx] < -eps
          ? RULE_INSIDE_DANGER
          : RULE_ON_DANGER_BOUNDARY
        : RULE_NEAR_DANGER;
    } else {
      out.decidingSlot = safeIdx >= 0 ? cSlot[safeIdx] : -1;
      out.signedDistanceM = safeIdx >= 0 ? cSd[safeIdx] : NaN;
      out.chainageM = safeIdx >= 0 ? cChain[safeIdx] : NaN;
      out.marginM = safeMargin;
      out.rule = safeRule;
    }
    // For the interval certificate: no boundary nearer than this (beyond the cutoff only bounds).
    this.evalClearM = nearestAbs < cutoff ? nearestAbs : cutoff;
    // For the breach certificate: outside every safe zone, the nearest one (exact) this far.
    this.evalSafeOutsideM = safeRule === RULE_OUTSIDE_SAFE && !fallback && exact ? safeMargin : NaN;
    this.evalUnconditional = unconditional;
    this.evalKx = kxP;
    this.evalKy = kyP;
    if (nearestAbs <= warning) {
      out.nearestSlot = nearestSlot;
      out.nearestDistanceM = nearestAbs;
      out.nearestChainageM = nearestChain;
    } else {
      out.nearestSlot = -1;
      out.nearestDistanceM = Infinity;
      out.nearestChainageM = NaN;
    }
    return false;
  }

  /**
   * A point on the boundaries of two or more safe zones (and strictly inside none) is covered only
   * if its neighbourhood is: probes 1 mm away in 8 directions must each be strictly inside a safe
   * zone or on a boundary shared by two. So the inside of an edge shared by two safe zones is
   * covered, but not an end of that edge on the union's outer boundary, nor a corner where two
   * zones only touch.
   */
  private probeCovered(m: number, lon: number, lat: number, kxP: number, kyP: number): boolean {
    const eps = this.policy.boundaryToleranceM;
    const probeM = 1e-3;
    for (let d = 0; d < 8; d++) {
      const angle = (d * Math.PI) / 4;
      const plon = lon + (Math.cos(angle) * probeM) / kxP;
      const plat = lat + (Math.sin(angle) * probeM) / kyP;
      let onBoundary = 0;
      let inside = false;
      for (let i = 0; i < m && !inside; i++) {
        const slot = this.candSlot[i];
        if ((this.slotFlags[slot] & SLOT_DANGER) !== 0 || !(Math.abs(this.candSd[i]) <= eps)) continue;
        const sd = this.measure(slot, plon, plat, kxP, kyP, 1);
        if (sd < -eps) inside = true;
        else if (sd <= eps) onBoundary++;
      }
      if (!inside && onBoundary < 2) return false;
    }
    return true;
  }

  private farStart = 0;
  private farEnd = 0;
  /** Pass 1's cutoff in the current evaluation (candidates measured beyond it are only bounded). */
  private passCutoffM = 0;

  /**
   * The nearest zone of one kind among the candidates the point is outside of, if within
   * `limitM`: near candidates already measured within the warning distance are exact; the rest
   * (lower bound: the warning distance, or the cover-box distance for far ones) are measured in
   * order of their lower bound, each with a cutoff of the best distance so far. Returns the
   * candidate index or -1.
   */
  private nearestOutside(
    danger: boolean,
    m: number,
    lon: number,
    lat: number,
    atMs: number,
    device: DeviceState,
    kxP: number,
    kyP: number,
    limitM: number,
  ): number {
    const zones = this.zones;
    const flags = this.slotFlags;
    const kind = danger ? SLOT_DANGER : 0;
    const cSlot = this.candSlot;
    const cSd = this.candSd;
    const cLower = this.candLower;
    let best = Infinity;
    let bestIdx = -1;
    for (let i = 0; i < m; i++) {
      const sd = cSd[i];
      if ((flags[cSlot[i]] & SLOT_DANGER) !== kind || !(sd > 0) || sd === Infinity) continue;
      if (sd < best || (sd === best && this.idBefore(cSlot[i], cSlot[bestIdx]))) {
        best = sd;
        bestIdx = i;
      }
    }
    if (bestIdx >= 0 || limitM <= this.passCutoffM) return bestIdx;
    // Everything left is farther than the warning distance: selection by lower bound.
    best = limitM;
    for (;;) {
      let next = -1;
      for (let i = 0; i < m; i++) {
        if (cSd[i] === Infinity && cLower[i] < best && (flags[cSlot[i]] & SLOT_DANGER) === kind) {
          if (next < 0 || cLower[i] < cLower[next]) next = i;
        }
      }
      for (let i = this.farStart; i < this.farEnd; i++) {
        if (cLower[i] < best && (flags[cSlot[i]] & SLOT_DANGER) === kind) {
          if (next < 0 || cLower[i] < cLower[next]) next = i;
        }
      }
      if (next < 0) return bestIdx;
      cLower[next] = Infinity; // visited
      const slot = cSlot[next];
      if ((flags[slot] & SLOT_UNCONDITIONAL) === 0 && !(zones[slot] as ZoneRecord).activeFor(device, atMs)) {
        continue;
      }
      this.refine(next, lon, lat, kxP, kyP, best);
      const sd = cSd[next];
      if (sd <= best && sd !== Infinity) {
        if (sd < best || bestIdx < 0 || this.idBefore(cSlot[next], cSlot[bestIdx])) {
          best = sd;
          bestIdx = next;
        }
      }
    }
  }

  /**
   * The least upper bound (see upperDistanceIn) of the distance to an applicable active safe zone
   * among the current evaluation's far candidates (pass 1 put them in [farStart, farEnd)), or
   * `bestM` if none is lower. Candidates whose box is already farther than the best are skipped.
   */
  private farSafeUpper(
    lon: number,
    lat: number,
    atMs: number,
    device: DeviceState,
    kxP: number,
    kyP: number,
    bestM: number,
  ): number {
    const flags = this.slotFlags;
    const cSlot = this.candSlot;
    const cLower = this.candLower;
    let best = bestM;
    for (let i = this.farStart; i < this.farEnd; i++) {
      const slot = cSlot[i];
      const slotFlags = flags[slot];
      if ((slotFlags & SLOT_DANGER) !== 0 || !(cLower[i] < best)) continue;
      if (
        (slotFlags & SLOT_UNCONDITIONAL) === 0 &&
        !(this.zones[slot] as ZoneRecord).activeFor(device, atMs)
      ) {
        continue;
      }
      const f = this.slotF64[slot];
      const h = this.slotBase[slot];
      const x = (lon - f[h + H_LON0]) * f[h + H_KX0];
      const y = (lat - f[h + H_LAT0]) * f[h + H_KY0];
      const sx = kxP * f[h + H_INV_KX0];
      const sy = kyP * f[h + H_INV_KY0];
      const ti = this.slotI32[slot];
      const upper =
        (f[h + H_FLAGS] & FLAG_SWAP) !== 0
          ? upperDistanceIn(f, ti, h, y, x, sy, sx)
          : upperDistanceIn(f, ti, h, x, y, sx, sy);
      if (upper < best) best = upper;
    }
    return best;
  }

  /** Signed distance of a position to one zone, measured in the metric of the position. */
  private measure(slot: number, lon: number, lat: number, kxP: number, kyP: number, cutoffM: number): number {
    const f = this.slotF64[slot];
    const h = this.slotBase[slot];
    const kx0 = f[h + H_KX0];
    const ky0 = f[h + H_KY0];
    const x = (lon - f[h + H_LON0]) * kx0;
    const y = (lat - f[h + H_LAT0]) * ky0;
    const sx = kxP * f[h + H_INV_KX0];
    const sy = kyP * f[h + H_INV_KY0];
    const ti = this.slotI32[slot];
    const tf = this.slotF32[slot];
    return (f[h + H_FLAGS] & FLAG_SWAP) !== 0
      ? distanceIn(f, ti, tf, h, y, x, sy, sx, cutoffM)
      : distanceIn(f, ti, tf, h, x, y, sx, sy, cutoffM);
  }

  /** touchOwnSlab for one zone and position (see there); the result only feeds `touchSink`. */
  private touch(slot: number, lon: number, lat: number): number {
    const f = this.slotF64[slot];
    const h = this.slotBase[slot];
    const u =
      (f[h + H_FLAGS] & FLAG_SWAP) !== 0
        ? (lat - f[h + H_LAT0]) * f[h + H_KY0]
        : (lon - f[h + H_LON0]) * f[h + H_KX0];
    return touchOwnSlab(f, this.slotI32[slot], this.slotF32[slot], h, u);
  }

  /** Keeps the loads of touch() observable (never read). */
  private touchSink = 0;

  /** Re-measures candidate i of the current evaluation with another cutoff. */
  private refine(i: number, lon: number, lat: number, kxP: number, kyP: number, cutoffM: number): void {
    this.candSd[i] = this.measure(this.candSlot[i], lon, lat, kxP, kyP, cutoffM);
    this.candChain[i] = distanceScratch.chainageM;
  }

  private growCandidates(count: number): void {
    const size = Math.max(count, this.candSlot.length * 2);
    this.candSlot = new Int32Array(size);
    this.candSd = new Float64Array(size);
    this.candChain = new Float64Array(size);
    this.candLower = new Float64Array(size);
  }

  private candSlot = new Int32Array(64);
  private candSd = new Float64Array(64);
  private candChain = new Float64Array(64);
  private candLower = new Float64Array(64);

  private fallbackSd = Infinity;
  private fallbackSlot = -1;
  private fallbackChain = NaN;

  /** Rare path: the nearest active applicable safe zone anywhere (bbox lower bound first). */
  private nearestSafeFallback(
    lon: number,
    lat: number,
    atMs: number,
    device: DeviceState,
    kxP: number,
    kyP: number,
  ): void {
    let best = Infinity;
    let bestSlot = -1;
    let bestChain = NaN;
    for (const slot of this.safeSlots) {
      const z = this.zones[slot] as ZoneRecord;
      if (!z.appliesTo(device) || !z.validity.isActive(atMs)) continue;
      const g = z.geometry;
      const dxDeg = lon < g.minLon ? g.minLon - lon : lon > g.maxLon ? lon - g.maxLon : 0;
      const dyDeg = lat < g.minLat ? g.minLat - lat : lat > g.maxLat ? lat - g.maxLat : 0;
      const lowerBound = Math.sqrt(dxDeg * kxP * dxDeg * kxP + dyDeg * kyP * dyDeg * kyP) * 0.99 - 1;
      if (lowerBound > best) continue;
      const sd = this.measure(slot, lon, lat, kxP, kyP, Math.min(best, 1e9));
      if (sd < best || (sd === best && this.idBefore(slot, bestSlot))) {
        best = sd;
        bestSlot = slot;
        bestChain = distanceScratch.chainageM;
      }
    }
    this.fallbackSd = best;
    this.fallbackSlot = bestSlot;
    this.fallbackChain = bestChain;
  }

  /** Deterministic tie-break between zones at exactly equal distances: the smaller id wins. */
  private idBefore(slot: number, other: number): boolean {
    if (other < 0) return true;
    return (this.zones[slot] as ZoneRecord).zone.id < (this.zones[other] as ZoneRecord).zone.id;
  }

  // ---------------------------------------------------------------- segments

  /**
   * Both ends are safe: does the straight segment between them (straight in lon/lat, like GeoJSON
   * edges) enter a danger zone or leave the safe union? Boundary crossings of every candidate zone
   * are collected; the status is then constant between consecutive crossings, so evaluating each
   * crossing point and each midpoint between them is exact.
   */
  private checkSegment(device: DeviceState, fix: FixInput, atMs: number): CrossingEvent | null {
    const lon0 = device.lastLon;
    const lat0 = device.lastLat;
    const lon1 = fix.lon;
    const lat1 = fix.lat;
    const grid = this.grid;
    // Candidates: zones registered in every cell the segment's box touches, deduplicated and
    // their boxes united, gathered into one scratch array in the cell format.
    const gen = ++this.stampGen;
    const stamps = this.slotStamp;
    const index = this.slotIndex;
    let count = 0;
    const minLon = Math.min(lon0, lon1);
    const maxLon = Math.max(lon0, lon1);
    const minLat = Math.min(lat0, lat1);
    const maxLat = Math.max(lat0, lat1);
    const cx0 = grid.cellX(minLon);
    const cx1 = grid.cellX(maxLon);
    const cy0 = grid.cellY(minLat);
    const cy1 = grid.cellY(maxLat);
    for (let cx = cx0; cx <= cx1; cx++) {
      for (let cy = cy0; cy <= cy1; cy++) {
        const cell = grid.find(cx, cy);
        if (cell < 0) continue;
        const data = grid.cells[cell];
        const n = data[0];
        for (let i = 0; i < n; i++) {
          const e = 1 + i * ENTRY;
          const slot = data[e];
          let mine = this.segEntries;
          if (stamps[slot] === gen) {
            const o = 1 + index[slot] * ENTRY;
            if (data[e + 1] < mine[o + 1]) mine[o + 1] = data[e + 1];
            if (data[e + 2] < mine[o + 2]) mine[o + 2] = data[e + 2];
            if (data[e + 3] > mine[o + 3]) mine[o + 3] = data[e + 3];
            if (data[e + 4] > mine[o + 4]) mine[o + 4] = data[e + 4];
            continue;
          }
          stamps[slot] = gen;
          index[slot] = count;
          if (1 + (count + 1) * ENTRY > mine.length) {
            const grown = new Float64Array(mine.length * 2);
            grown.set(mine);
            this.segEntries = mine = grown;
          }
          const o = 1 + count * ENTRY;
          for (let k = 0; k < ENTRY; k++) mine[o + k] = data[e + k];
          count++;
        }
      }
    }
    const segEntries = this.segEntries;
    segEntries[0] = count;
    const params = this.params;
    params.count = 0;
    const midLat = (lat0 + lat1) / 2;
    const kxP = metresPerDegreeLon(midLat, this.earthModel);
    const kyP = metresPerDegreeLat(midLat, this.earthModel);
    for (let n = 0; n < count; n++) {
      const e = 1 + n * ENTRY;
      // The segment cannot meet a zone whose cover box it does not meet.
      if (
        segEntries[e + 1] > maxLon ||
        segEntries[e + 3] < minLon ||
        segEntries[e + 2] > maxLat ||
        segEntries[e + 4] < minLat
      ) {
        continue;
      }
      const z = this.zones[segEntries[e]] as ZoneRecord;
      if (!z.activeFor(device, atMs)) continue;
      const g = z.geometry;
      const x0 = (lon0 - g.lon0) * g.kx0;
      const y0 = (lat0 - g.lat0) * g.ky0;
      const x1 = (lon1 - g.lon0) * g.kx0;
      const y1 = (lat1 - g.lat0) * g.ky0;
      const sx = kxP * g.invKx0;
      const sy = kyP * g.invKy0;
      if (g.swap) collectBoundaryParams(g, y0, x0, y1, x1, sy, sx, params);
      else collectBoundaryParams(g, x0, y0, x1, y1, sx, sy, params);
    }
    if (params.count === 0) return null;
    params.sortUnique();

    // Walk the pieces: each crossing point, then the open interval after it.
    const t = params.values;
    const m = params.count;
    const ev = this.segEv;
    let entry = -1;
    let entrySlot = -1;
    let entryDanger = false;
    let exit = -1;
    for (let i = 0; i < m && exit < 0; i++) {
      for (let half = 0; half < 2; half++) {
        if (half === 1 && i === m - 1) break; // (t_last, 1] holds the safe end point
        const f = half === 0 ? t[i] : (t[i] + t[i + 1]) / 2;
        // Exact: a breach by leaving the safe union then names the nearest safe zone.
        this.evaluateList(
          segEntries,
          lon0 + f * (lon1 - lon0),
          lat0 + f * (lat1 - lat0),
          atMs,
          device,
          ev,
          true,
          -1,
          false,
        );
        if (ev.breach && entry < 0) {
          entry = t[i];
          entrySlot = ev.decidingSlot;
          entryDanger = entrySlot >= 0 && (this.zones[entrySlot] as ZoneRecord).danger;
        } else if (!ev.breach && entry >= 0) {
          exit = t[i];
          break;
        }
      }
    }
    if (entry < 0) return null;
    if (exit < 0) exit = t[m - 1];
    const zone = entrySlot >= 0 ? (this.zones[entrySlot] as ZoneRecord).ref : NO_ZONE_REF;
    const t0 = device.lastFixTimeMs;
    const t1 = fix.fixTimeMs;
    const point = (f: number): { lon: number; lat: number; timeMs: number } => ({
      lon: lon0 + f * (lon1 - lon0),
      lat: lat0 + f * (lat1 - lat0),
      timeMs: t0 + f * (t1 - t0),
    });
    return {
      type: 'crossing',
      eventSeq: ++this.eventSeq,
      deviceId: device.id,
      atMs: t0 + entry * (t1 - t0),
      rule: entryDanger ? 'segment-enters-danger-zone' : 'segment-leaves-safe-union',
      zone,
      from: this.lastFixSnapshot(device) as FixSnapshot,
      to: snapshot(fix),
      entryFraction: entry,
      exitFraction: exit,
      entry: point(entry),
      exit: point(exit),
      maxGapMs: this.policy.maxCrossingGapMs,
      previousStatus: statusName(device.state),
    };
  }
}

/** Allocation-free query output for GeofenceEngine.queryInto (fields as in PointQueryResult). */
export interface QueryScratch {
  readonly breach: boolean;
  readonly signedDistanceM: number;
  readonly marginM: number;
  readonly decidingSlot: number;
}

export function createQueryScratch(): QueryScratch {
  return new PointEval();
}

const EMPTY_CELL = new Float64Array(1);
const NO_ZONE_REF: ZoneRef = Object.freeze({ zoneId: '', zoneVersion: 0, zoneKind: 'safe' as ZoneKind });

function snapshot(fix: FixInput): FixSnapshot {
  return {
    deviceId: fix.deviceId,
    fixTimeMs: fix.fixTimeMs,
    lon: fix.lon,
    lat: fix.lat,
    accuracyM: fix.accuracyM,
    sequence: typeof fix.sequence === 'number' ? fix.sequence : null,
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
