import { encode as encodeCbor } from 'cbor2';
import fc from 'fast-check';
import { contextFor, encodableBatch, expectFixClose } from '../testing/fix.arbitrary.js';
import { fixtureBytes } from '../testing/fixtures.js';
import { senmlCborCodec } from './senml-cbor.codec.js';
import { senmlJsonCodec } from './senml-json.codec.js';
import { resolveSenmlPack } from './senml/senml-pack.js';
import { decode as decodeCbor } from 'cbor2';

const context = { deviceId: 'senml-1', receivedAtMs: Date.parse('2026-11-21T10:00:00Z') };

describe('SenML CBOR codec', () => {
  it('maps the integer labels of the RFC 8428 §6 example to the §5.1.2 resolved records', () => {
    const bytes = fixtureBytes('senml-cbor', 'rfc8428-section6.hex');
    const pack = (decodeCbor(bytes, { preferMap: true }) as Map<number, unknown>[]).map((record) =>
      Object.fromEntries(
        [...record].map(([key, value]) => [
          { [-1]: 'bver', [-2]: 'bn', [-3]: 'bt', [-4]: 'bu', 0: 'n', 1: 'u', 2: 'v', 6: 't' }[key],
          value,
        ]),
      ),
    );
    const resolved = resolveSenmlPack(pack, 0);
    if ('whole' in resolved) throw new Error(resolved.whole);
    expect(resolved.records.map((record) => [record.name, record.unit, record.value, record.timeS])).toEqual([
      ['urn:dev:ow:10e2073a0108006:voltage', 'V', 120.1, 1276020076.001],
      ['urn:dev:ow:10e2073a0108006:current', 'A', 1.2, 1276020071.001],
      ['urn:dev:ow:10e2073a0108006:current', 'A', 1.3, 1276020072.001],
      ['urn:dev:ow:10e2073a0108006:current', 'A', 1.4, 1276020073.001],
      ['urn:dev:ow:10e2073a0108006:current', 'A', 1.5, 1276020074.001],
      ['urn:dev:ow:10e2073a0108006:current', 'A', 1.6, 1276020075.001],
      ['urn:dev:ow:10e2073a0108006:current', 'A', 1.7, 1276020076.001],
    ]);
    // The codec reads the same bytes without error and says why nothing came of them.
    expect(senmlCborCodec.decode(bytes, context).rejected).toEqual([
      { index: -1, reason: expect.stringMatching(/^SenML pack has no location or battery records/) },
    ]);
  });

  it('decodes the §5.1.3 location example in CBOR exactly as its JSON form', () => {
    const fromCbor = senmlCborCodec.decode(fixtureBytes('senml-cbor', 'rfc8428-5.1.3-with-acc.hex'), context);
    const fromJson = senmlJsonCodec.decode(
      fixtureBytes('senml-json', 'rfc8428-5.1.3-with-acc.json'),
      context,
    );
    expect(fromCbor.fixes).toHaveLength(4);
    expect(fromCbor).toEqual(fromJson);
  });

  it('rejects malformed CBOR, non-array packs and non-map records', () => {
    expect(senmlCborCodec.decode(new Uint8Array([0x9f, 0x01]), context).rejected[0]?.reason).toMatch(
      /^payload is not CBOR/,
    );
    expect(senmlCborCodec.decode(encodeCbor({ a: 1 }), context).rejected[0]?.reason).toMatch(
      /must be a CBOR array/,
    );
    const pack = encodeCbor([
      new Map<number, unknown>([
        [-3, 1.7e9],
        [0, 'lat'],
        [2, 52],
      ]),
      new Map<number, unknown>([
        [0, 'lon'],
        [2, -1],
      ]),
      new Map<number, unknown>([
        [0, 'acc'],
        [1, 'm'],
        [2, 3],
      ]),
      7,
      new Map<number, unknown>([
        [0, 'lat'],
        [2, 'x'],
      ]),
    ]);
    const result = senmlCborCodec.decode(pack, context);
    expect(result.fixes).toHaveLength(1);
    expect(result.rejected).toEqual([
      { index: 3, reason: 'record 3: expected a SenML record (a map of labels)' },
      { index: 4, reason: 'record 4: v: expected a finite number' },
    ]);
  });

  it('round-trips exactly', () => {
    fc.assert(
      fc.property(encodableBatch(), (fixes) => {
        const decoded = senmlCborCodec.decode(senmlCborCodec.encode!(fixes), contextFor(fixes));
        expect(decoded.rejected).toEqual([]);
        expect(decoded.fixes).toHaveLength(fixes.length);
        fixes.forEach((fix, index) => expectFixClose(decoded.fixes[index], fix, {}));
      }),
    );
  });
});
