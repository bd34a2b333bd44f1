// Overview: the alerts open now, KPIs against the previous period, what changed between the two (stated with its
// numbers), requests / cost / latency over time, top models and providers, recent errors (each
// opens the call); and, for a new project, how to send the first call.
// At a million calls the analytics queries compete for the same database threads, so the KPIs
// are asked for alone first and the other panels after them; the charts' code (ECharts, most
// of the JavaScript) loads beside those requests instead of before the first paint.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useRef, useState } from 'react';
import { api, formatCount, formatMs, formatPercent, formatUsd } from '../api';
import { CallDrawer } from '../components/call-detail';
import { FirstCall } from '../components/first-call';
import { OpenAlerts } from '../components/open-alerts';
import { Kpi, Panel } from '../components/panel';
import { useLiveEvents } from '../live';
import { navigate } from '../navigate';
import { currentRange, rangeSearch } from '../range';
import { activates } from '../activate';

const chartModule = import('../components/line-chart');
const LineChart = lazy(() => chartModule.then((module) => ({ default: module.LineChart })));

type Row = Record<string, number | string | null>;
type Point = [string, number | null];
interface Insight { metric: string; current: number | null; previous: number | null; change: number | null; text: string }
interface FailedCall { id: string; started_at: string; provider: string; model: string; status: string; http_status: number | null; error_type: string | null; error_message: string | null }
/** Live stats refresh the page at most this often: each refresh re-runs every panel's query. */
const CHART_LOADING = <p className="muted chart-loading">Loading…</p>;
const LIVE_REFRESH_MS = 10_000;

/** Refreshes the overview's panels when new calls arrive (stats_updated), at a bounded rate. */
function useLiveRefresh(): boolean {
  const client = useQueryClient();
  const last = useRef(0);
  return useLiveEvents((event) => {
    if (event.type !== 'stats_updated' || Date.now() - last.current < LIVE_REFRESH_MS) return;
    last.current = Date.now();
    for (const key of ['overview', 'trends', 'models', 'providers-breakdown', 'recent-errors', 'insights']) void client.invalidateQueries({ queryKey: [key] });
  });
}

/** Error rate, latency, cost and time to first token are better lower; requests are neither. */
function insightTone(insight: Insight): string {
  if (insight.metric === 'requests' || insight.current === null || insight.previous === null || insight.current === insight.previous) return '';
  return insight.current > insight.previous ? 'worse' : 'better';
}

export function Overview() {
  const range = currentRange();
  const q = range.query;
  const overview = useQuery({ queryKey: ['overview', q], queryFn: () => api<{ current: Row; change: Record<string, number | null> }>(`/api/v1/analytics/overview?${q}`) });
  // After the KPIs (or their failure), and not at all for a project without calls in the period.
  const rest = overview.isError || (overview.data !== undefined && overview.data.current.requests !== 0);
  const trends = useQuery({ queryKey: ['trends', q], queryFn: () => api<{ series: Row[] }>(`/api/v1/analytics/usage-trends?${q}`), enabled: rest });
  const models = useQuery({ queryKey: ['models', q], queryFn: () => api<{ models: Row[] }>(`/api/v1/analytics/models?${q}`), enabled: rest });
  const providers = useQuery({ queryKey: ['providers-breakdown', q], queryFn: () => api<{ providers: Row[] }>(`/api/v1/analytics/providers?${q}`), enabled: rest });
  // The newest failed calls: a filtered logs page, much cheaper at scale than the error analysis.
  const errors = useQuery({ queryKey: ['recent-errors', q], queryFn: () => api<{ data: FailedCall[] }>(`/api/v1/logs?${q}&status=error,timeout&limit=8`), enabled: rest });
  const insights = useQuery({ queryKey: ['insights', q], queryFn: () => api<{ insights: Insight[]; threshold: number; min_calls: number }>(`/api/v1/analytics/trends?${q}`), enabled: rest });
  const live = useLiveRefresh();
  const [open, setOpen] = useState<string | null>(null);
  const current = overview.data?.current;
  const change = overview.data?.change ?? {};
  if (current && current.requests === 0) return <FirstCall title="No calls in this period" />;
  const series = (metric: string) => (trends.data?.series ?? []).map((point): Point => [String(point.bucket), typeof point[metric] === 'number' ? (point[metric] as number) : null]);
  return (
    <>
      <OpenAlerts />
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
      <Panel title="What changed" loading={insights.isPending} error={insights.error}>
        {insights.data?.insights.length === 0
          ? <p className="muted">No figure moved by {formatPercent(insights.data.threshold)} or more against the previous period (each period needs {insights.data.min_calls} calls).</p>
          : <ul className="insights">{(insights.data?.insights ?? []).map((insight) => <li key={insight.metric} className={insightTone(insight)}>{insight.text}</li>)}</ul>}
      </Panel>
      <div className="grid3">
        <Panel title="Requests and errors" loading={trends.isPending} error={trends.error}>
          <Suspense fallback={CHART_LOADING}><LineChart series={[{ name: 'requests', points: series('requests') }, { name: 'errors', points: series('errors') }]} /></Suspense>
        </Panel>
        <Panel title="Cost (USD)" loading={trends.isPending} error={trends.error}>
          <Suspense fallback={CHART_LOADING}><LineChart series={[{ name: 'cost', points: series('cost') }]} /></Suspense>
        </Panel>
        <Panel title="Latency (ms)" loading={trends.isPending} error={trends.error}>
          <Suspense fallback={CHART_LOADING}><LineChart series={[{ name: 'average', points: series('avg_latency') }, { name: 'p95', points: series('p95_latency') }]} /></Suspense>
        </Panel>
      </div>
      <div className="grid2">
        <Panel title="Top models" loading={models.isPending} error={models.error}>
          <table className="pick">
            <thead><tr><th>Model</th><th>Calls</th><th>Cost</th><th>p95</th><th>Errors</th></tr></thead>
            <tbody>
              {(models.data?.models ?? []).slice(0, 8).map((row) => (
                <tr key={`${row.provider}/${row.model}`} {...activates(() => navigate(`/logs${rangeSearch(range)}&model=${encodeURIComponent(String(row.model))}`))} title="Its calls in the logs"><td>{String(row.model)}<div className="muted small">{String(row.provider)}</div></td><td>{formatCount(row.requests)}</td><td>{formatUsd(row.cost)}</td><td>{formatMs(row.p95_latency)}</td><td>{formatPercent(row.error_rate)}</td></tr>
              ))}
            </tbody>
          </table>
        </Panel>
        <Panel title="Top providers" loading={providers.isPending} error={providers.error}>
          <table className="pick">
            <thead><tr><th>Provider</th><th>Calls</th><th>Cost</th><th>p95</th><th>Success</th></tr></thead>
            <tbody>
              {(providers.data?.providers ?? []).slice(0, 8).map((row) => (
                <tr key={String(row.provider)} {...activates(() => navigate(`/logs${rangeSearch(range)}&provider=${encodeURIComponent(String(row.provider))}`))} title="Its calls in the logs"><td>{String(row.provider)}</td><td>{formatCount(row.requests)}</td><td>{formatUsd(row.cost)}</td><td>{formatMs(row.p95_latency)}</td><td>{formatPercent(row.success_rate)}</td></tr>
              ))}
            </tbody>
          </table>
        </Panel>
      </div>
      <Panel title="Recent errors" loading={errors.isPending} error={errors.error}>
        {errors.data?.data.length === 0 ? <p className="muted">No failed calls in this period.</p> : (
          <table className="recent-errors pick">
            <thead><tr><th>Time</th><th>Model</th><th>Status</th><th>Error</th></tr></thead>
            <tbody>
              {(errors.data?.data ?? []).map((call) => (
                <tr key={call.id} {...activates(() => setOpen(call.id))} title="Open the call">
                  <td>{new Date(call.started_at).toLocaleString()}</td><td>{call.model}<div className="muted small">{call.provider}</div></td>
                  <td className="status">{call.status}{call.http_status ? ` · ${call.http_status}` : ''}</td>
                  <td className="clip">{[call.error_type, call.error_message].filter(Boolean).join(': ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      {open ? <CallDrawer id={open} canDelete={false} onClose={() => setOpen(null)} /> : null}
    </>
  );
}
