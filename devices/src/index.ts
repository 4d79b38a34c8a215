export * from './codec-registry.js';
export * from './codecs/canonical-json.codec.js';
