// Positional SQL parameters ($1, $2, ...): both engines take the same placeholders, so one
// query text serves DuckDB and PostgreSQL.
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Timestamp literal both engines parse the same way (UTC, no zone suffix). */
export function sqlTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}
