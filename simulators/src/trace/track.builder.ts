import { formatTime } from './trace-values.js';
import { TraceFormatError, type TracePoint, type TraceTrack } from './trace.model.js';

/**
 * Collects one device's points in file order and enforces the rules every format shares:
 * time never goes backwards, and either every point has a sequence number or none has.
 */
export class TrackBuilder {
  private readonly points: TracePoint[] = [];
  private previousPosition = '';
  private firstWithSequence?: string;
  private firstWithoutSequence?: string;

  constructor(
    private readonly source: string,
    readonly deviceId?: string,
  ) {}

  /** `position` names the point in messages, e.g. `line 7` or `properties.coordTimes[3]`. */
  add(point: TracePoint, position: string): void {
    const previous = this.points.at(-1);
    if (previous && point.fixTimeMs < previous.fixTimeMs) {
      const device = this.deviceId === undefined ? '' : ` of device "${this.deviceId}"`;
      throw new TraceFormatError(
        this.source,
        position,
        `time ${formatTime(point.fixTimeMs)} is earlier than the previous fix${device} ` +
          `(${this.previousPosition}, ${formatTime(previous.fixTimeMs)}); times must not decrease`,
      );
    }
    if (point.sequence === undefined) this.firstWithoutSequence ??= position;
    else this.firstWithSequence ??= position;
    this.points.push(point);
    this.previousPosition = position;
  }

  get size(): number {
    return this.points.length;
  }

  build(): TraceTrack {
    if (this.firstWithSequence !== undefined && this.firstWithoutSequence !== undefined) {
      throw new TraceFormatError(
        this.source,
        this.firstWithoutSequence,
        `no sequence number, but ${this.firstWithSequence} has one; give every fix a sequence number or none`,
      );
    }
    return this.deviceId === undefined
      ? { points: this.points }
      : { deviceId: this.deviceId, points: this.points };
  }
}
