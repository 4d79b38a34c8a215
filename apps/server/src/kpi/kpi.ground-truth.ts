import type { z } from 'zod';
import {
  type GroundTruthEnvelope,
  type GroundTruthInput,
  groundTruthCrossingSchema,
  groundTruthDroppedSchema,
  groundTruthPositionSchema,
  type RejectedRow,
} from './kpi.dto.js';

/** How many refused rows are described one by one (in the response and the import's provenance). */
export const MAX_REJECTED_DETAILS = 1000;

export interface CheckedGroundTruth {
  /** The file with only its good rows. */
  input: GroundTruthInput;
  rejectedCount: number;
  /** The first MAX_REJECTED_DETAILS refused rows. */
  rejected: RejectedRow[];
}

/**
 * Checks every row of a ground-truth file on its own, so one bad row costs only itself (DESIGN.md, "Security
 * and privacy": a bad input loses nothing that was good). A row is refused when it does not fit its schema,
 * or when it repeats a (device, sequence) already taken by an earlier position or dropped fix of the file
 * (the stored key), naming the row it repeats.
 */
export function checkGroundTruthRows(envelope: GroundTruthEnvelope): CheckedGroundTruth {
  const rejected: RejectedRow[] = [];
  let rejectedCount = 0;
  const reject = (row: RejectedRow) => {
    rejectedCount += 1;
    if (rejected.length < MAX_REJECTED_DETAILS) rejected.push(row);
  };
  /** Each row of a section that fits its schema and (for fixes) does not repeat a stored key. */
  const check = <T extends { deviceId: string }>(
    section: RejectedRow['section'],
    items: unknown[],
    schema: z.ZodType<T>,
    sequenceOf?: (row: T) => number,
  ): T[] => {
    const good: T[] = [];
    items.forEach((item, index) => {
      const where = `document.${section}.${index}`;
      const parsed = schema.safeParse(item);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.map(String).join('.');
        reject({ section, index, path: field ? `${where}.${field}` : where, message: issue.message });
        return;
      }
      const row = parsed.data;
      if (sequenceOf) {
        const sequence = sequenceOf(row);
        const key = `${envelope.deviceIds[row.deviceId] ?? row.deviceId}\u0000${sequence}`;
        const first = sequences.get(key);
        if (first !== undefined) {
          const message = `device ${row.deviceId} sequence ${sequence} repeats ${first}`;
          reject({ section, index, path: `${where}.sequence`, message });
          return;
        }
        sequences.set(key, where);
      }
      good.push(row);
    });
    return good;
  };
  const sequences = new Map<string, string>();
  const { document: doc } = envelope;
  const crossings = check('crossings', doc.crossings, groundTruthCrossingSchema);
  const positions = check('positions', doc.positions, groundTruthPositionSchema, (row) => row.sequence);
  const dropped = check('dropped', doc.dropped, groundTruthDroppedSchema, (row) => row.sequence);
  return {
    input: { ...envelope, document: { ...doc, crossings, positions, dropped } },
    rejectedCount,
    rejected,
  };
}
