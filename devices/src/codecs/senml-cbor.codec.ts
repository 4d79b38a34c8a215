import { decode as decodeCbor, encode as encodeCbor } from 'cbor2';
import type { DecodeContext, DecodeResult, FixCodec } from '../../../libs/telemetry/src/index.js';
import { rejectWhole } from './codec-support.js';
import { canonicalToSenml, senmlToCanonical } from './senml/senml-pack.js';

/**
 * SenML CBOR labels, RFC 8428 §6 Table 4 (and the IANA "SenML Labels" registry): base fields negative,
 * regular fields from 0. Labels not in this table are kept under their text label (for `_` checks).
 */
export const SENML_CBOR_LABELS: ReadonlyMap<number, string> = new Map([
  [-1, 'bver'],
  [-2, 'bn'],
  [-3, 'bt'],
  [-4, 'bu'],
  [-5, 'bv'],
  [-6, 'bs'],
  [0, 'n'],
  [1, 'u'],
  [2, 'v'],
  [3, 'vs'],
  [4, 'vb'],
  [5, 's'],
  [6, 't'],
  [7, 'ut'],
  [8, 'vd'],
]);
const LABEL_TO_CBOR: ReadonlyMap<string, number> = new Map(
  [...SENML_CBOR_LABELS].map(([key, label]) => [label, key]),
);

/** CBOR map -> record in JSON label form. Unregistered integer labels are ignored (RFC 8428 §4.4). */
function toJsonLabels(record: Map<unknown, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of record) {
    if (typeof key === 'number') {
      const label = SENML_CBOR_LABELS.get(key);
      // vd is a byte string in CBOR and base64url text in JSON (RFC 8428 §6).
      if (label !== undefined)
        out[label] = value instanceof Uint8Array ? Buffer.from(value).toString('base64url') : value;
    } else if (typeof key === 'string') {
      out[key] = value;
    }
  }
  return out;
}

/** SenML CBOR (RFC 8428 §6, media type application/senml+cbor): a CBOR array of maps with integer labels. */
export const senmlCborCodec: FixCodec = {
  name: 'senml-cbor',

  decode(payload: Uint8Array, context: DecodeContext): DecodeResult {
    let pack: unknown;
    try {
      pack = decodeCbor(payload, { preferMap: true });
    } catch (error) {
      return rejectWhole(`payload is not CBOR: ${(error as Error).message}`);
    }
    if (!Array.isArray(pack)) return rejectWhole('a SenML pack must be a CBOR array of records');
    // Anything but a map (with preferMap every CBOR map decodes to a Map) becomes null: "expected a record".
    return senmlToCanonical(
      pack.map((record) => (record instanceof Map ? toJsonLabels(record) : null)),
      context,
    );
  },

  encode(fixes) {
    const records = canonicalToSenml(fixes).map(
      (record) => new Map(Object.entries(record).map(([label, value]) => [LABEL_TO_CBOR.get(label)!, value])),
    );
    return encodeCbor(records);
  },
};
