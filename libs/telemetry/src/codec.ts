import type { CanonicalDeviceEvent } from './device-event.schema.js';
import type { CanonicalFix } from './fix.schema.js';

/** What a codec knows about a message besides its bytes: the device (from the topic) and when it arrived. */
export interface DecodeContext {
  deviceId: string;
  receivedAtMs: number;
}

/** One item of a message that could not become a fix; the rest of the message is kept. */
export interface RejectedItem {
  /** Position of the item in the message (array index, line number), or -1 for the whole message. */
  index: number;
  reason: string;
}

export interface DecodeResult {
  fixes: CanonicalFix[];
  rejected: RejectedItem[];
  /**
   * Device events a fix format carries beside its fixes (an OwnTracks `transition`, a SenML battery-only
   * record). Optional: codecs without events leave it out.
   */
  events?: CanonicalDeviceEvent[];
}

/** The result of decoding a `lookout/v1/devices/{d}/event` message: good events kept, bad ones with a reason. */
export interface DeviceEventDecodeResult {
  events: CanonicalDeviceEvent[];
  rejected: RejectedItem[];
}

/**
 * A device payload format. Decoding never throws on bad input: bad items come back in `rejected`
 * with a reason, so one broken fix in a batch never loses the good ones beside it.
 */
export interface FixCodec {
  readonly name: string;
  decode(payload: Uint8Array, context: DecodeContext): DecodeResult;
  encode?(fixes: readonly Omit<CanonicalFix, 'deviceId' | 'receivedAtMs'>[]): Uint8Array;
}
