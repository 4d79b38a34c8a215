import { createHash } from 'node:crypto';
import { canonicalJson } from '../evidence/evidence.chain.js';

/** One figure that differs between a sealed KPI snapshot and the same KPIs computed again now. */
export interface SnapshotDifference {
  /** Dotted path into the snapshot's content, e.g. `total.positioning.p95M` or `byDevice.0.label`. */
  path: string;
  sealed: unknown;
  current: unknown;
}

/** Most differences listed for one snapshot (the count is always complete). */
export const MAX_LISTED_DIFFERENCES = 200;

/** sha256 of the content's canonical JSON (the serialisation the evidence chain hashes), hex. */
export function contentSha256(content: unknown): string {
  return createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every leaf where `current` differs from `sealed`, depth first in key order. Both sides are compared as JSON
 * (what the evidence store keeps): a key that is missing on one side differs from any value on the other.
 */
export function snapshotDifferences(
  sealed: unknown,
  current: unknown,
): { count: number; listed: SnapshotDifference[] } {
  const listed: SnapshotDifference[] = [];
  let count = 0;
  const walk = (a: unknown, b: unknown, path: string) => {
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++)
        walk(a[i], b[i], path ? `${path}.${i}` : String(i));
      return;
    }
    if (isObject(a) && isObject(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const key of keys) walk(a[key], b[key], path ? `${path}.${key}` : key);
      return;
    }
    if (canonicalJson(a ?? null) === canonicalJson(b ?? null)) return;
    count += 1;
    if (listed.length < MAX_LISTED_DIFFERENCES) listed.push({ path, sealed: a ?? null, current: b ?? null });
  };
  walk(JSON.parse(JSON.stringify(sealed)) as unknown, JSON.parse(JSON.stringify(current)) as unknown, '');
  return { count, listed };
}
