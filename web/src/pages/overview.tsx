// Overview: KPIs against the previous period, requests / cost / latency over time, top models
// and providers, recent errors; and, for a new project, how to send the first call.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { api, formatCount, formatMs, formatPercent, formatUsd } from '../api';
import { FirstCall } from '../components/first-call';
import { LineChart } from '../components/line-chart';
import { Kpi, Panel } from '../components/panel';
import { useLiveEvents } from '../live';
import { currentRange } from '../range';

type Row = Record<string, number | string | null>;
type Point = [string, number | null];
/** Live stats refresh the page at most this often: each refresh re-runs every panel's query. */
const LIVE_REFRESH_MS = 10_000;

/** Refreshes the overview's panels when new calls arrive (stats_updated), at a bounded rate. */
function useLiveRefresh(): boolean {
  const client = useQueryClient();
  const last = useRef(0);
  return useLiveEvents((event) => {
    if (event.type !== 'stats_updated' || Date.now() - last.current < LIVE_REFRESH_MS) return;
    last.current = Date.now();
    for (const key of ['overview', 'trends', 'models', 'providers-breakdown', 'errors']) void client.invalidateQueries({ queryKey: [key] });
  });
}

export function Overview() {
  const range = currentRange();
  const q = range.query;
  const overview = useQuery({ queryKey: ['overview', q], queryFn: () => api<{ current: Row; change: Record<string, number | null> }>(`/api/v1/analytics/overview?${q}`) });
  const trends = useQuery({ queryKey: ['trends', q], queryFn: () => api<{ series: Row[] }>(`/api/v1/analytics/usage-trends?${q}`) });
  const models = useQuery({ queryKey: ['models', q], queryFn: () => api<{ models: Row[] }>(`/api/v1/analytics/models?${q}`) });
  const providers = useQuery({ queryKey: ['providers-breakdown', q], queryFn: () => api<{ providers: Row[] }>(`/api/v1/analytics/providers?${q}`) });
  const errors = useQuery({ queryKey: ['errors', q], queryFn: () => api<{ top_messages: { message: string; count: number; last_seen: string }[] }>(`/api/v1/analytics/errors?${q}`) });
  const live = useLiveRefresh();
  const current = overview.data?.current;
  const change = overview.data?.change ?? {};
  if (current && current.requests === 0) return <FirstCall title="No calls in this period" />;
  const series = (metric: string) => (trends.data?.series ?? []).map((point): Point => [String(point.bucket), typeof point[metric] === 'number' ? (point[metric] as number) : null]);
  return (
    <>
      <Panel title={`This period${live ? ' · live' : ''}`} loading={overview.isLoading} error={overview.error}>
        <div className="kpis">
          <Kpi label="Requests" value={formatCount(current?.requests)} change={change.requests} />
          <Kpi label="Error rate" value={formatPercent(current?.error_rate)} change={change.error_rate} lowerIsBetter />
          <Kpi label="Cost" value={formatUsd(current?.cost)} change={change.cost} lowerIsBetter />
          <Kpi label="p95 latency" value={formatMs(current?.p95_latency)} change={change.p95_latency} lowerIsBetter />
          <Kpi label="Time to first token" value={formatMs(current?.avg_ttft)} change={change.avg_ttft} lowerIsBetter />
          <Kpi label="Tokens / s" value={typeof current?.avg_tokens_per_second === 'number' ? current.avg_tokens_per_second.toFixed(1) : '—'} change={change.avg_tokens_per_second} />
        </div>
        {typeof current?.unpriced_calls === 'number' && current.unpriced_calls > 0 ? <p className="muted">{formatCount(current.unpriced_calls)} calls have no known price and are not in the cost.</p> : null}
      </Panel>
      <div className="grid3">
        <Panel title="Requests and errors" loading={trends.isLoading} error={trends.error}>
          <LineChart series={[{ name: 'requests', points: series('requests') }, { name: 'errors', points: series('errors') }]} />
        </Panel>
        <Panel title="Cost (USD)" loading={trends.isLoading} error={trends.error}>
          <LineChart series={[{ name: 'cost', points: series('cost') }]} />
        </Panel>
        <Panel title="Latency (ms)" loading={trends.isLoading} error={trends.error}>
          <LineChart series={[{ name: 'average', points: series('avg_latency') }, { name: 'p95', points: series('p95_latency') }]} />
        </Panel>
      </div>
      <div className="grid2">
        <Panel title="Top models" loading={models.isLoading} error={models.error}>
          <table>
            <thead><tr><th>Model</th><th>Calls</th><th>Cost</th><th>p95</th><th>Errors</th></tr></thead>
            <tbody>
              {(models.data?.models ?? []).slice(0, 8).map((row) => (
                <tr key={`${row.provider}/${row.model}`}><td>{String(row.model)}<div className="muted small">{String(row.provider)}</div></td><td>{formatCount(row.requests)}</td><td>{formatUsd(row.cost)}</td><td>{formatMs(row.p95_latency)}</td><td>{formatPercent(row.error_rate)}</td></tr>
              ))}
            </tbody>
          </table>
        </Panel>
        <Panel title="Top providers" loading={providers.isLoading} error={providers.error}>
          <table>
            <thead><tr><th>Provider</th><th>Calls</th><th>Cost</th><th>p95</th><th>Success</th></tr></thead>
            <tbody>
              {(providers.data?.providers ?? []).slice(0, 8).map((row) => (
                <tr key={String(row.provider)}><td>{String(row.provider)}</td><td>{formatCount(row.requests)}</td><td>{formatUsd(row.cost)}</td><td>{formatMs(row.p95_latency)}</td><td>{formatPercent(row.success_rate)}</td></tr>
              ))}
            </tbody>
          </table>
        </Panel>
      </div>
      <Panel title="Recent errors" loading={errors.isLoading} error={errors.error}>
        {errors.data?.top_messages.length === 0 ? <p className="muted">No errors in this period.</p> : null}
        <table>
          <thead><tr><th>Message</th><th>Count</th><th>Last seen</th></tr></thead>
          <tbody>
            {(errors.data?.top_messages ?? []).map((row) => <tr key={row.message}><td className="clip">{row.message}</td><td>{formatCount(row.count)}</td><td>{row.last_seen ? new Date(row.last_seen).toLocaleString() : ''}</td></tr>)}
          </tbody>
        </table>
      </Panel>
    </>
  );
}
