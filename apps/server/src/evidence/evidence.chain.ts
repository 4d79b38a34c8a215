import { createHash } from 'node:crypto';

/** The `previous hash` of the first item of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Canonical JSON, the one serialisation every evidence hash is computed over:
 * - object keys sorted by UTF-16 code unit order (`Array.prototype.sort`), at every depth;
 * - no whitespace between tokens;
 * - `Date` values as ISO 8601 strings in UTC with milliseconds (`toISOString()`);
 * - properties whose value is `undefined` are left out; `null` is kept;
 * - arrays keep their order; strings and finite numbers as `JSON.stringify` writes them;
 * - non-finite numbers, bigints, functions and symbols are refused (they have no JSON form).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError('canonical JSON: invalid date');
    return JSON.stringify(value.toISOString());
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${value} is not a finite number`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
      }
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, inner]) => inner !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON: a ${typeof value} has no JSON form`);
  }
}

/** The fields of an evidence item that its hash covers (everything but the hashes themselves). */
export interface HashedEvidence {
  id: string;
  sequence: number;
  type: string;
  trialId: string;
  supplierId: string | null;
  deviceModelId: string | null;
  deviceConfigId: string | null;
  config: unknown;
  scaleId: string | null;
  level: number | null;
  criterionId: string | null;
  authorId: string;
  recordedAt: Date;
  content: unknown;
}

/**
 * hash = sha256(previousHash ‖ "\n" ‖ canonicalJson(item) ‖ "\n" ‖ attachment hashes joined by ","), hex.
 * The attachment hashes keep the order the author gave them.
 */
export function evidenceHash(
  previousHash: string,
  item: HashedEvidence,
  attachmentHashes: readonly string[],
) {
  return createHash('sha256')
    .update(`${previousHash}\n${canonicalJson(item)}\n${attachmentHashes.join(',')}`, 'utf8')
    .digest('hex');
}

export interface ChainLink {
  item: HashedEvidence;
  attachmentHashes: readonly string[];
  previousHash: string;
  hash: string;
}

export interface BrokenLink {
  itemId: string;
  sequence: number;
  reason: 'hash-mismatch' | 'previous-hash-mismatch' | 'sequence-gap';
  expectedHash: string;
  storedHash: string;
}

/** Recomputes a chain in sequence order; the first link that does not hold, or null when all do. */
export function firstBrokenLink(links: Iterable<ChainLink>): BrokenLink | null {
  let previousHash = GENESIS_HASH;
  let expectedSequence = 1;
  for (const link of links) {
    const { item } = link;
    if (item.sequence !== expectedSequence) {
      return {
        itemId: item.id,
        sequence: item.sequence,
        reason: 'sequence-gap',
        expectedHash: previousHash,
        storedHash: link.previousHash,
      };
    }
    if (link.previousHash !== previousHash) {
      return {
        itemId: item.id,
        sequence: item.sequence,
        reason: 'previous-hash-mismatch',
        expectedHash: previousHash,
        storedHash: link.previousHash,
      };
    }
    const expectedHash = evidenceHash(previousHash, item, link.attachmentHashes);
    if (expectedHash !== link.hash) {
      return {
        itemId: item.id,
        sequence: item.sequence,
        reason: 'hash-mismatch',
        expectedHash,
        storedHash: link.hash,
      };
    }
    previousHash = link.hash;
    expectedSequence += 1;
  }
  return null;
}
