import type { DecodeContext, DecodeResult, FixCodec } from '../../../libs/telemetry/src/index.js';
import { readUtf8Json } from './codec-support.js';
import { canonicalToSenml, senmlToCanonical } from './senml/senml-pack.js';

/** SenML JSON (RFC 8428 §5, media type application/senml+json): a pack is a JSON array of records. */
export const senmlJsonCodec: FixCodec = {
  name: 'senml-json',

  decode(payload: Uint8Array, context: DecodeContext): DecodeResult {
    const read = readUtf8Json(payload);
    if (!read.ok) return { fixes: [], rejected: [read.rejected] };
    return senmlToCanonical(read.body, context);
  },

  encode(fixes) {
    return new TextEncoder().encode(JSON.stringify(canonicalToSenml(fixes)));
  },
};
