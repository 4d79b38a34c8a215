export * from './codec-registry.js';
export * from './codecs/canonical-event-json.codec.js';
export * from './codecs/canonical-json.codec.js';
export * from './codecs/lookout-bin.codec.js';
export * from './codecs/nmea.codec.js';
export * from './codecs/owntracks.codec.js';
export * from './codecs/senml-cbor.codec.js';
export * from './codecs/senml-json.codec.js';
export {
  MAX_SENML_RECORDS,
  resolveSenmlPack,
  SENML_FIELDS,
  SENML_VERSION,
} from './codecs/senml/senml-pack.js';
export type { ResolvedSenmlRecord } from './codecs/senml/senml-pack.js';
