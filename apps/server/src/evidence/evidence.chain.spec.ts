import {
  canonicalJson,
  evidenceHash,
  firstBrokenLink,
  GENESIS_HASH,
  type ChainLink,
  type HashedEvidence,
} from './evidence.chain.js';

const item = (sequence: number, content: unknown): HashedEvidence => ({
  id: `00000000-0000-4000-8000-00000000000${sequence}`,
  sequence,
  type: 'measurement',
  trialId: '11111111-1111-4111-8111-111111111111',
  supplierId: null,
  deviceModelId: null,
  deviceConfigId: null,
  config: null,
  scaleId: null,
  level: null,
  criterionId: null,
  authorId: '22222222-2222-4222-8222-222222222222',
  recordedAt: new Date('2026-12-01T09:00:00.123Z'),
  content,
});

function chain(...contents: unknown[]): ChainLink[] {
  let previousHash = GENESIS_HASH;
  return contents.map((content, index) => {
    const link = { item: item(index + 1, content), attachmentHashes: [], previousHash, hash: '' };
    link.hash = evidenceHash(previousHash, link.item, []);
    previousHash = link.hash;
    return link;
  });
}

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined, keeps null, writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: null }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"y":null,"z":1}]},"b":1}',
    );
  });

  it('writes dates as ISO strings and is independent of key insertion order', () => {
    const at = new Date('2026-12-01T09:00:00Z');
    expect(canonicalJson({ at })).toBe('{"at":"2026-12-01T09:00:00.000Z"}');
    expect(canonicalJson({ x: 1, y: 'é' })).toBe(canonicalJson({ y: 'é', x: 1 }));
  });

  it('refuses values with no JSON form', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/finite/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson(new Date('nope'))).toThrow(/invalid date/);
  });
});

describe('evidence hash chain', () => {
  it('covers the previous hash, the item and the attachment hashes', () => {
    const base = evidenceHash(GENESIS_HASH, item(1, { v: 1 }), []);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(evidenceHash('f'.repeat(64), item(1, { v: 1 }), [])).not.toBe(base);
    expect(evidenceHash(GENESIS_HASH, item(1, { v: 2 }), [])).not.toBe(base);
    expect(evidenceHash(GENESIS_HASH, item(1, { v: 1 }), ['a'.repeat(64)])).not.toBe(base);
  });

  it('holds when untouched and names the first edited link', () => {
    const links = chain({ v: 1 }, { v: 2 }, { v: 3 });
    expect(firstBrokenLink(links)).toBeNull();
    links[1]!.item.content = { v: 20 };
    expect(firstBrokenLink(links)).toMatchObject({
      sequence: 2,
      reason: 'hash-mismatch',
      storedHash: links[1]!.hash,
    });
  });

  it('notices a removed link', () => {
    const links = chain({ v: 1 }, { v: 2 }, { v: 3 });
    expect(firstBrokenLink([links[0]!, links[2]!])).toMatchObject({ sequence: 3, reason: 'sequence-gap' });
  });
});
