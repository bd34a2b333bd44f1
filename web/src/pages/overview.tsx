// Overview: KPIs against the previous period, traffic and cost over time, top models, recent
// errors; and, for a new user, how to send the first call.
import { useQuery } from '@tanstack/react-query';
import { api, currentRange, formatCount, formatMs, formatPercent, formatUsd, RANGES } from '../api';
import { LineChart } from '../components/line-chart';
import { Kpi, Panel } from '../components/panel';

type Row = Record<string, number | string | null>;

export function Overview() {
  const hours = RANGES[currentRange()];
  const overview = useQuery({ queryKey: ['overview', hours], queryFn: () => api<{ current: Row; change: Record<string, number | null> }>(`/api/v1/analytics/overview?hours=${hours}`) });
  const trends = useQuery({ queryKey: ['trends', hours], queryFn: () => api<{ series: Row[] }>(`/api/v1/analytics/usage-trends?hours=${hours}&interval=${hours <= 72 ? 'hour' : 'day'}`) });
  const models = useQuery({ queryKey: ['models', hours], queryFn: () => api<{ models: Row[] }>(`/api/v1/analytics/models?hours=${hours}`) });
  const errors = useQuery({ queryKey: ['errors', hours], queryFn: () => api<{ top_messages: { message: string; count: number; last_seen: string }[] }>(`/api/v1/analytics/errors?hours=${hours}`) });
  const current = overview.data?.current;
  const change = overview.data?.change ?? {};
  if (current && current.requests === 0) return <EmptyState />;
  const series = (metric: string) => (trends.data?.series ?? []).map((point): [string, number | null] => [String(point.bucket), typeof point[metric] === 'number' ? (point[metric] as number) : null]);
  return (
    <>
      <Panel title="This period" loading={overview.isLoading} error={overview.error}>
        <div className="kpis">
          <Kpi label="Requests" value={formatCount(current?.requests)} change={change.requests} />
          <Kpi label="Error rate" value={formatPercent(current?.error_rate)} change={change.error_rate} />
          <Kpi label="Cost" value={formatUsd(current?.cost)} change={change.cost} />
          <Kpi label="p95 latency" value={formatMs(current?.p95_latency)} change={change.p95_latency} />
          <Kpi label="Time to first token" value={formatMs(current?.avg_ttft)} change={change.avg_ttft} />
          <Kpi label="Tokens / s" value={typeof current?.avg_tokens_per_second === 'number' ? current.avg_tokens_per_second.toFixed(1) : '—'} change={change.avg_tokens_per_second} />
        </div>
        {typeof current?.unpriced_calls === 'number' && current.unpriced_calls > 0 ? <p className="muted">{formatCount(current.unpriced_calls)} calls have no known price and are not in the cost.</p> : null}
      </Panel>
      <div className="grid2">
        <Panel title="Requests and errors" loading={trends.isLoading} error={trends.error}>
          <LineChart series={[{ name: 'requests', points: series('requests') }, { name: 'errors', points: series('errors') }]} />
        </Panel>
        <Panel title="Cost (USD)" loading={trends.isLoading} error={trends.error}>
          <LineChart series={[{ name: 'cost', points: series('cost') }]} />
        </Panel>
      </div>
      <div className="grid2">
        <Panel title="Models" loading={models.isLoading} error={models.error}>
          <table>
            <thead><tr><th>Model</th><th>Calls</th><th>Cost</th><th>p95</th><th>Errors</th></tr></thead>
            <tbody>
              {(models.data?.models ?? []).slice(0, 8).map((row) => (
                <tr key={`${row.provider}/${row.model}`}><td>{String(row.model)}<div className="muted small">{String(row.provider)}</div></td><td>{formatCount(row.requests)}</td><td>{formatUsd(row.cost)}</td><td>{formatMs(row.p95_latency)}</td><td>{formatPercent(row.error_rate)}</td></tr>
              ))}
            </tbody>
          </table>
        </Panel>
        <Panel title="Recent errors" loading={errors.isLoading} error={errors.error}>
          <table>
            <thead><tr><th>Message</th><th>Count</th></tr></thead>
            <tbody>
              {(errors.data?.top_messages ?? []).map((row) => <tr key={row.message}><td className="clip">{row.message}</td><td>{formatCount(row.count)}</td></tr>)}
            </tbody>
          </table>
        </Panel>
      </div>
    </>
  );
}

function EmptyState() {
  const base = location.origin;
  const curl = `curl ${base}/v1/chat/completions \\\n  -H "Authorization: Bearer $LOUPE_KEY" -H "Content-Type: application/json" \\\n  -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'`;
  const client = `from openai import OpenAI\nclient = OpenAI(base_url="${base}/v1", api_key="<your lp_ key>")\nclient.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}])`;
  const record = `curl -X POST ${base}/api/v1/calls -H "Authorization: Bearer $LOUPE_KEY" -H "Content-Type: application/json" \\\n  -d '{"provider":"openai","model":"gpt-4o","prompt_tokens":120,"completion_tokens":40,"latency_ms":850}'`;
  return (
    <Panel title="No calls yet">
      <p>Send calls through the gateway (set a provider key such as <code>OPENAI_API_KEY</code> before starting Loupe):</p>
      <pre>{curl}</pre>
      <p>or point the OpenAI client at Loupe:</p>
      <pre>{client}</pre>
      <p>or record calls your application already makes:</p>
      <pre>{record}</pre>
      <p className="muted">Or fill Loupe with demo data: <code>npm run demo</code> (stop the server first, or add <code>-- --url {base} --key $LOUPE_KEY</code>).</p>
    </Panel>
  );
}
