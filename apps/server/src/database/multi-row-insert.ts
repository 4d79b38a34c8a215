/**
 * The VALUES list and parameters of a multi-row INSERT: `($1, $2), ($3, $4)` for rows of column values.
 * One statement per batch is what makes ingest cheap; PostgreSQL allows 65,535 parameters per statement.
 */
export function multiRowValues(columnCount: number, rows: readonly (readonly unknown[])[]) {
  if (rows.length * columnCount > 65_535) {
    throw new RangeError(
      `${rows.length} rows of ${columnCount} columns exceed PostgreSQL's 65,535 parameters`,
    );
  }
  const values: unknown[] = [];
  const tuples = rows.map((row) => {
    const base = values.length;
    values.push(...row);
    return `(${row.map((_, i) => `$${base + i + 1}`).join(', ')})`;
  });
  return { sql: tuples.join(', '), values };
}
