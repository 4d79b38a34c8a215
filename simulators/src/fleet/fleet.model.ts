import { LocalFrame, SeededRandom, type LonLat, type Seed } from '../../../devices/src/behaviour/index.js';

/**
 * The fleet: thousands of workers walking along track corridors. Corridors are seeded random polylines
 * (gentle curves, like a railway) around an origin; each worker is placed at a random chainage on one,
 * walks along it at a walking pace, turns back at its ends, and keeps a lateral offset in the cess.
 * Positions come from flat typed arrays and a per-device segment cursor: no allocation per fix.
 */
export interface FleetPlanOptions {
  devices: number;
  seed: Seed;
  origin?: LonLat;
  /** Number of corridors; default one per 500 devices, at least 4. */
  corridors?: number;
  /** Length of each corridor, metres; default 3000. */
  corridorLengthM?: number;
  /** Prefix of device ids: `{prefix}{index}`, zero-padded; default `fleet-`. */
  idPrefix?: string;
}

export const DEFAULT_FLEET_ORIGIN: LonLat = { lon: -1.5, lat: 52.9 };
const SEGMENT_M = 50;

export class FleetPlan {
  readonly deviceIds: string[];
  readonly frame: LocalFrame;
  /** Per corridor: offset of its first vertex in the vertex arrays, and its vertex count. */
  private readonly corridorStart: Uint32Array;
  private readonly corridorVertices: Uint32Array;
  /** Vertices of all corridors: x, y, cumulative chainage. */
  private readonly vx: Float64Array;
  private readonly vy: Float64Array;
  private readonly vChainage: Float64Array;
  /** Per device. */
  private readonly corridorOf: Uint16Array;
  private readonly startChainageM: Float64Array;
  private readonly speedMps: Float64Array;
  private readonly lateralM: Float64Array;
  private readonly cursor: Uint32Array;
  private readonly lengthM: number;
  /** Output of `positionAt`, reused. */
  readonly position = { lon: 0, lat: 0 };

  constructor(options: FleetPlanOptions) {
    const random = new SeededRandom(options.seed);
    const corridors = Math.max(4, options.corridors ?? Math.ceil(options.devices / 500));
    this.lengthM = options.corridorLengthM ?? 3000;
    this.frame = new LocalFrame(options.origin ?? DEFAULT_FLEET_ORIGIN);
    const perCorridor = Math.ceil(this.lengthM / SEGMENT_M) + 1;
    this.corridorStart = new Uint32Array(corridors);
    this.corridorVertices = new Uint32Array(corridors).fill(perCorridor);
    this.vx = new Float64Array(corridors * perCorridor);
    this.vy = new Float64Array(corridors * perCorridor);
    this.vChainage = new Float64Array(corridors * perCorridor);
    const corridorRandom = random.fork('corridors');
    for (let c = 0; c < corridors; c++) {
      const base = c * perCorridor;
      this.corridorStart[c] = base;
      let x = corridorRandom.uniform(-4000, 4000);
      let y = corridorRandom.uniform(-4000, 4000);
      let bearing = corridorRandom.uniform(0, 2 * Math.PI);
      for (let v = 0; v < perCorridor; v++) {
        this.vx[base + v] = x;
        this.vy[base + v] = y;
        this.vChainage[base + v] = v * SEGMENT_M;
        // A railway curves gently: at most about 1.5 degrees of turn per 50 m.
        bearing += corridorRandom.uniform(-0.026, 0.026);
        x += SEGMENT_M * Math.sin(bearing);
        y += SEGMENT_M * Math.cos(bearing);
      }
    }
    const devices = options.devices;
    const prefix = options.idPrefix ?? 'fleet-';
    const width = String(devices - 1).length;
    this.deviceIds = Array.from({ length: devices }, (_, i) => `${prefix}${String(i).padStart(width, '0')}`);
    this.corridorOf = new Uint16Array(devices);
    this.startChainageM = new Float64Array(devices);
    this.speedMps = new Float64Array(devices);
    this.lateralM = new Float64Array(devices);
    this.cursor = new Uint32Array(devices);
    const deviceRandom = random.fork('devices');
    for (let i = 0; i < devices; i++) {
      this.corridorOf[i] = deviceRandom.integer(0, corridors - 1);
      this.startChainageM[i] = deviceRandom.uniform(0, this.lengthM);
      // Walking pace, either way along the corridor.
      this.speedMps[i] = deviceRandom.uniform(0.8, 1.8) * (deviceRandom.chance(0.5) ? 1 : -1);
      // In the cess, 3 to 6 m either side of the centreline.
      this.lateralM[i] = deviceRandom.uniform(3, 6) * (deviceRandom.chance(0.5) ? 1 : -1);
    }
  }

  /** The corridors' centrelines as [lon, lat] positions, one vertex every 50 m (to lay zones along them). */
  centrelines(): [number, number][][] {
    const { frame } = this;
    return Array.from(this.corridorStart, (base, c) =>
      Array.from({ length: this.corridorVertices[c]! }, (_, v): [number, number] => [
        frame.origin.lon + this.vx[base + v]! / frame.metresPerDegLon,
        frame.origin.lat + this.vy[base + v]! / frame.metresPerDegLat,
      ]),
    );
  }

  /**
   * Position of device `i` at `elapsedS` since the start, written to `this.position` (and returned).
   * Walks back and forth between the corridor's ends.
   */
  positionAt(i: number, elapsedS: number): { lon: number; lat: number } {
    const length = this.lengthM;
    const period = 2 * length;
    let s = (this.startChainageM[i]! + this.speedMps[i]! * elapsedS) % period;
    if (s < 0) s += period;
    if (s > length) s = period - s;
    const base = this.corridorStart[this.corridorOf[i]!]!;
    const last = base + this.corridorVertices[this.corridorOf[i]!]! - 2;
    let v = base + this.cursor[i]!;
    while (v > base && this.vChainage[v]! > s) v--;
    while (v < last && this.vChainage[v + 1]! <= s) v++;
    this.cursor[i] = v - base;
    const f = (s - this.vChainage[v]!) / SEGMENT_M;
    const dx = this.vx[v + 1]! - this.vx[v]!;
    const dy = this.vy[v + 1]! - this.vy[v]!;
    // Offset to the side, perpendicular to the segment.
    const lateral = this.lateralM[i]! / SEGMENT_M;
    const x = this.vx[v]! + f * dx + lateral * dy;
    const y = this.vy[v]! + f * dy - lateral * dx;
    const { frame, position } = this;
    position.lon = frame.origin.lon + x / frame.metresPerDegLon;
    position.lat = frame.origin.lat + y / frame.metresPerDegLat;
    return position;
  }
}
