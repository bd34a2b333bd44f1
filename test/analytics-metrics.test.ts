// The metrics compiler: SQL per dialect from names only, every value a parameter, percentiles
// of one column in one aggregate, and ordering/limits taken only from known names.
import { describe, expect, it } from 'vitest';
import { compileMetricsQuery } from '../src/analytics/metrics/compile-query.js';
import { isDimension, METRICS } from '../src/analytics/metrics/definitions.js';

const filters = { projectId: "p'; DROP TABLE calls; --", model: ["m'1", 'm2'], properties: { "sym'bol": "EUR'USD" }, from: Date.UTC(2026, 0, 1) };

describe('compileMetricsQuery', () => {
  it('DuckDB: quantile_cont once per column, values only as parameters', () => {
    const query = compileMetricsQuery({ metrics: ['requests', 'p50_latency', 'p95_latency', 'p95_ttft', 'cost'], dimensions: ['model', 'property.symbol'], filters }, 'duckdb');
    expect(query.sql).toContain('quantile_cont(latency_ms, [0.5, 0.95])');
    expect(query.sql).toContain('quantile_cont(ttft_ms, [0.95])');
    expect(query.sql).toContain('pct_latency_ms[2] AS p95_latency');
    expect(query.sql).not.toMatch(/DROP|EUR|sym'bol|m'1/);
    expect(query.params).toEqual(expect.arrayContaining(['symbol', filters.projectId, "m'1", 'm2', "sym'bol", "EUR'USD"]));
    expect(query.sql).toContain('GROUP BY "model", "property_symbol"');
  });

  it('PostgreSQL: percentile_cont WITHIN GROUP and ANY() for tags, the same placeholders', () => {
    const query = compileMetricsQuery({ metrics: ['p99_latency', 'error_rate'], filters: { ...filters, tag: 'prod' }, timeBucket: 'day' }, 'postgres');
    expect(query.sql).toContain('percentile_cont(ARRAY[0.99]::double precision[]) WITHIN GROUP (ORDER BY latency_ms)');
    expect(query.sql).toContain("date_trunc('day', started_at) AS bucket");
    expect(query.sql).toMatch(/\$\d+ = ANY\(tags\)/);
    expect(query.sql).not.toContain('quantile_cont');
    expect(query.sql).not.toMatch(/AS DOUBLE\)/);
    expect(query.sql).toMatch(/ORDER BY bucket ASC/);
    const placeholders = [...query.sql.matchAll(/\$(\d+)/g)].map((match) => Number(match[1]));
    expect(Math.max(...placeholders)).toBe(query.params.length);
  });

  it('orders only by a requested metric or dimension, and clamps the limit', () => {
    const ordered = compileMetricsQuery({ metrics: ['cost'], dimensions: ['provider'], filters, orderBy: { field: 'cost; DROP', direction: 'asc' }, limit: 1e9 }, 'duckdb');
    expect(ordered.sql).toMatch(/ORDER BY cost DESC NULLS LAST, "provider" LIMIT 10000$/);
    const asked = compileMetricsQuery({ metrics: ['cost'], dimensions: ['provider'], filters, orderBy: { field: 'provider', direction: 'asc' }, limit: 0 }, 'duckdb');
    expect(asked.sql).toMatch(/ORDER BY "provider" ASC NULLS LAST, "provider" LIMIT 1$/);
  });

  it('quotes output columns (`user` is CURRENT_USER on PostgreSQL) and refuses an unknown bucket', () => {
    const query = compileMetricsQuery({ metrics: ['requests'], dimensions: ['user', 'user'], filters }, 'postgres');
    expect(query.sql).toContain('SELECT user_id AS "user", count(*)');
    expect(query.sql).toMatch(/GROUP BY "user" ORDER BY requests DESC NULLS LAST, "user"$/);
    expect(() => compileMetricsQuery({ metrics: ['requests'], filters, timeBucket: "day', now()) --" as 'day' }, 'duckdb')).toThrow(/time bucket/);
  });

  it('every metric has SQL for both dialects, a type and a unit', () => {
    for (const [name, metric] of Object.entries(METRICS)) {
      for (const dialect of ['duckdb', 'postgres'] as const) expect(metric.sql(dialect), name).toMatch(/\w+\(/);
      expect(metric.type && metric.unit, name).toBeTruthy();
    }
  });

  it('accepts only allow-listed dimensions and plain property names', () => {
    expect(['model', 'provider', 'user', 'property.symbol', 'property.a-b.c'].every(isDimension)).toBe(true);
    expect(['password', 'input', 'property.', "property.a'b", 'property.a b', 'model; --'].some(isDimension)).toBe(false);
  });
});
