// The DuckDB CSV export writes a double's cell in SQL; it must be the text JavaScript's
// Number#toString gives (what the export writes on other engines and what the JSON API says),
// checked here against JavaScript itself over every magnitude the calls' double columns can
// hold (validation keeps them under 1e15).
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { duckDbCsvCells } from '../src/export/csv-cells-sql.js';

/** Doubles from the smallest up to 1e15, both signs, with short and long mantissas. */
function samples(): number[] {
  const values = [
    0, -0, 1, -1, 0.1, 0.5, 500, 1e-7, 1e-6, 9.999999e-7, 1.5e-6, 1e-5, 0.0001, 9.999e-5, 0.00125, 0.30000000000000004,
    1e15 - 0.5, 1e15 - 1, 5e-324, 2 ** 52 / 1e3, 86_400_000.25, 9_999_999.999999998,
  ];
  let seed = 7;
  const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let exponent = -320; exponent <= 14; exponent += 1) {
    const value = (1 + Math.round(next() * 1e6) / 1e6 * 8) * 10 ** exponent;
    if (Number.isFinite(value) && value !== 0) values.push(value, -value, Number(value.toPrecision(1 + Math.floor(next() * 16))));
  }
  return values;
}

describe('double cells of the DuckDB CSV export', () => {
  it("are JavaScript's text of the number at every magnitude", async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const values = samples();
      await connection.run('CREATE TABLE numbers (n INTEGER, latency_ms DOUBLE)');
      const appender = await connection.createAppender('numbers');
      values.forEach((value, n) => {
        appender.appendInteger(n);
        appender.appendDouble(value);
        appender.endRow();
      });
      appender.closeSync();
      const reader = await connection.runAndReadAll(`SELECT ${duckDbCsvCells(['latency_ms'])} FROM numbers ORDER BY n`);
      const texts = reader.getRows().map((row) => row[0]);
      expect(texts).toEqual(values.map((value) => String(value)));
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
