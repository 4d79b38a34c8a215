import { CODECS, codecByName, DEFAULT_CODEC, UnknownCodecError } from './codec-registry.js';

describe('codec registry', () => {
  it('ships every codec of DESIGN.md by name', () => {
    expect([...CODECS.keys()].sort()).toEqual(
      ['canonical-json', 'lookout-bin', 'nmea', 'owntracks', 'senml-cbor', 'senml-json'].sort(),
    );
    for (const [name, codec] of CODECS) expect(codec.name).toBe(name);
    expect(DEFAULT_CODEC).toBe('canonical-json');
  });

  it('names the known codecs when asked for an unknown one', () => {
    expect(() => codecByName('gpx')).toThrow(UnknownCodecError);
    expect(() => codecByName('gpx')).toThrow(/known codecs: canonical-json, owntracks, nmea/);
  });

  it('never throws on garbage, in any codec', () => {
    const context = { deviceId: 'dev-1', receivedAtMs: 1_700_000_000_000 };
    const garbage = [
      new Uint8Array(),
      new Uint8Array([0, 1, 2, 255]),
      new TextEncoder().encode('null'),
      new TextEncoder().encode('[[]]'),
    ];
    for (const codec of CODECS.values()) {
      for (const payload of garbage) {
        const result = codec.decode(payload, context);
        expect(result.fixes).toEqual([]);
        expect(result.rejected.length).toBeGreaterThan(0);
      }
    }
  });
});
