import type { FixCodec } from '../../libs/telemetry/src/index.js';
import { canonicalJsonCodec } from './codecs/canonical-json.codec.js';
import { lookoutBinCodec } from './codecs/lookout-bin.codec.js';
import { nmeaCodec } from './codecs/nmea.codec.js';
import { owntracksCodec } from './codecs/owntracks.codec.js';
import { senmlCborCodec } from './codecs/senml-cbor.codec.js';
import { senmlJsonCodec } from './codecs/senml-json.codec.js';

/** Every codec Lookout ships, by the name a device model selects (devices/README.md describes each). */
export const CODECS: ReadonlyMap<string, FixCodec> = new Map(
  [canonicalJsonCodec, owntracksCodec, nmeaCodec, senmlJsonCodec, senmlCborCodec, lookoutBinCodec].map(
    (codec) => [codec.name, codec] as const,
  ),
);

export const DEFAULT_CODEC = canonicalJsonCodec.name;

export class UnknownCodecError extends Error {
  constructor(readonly codecName: string) {
    super(`unknown codec "${codecName}"; known codecs: ${[...CODECS.keys()].join(', ')}`);
  }
}

export function codecByName(name: string): FixCodec {
  const codec = CODECS.get(name);
  if (!codec) throw new UnknownCodecError(name);
  return codec;
}
