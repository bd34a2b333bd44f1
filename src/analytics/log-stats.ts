// The overview behind GET /api/v1/logs/stats (seed 003's /logs/stats): totals, rates,
// per-provider and hourly rows, and the most recent calls.
import type { CallFilters, SqlReader } from '../store/ports.js';
import { compileCallFilters } from './filters.js';
import { SqlParams } from './sql-params.js';

export interface LogStats {
  overview: {
    total_requests: number;
    success_rate: number;
    error_rate: number;
    avg_duration_ms: number | null;
    total_cost_usd: number;
    unpriced_calls: number;
    total_tokens: number;
  };
  providers: { provider: string; requests: number; success_rate: number; avg_duration_ms: number | null; total_cost_usd: number }[];
  hourly: { hour: string; requests: number; cost_usd: number; avg_duration_ms: number | null }[];
  recent: { id: string; provider: string; model: string; status: string; duration_ms: number | null; cost_usd: number | null; timestamp: string }[];
}

const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100);

export async function logStats(reader: SqlReader, filters: CallFilters): Promise<LogStats> {
  const build = () => {
    const params = new SqlParams();
    return { params, where: compileCallFilters(filters, params, reader.dialect) };
  };
  const totals = build();
  const byProvider = build();
  const hourly = build();
  const recent = build();
  const [totalRows, providerRows, hourRows, recentRows] = await Promise.all([
    reader.query<{ n: number; ok: number; avg_ms: number | null; cost: number | null; unpriced: number; tokens: number | null }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE status = 'success') AS ok, avg(latency_ms) AS avg_ms,
              sum(cost_usd) AS cost, count(*) FILTER (WHERE cost_usd IS NULL) AS unpriced, sum(total_tokens) AS tokens
       FROM calls WHERE ${totals.where}`,
      totals.params.values,
    ),
    reader.query<{ provider: string; n: number; ok: number; avg_ms: number | null; cost: number | null }>(
      `SELECT provider, count(*) AS n, count(*) FILTER (WHERE status = 'success') AS ok, avg(latency_ms) AS avg_ms, sum(cost_usd) AS cost
       FROM calls WHERE ${byProvider.where} GROUP BY provider ORDER BY n DESC, provider`,
      byProvider.params.values,
    ),
    reader.query<{ hour: number; n: number; cost: number | null; avg_ms: number | null }>(
      `SELECT date_trunc('hour', started_at) AS hour, count(*) AS n, sum(cost_usd) AS cost, avg(latency_ms) AS avg_ms
       FROM calls WHERE ${hourly.where} GROUP BY 1 ORDER BY 1`,
      hourly.params.values,
    ),
    reader.query<{ id: string; provider: string; model: string; status: string; latency_ms: number | null; cost_usd: number | null; started_at: number }>(
      `SELECT id, provider, model, status, latency_ms, cost_usd, started_at FROM calls WHERE ${recent.where}
       ORDER BY started_at DESC LIMIT 10`,
      recent.params.values,
    ),
  ]);
  const total = totalRows[0] ?? { n: 0, ok: 0, avg_ms: null, cost: 0, unpriced: 0, tokens: 0 };
  return {
    overview: {
      total_requests: total.n,
      success_rate: percent(total.ok, total.n),
      error_rate: total.n === 0 ? 0 : Math.round((100 - percent(total.ok, total.n)) * 100) / 100,
      avg_duration_ms: total.avg_ms,
      total_cost_usd: total.cost ?? 0,
      unpriced_calls: total.unpriced,
      total_tokens: total.tokens ?? 0,
    },
    providers: providerRows.map((row) => ({
      provider: row.provider,
      requests: row.n,
      success_rate: percent(row.ok, row.n),
      avg_duration_ms: row.avg_ms,
      total_cost_usd: row.cost ?? 0,
    })),
    hourly: hourRows.map((row) => ({ hour: new Date(row.hour).toISOString(), requests: row.n, cost_usd: row.cost ?? 0, avg_duration_ms: row.avg_ms })),
    recent: recentRows.map((row) => ({
      id: row.id, provider: row.provider, model: row.model, status: row.status,
      duration_ms: row.latency_ms, cost_usd: row.cost_usd, timestamp: new Date(row.started_at).toISOString(),
    })),
  };
}
