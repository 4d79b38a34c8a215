import type { FixCodec } from '../../libs/telemetry/src/index.js';
import { canonicalJsonCodec } from './codecs/canonical-json.codec.js';

/** Every codec Lookout ships, by the name a device model selects. */
export const CODECS: ReadonlyMap<string, FixCodec> = new Map([[canonicalJsonCodec.name, canonicalJsonCodec]]);

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
