// Epoch milliseconds as the value DuckDB binds to a TIMESTAMP column (microseconds).
import { DuckDBTimestampValue } from '@duckdb/node-api';

export function duckTimestamp(ms: number): DuckDBTimestampValue;
export function duckTimestamp(ms: number | null): DuckDBTimestampValue | null;
export function duckTimestamp(ms: number | null): DuckDBTimestampValue | null {
  return ms === null ? null : new DuckDBTimestampValue(BigInt(Math.round(ms)) * 1000n);
}
