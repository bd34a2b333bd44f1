// Models & providers: provider health with breaker state, enable/disable, connection test,
// adding, changing and removing providers; the model routes of the config file; latency, time to first token and speed with the
// latency distribution; the model comparison with its recommendation, latency and cost per model
// as charts; optimization suggestions; the errors of the period by type and by message.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, canAdmin, formatCount, formatMs, formatPercent, formatUsd } from '../api';
import { AddProviderForm } from '../components/add-provider-form';
import { EditProviderForm, type EditableProvider } from '../components/edit-provider-form';
import { BarChart } from '../components/line-chart';
import { Panel } from '../components/panel';
import { RoutesPanel } from '../components/routes-panel';
import { SuggestionsPanel } from '../components/suggestions-panel';
import { currentRange } from '../range';

interface Provider extends EditableProvider { display_name: string; type: string; provider_type: string; is_enabled: boolean; source: string; health?: { circuit_state: string; total_requests: number; failed_requests: number; avg_response_time_ms: number | null } }
type Row = Record<string, unknown>;
interface Performance {
  summary: Record<string, number | null>;
  latency_histogram: { from_ms: number; to_ms: number | null; count: number }[];
}
interface ErrorAnalysis {
  summary: { requests: number; errors: number; error_rate: number | null };
  by_type: { error_type: string | null; count: number }[];
  top_messages: { message: string; count: number; last_seen: string }[];
}

export function Providers() {
  const q = currentRange().query;
  const admin = canAdmin();
  const client = useQueryClient();
  const providers = useQuery({ queryKey: ['providers'], queryFn: () => api<{ providers: Provider[] }>('/api/v1/providers') });
  const models = useQuery({ queryKey: ['models', q], queryFn: () => api<{ models: Row[] }>(`/api/v1/analytics/models?${q}`) });
  const errors = useQuery({ queryKey: ['errors', q], queryFn: () => api<ErrorAnalysis>(`/api/v1/analytics/errors?${q}`) });
  const performance = useQuery({ queryKey: ['performance', q], queryFn: () => api<Performance>(`/api/v1/analytics/performance?${q}`) });
  const [tests, setTests] = useState<Record<string, string>>({});
  const [editing, setEditing] = useState<string | null>(null);
  const remove = useMutation({ mutationFn: (p: Provider) => api(`/api/v1/providers/${p.name}`, { method: 'DELETE' }), onSuccess: () => void client.invalidateQueries({ queryKey: ['providers'] }) });
  const toggle = useMutation({ mutationFn: (p: Provider) => api(`/api/v1/providers/${p.name}/enable`, { method: 'POST', body: JSON.stringify({ enabled: !p.is_enabled }) }), onSuccess: () => void client.invalidateQueries({ queryKey: ['providers'] }) });
  const test = async (name: string) => {
    const result = await api<{ reachable: boolean; ok: boolean; latency_ms: number; models: string[]; error?: string }>(`/api/v1/providers/${name}/test`, { method: 'POST' }).catch((error: Error) => ({ reachable: false, ok: false, latency_ms: 0, models: [], error: error.message }));
    const summary = result.ok ? `reachable in ${result.latency_ms} ms, ${result.models.length} models` : result.reachable ? `reachable in ${result.latency_ms} ms, but ${result.error ?? 'not OK'}` : `unreachable: ${result.error ?? ''}`;
    setTests((shown) => ({ ...shown, [name]: summary }));
  };
  return (
    <>
      <Panel title="Providers" loading={providers.isLoading} error={providers.error}>
        {providers.data?.providers.length === 0 ? <p className="muted">No providers yet: set OPENAI_API_KEY, ANTHROPIC_API_KEY or OLLAMA_BASE_URL before starting Loupe, or add one with POST /api/v1/providers.</p> : null}
        <table>
          <thead><tr><th>Provider</th><th>Circuit</th><th>Requests</th><th>Failures</th><th>Avg latency</th><th /></tr></thead>
          <tbody>
            {(providers.data?.providers ?? []).flatMap((p) => [
              <tr key={p.name}>
                <td>{p.display_name}<div className="muted small">{p.type} · {p.provider_type} · {p.source} · priority {p.priority}{p.allow_client_key ? ' · takes callers\' keys' : ''}</div></td>
                <td className={`circuit ${p.health?.circuit_state ?? ''}`}>{p.is_enabled ? p.health?.circuit_state ?? 'closed' : 'disabled'}</td>
                <td>{formatCount(p.health?.total_requests)}</td><td>{formatCount(p.health?.failed_requests)}</td><td>{formatMs(p.health?.avg_response_time_ms)}</td>
                <td>{admin ? <><button onClick={() => toggle.mutate(p)}>{p.is_enabled ? 'Disable' : 'Enable'}</button> <button onClick={() => void test(p.name)}>Test</button>{p.source === 'api' ? <> <button className="link" onClick={() => setEditing(p.name)}>edit</button> <button className="link" onClick={() => remove.mutate(p)}>remove</button></> : null}</> : null}<div className="small connection-test" aria-live="polite">{tests[p.name] ?? ''}</div></td>
              </tr>,
              ...(editing === p.name ? [<tr key={`${p.name}-edit`}><td colSpan={6}><EditProviderForm provider={p} onDone={() => setEditing(null)} /></td></tr>] : []),
            ])}
          </tbody>
        </table>
        {admin ? <AddProviderForm /> : null}
      </Panel>
      <RoutesPanel />
      <PerformancePanel performance={performance.data} loading={performance.isLoading} error={performance.error} />
      <ModelCharts rows={models.data?.models ?? []} />
      <Panel title="Models" loading={models.isLoading} error={models.error}>
        <table>
          <thead><tr><th>Model</th><th>Calls</th><th>p50</th><th>p95</th><th>TTFT</th><th>Errors</th><th>Cost / call</th><th>Note</th></tr></thead>
          <tbody>
            {(models.data?.models ?? []).map((row) => (
              <tr key={`${String(row.provider)}/${String(row.model)}`}>
                <td>{String(row.model)}<div className="muted small">{String(row.provider)}</div></td><td>{formatCount(row.requests)}</td><td>{formatMs(row.p50_latency)}</td><td>{formatMs(row.p95_latency)}</td>
                <td>{formatMs(row.avg_ttft)}</td><td>{formatPercent(row.error_rate)}</td><td>{formatUsd(row.avg_cost_per_call)}</td>
                <td className="small">{(row.recommendation as { reason?: string } | null)?.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
      <SuggestionsPanel />
      <div className="grid2">
        <Panel title={`Errors by type${errors.data ? ` (${formatCount(errors.data.summary.errors)} of ${formatCount(errors.data.summary.requests)} calls)` : ''}`} loading={errors.isLoading} error={errors.error}>
          {errors.data?.by_type.length === 0 ? <p className="muted">No failed calls in this period.</p> : (
            <table className="error-types"><thead><tr><th>Type</th><th>Calls</th></tr></thead>
              <tbody>{(errors.data?.by_type ?? []).map((row) => <tr key={row.error_type ?? ''}><td>{row.error_type ?? '(none)'}</td><td>{formatCount(row.count)}</td></tr>)}</tbody></table>
          )}
        </Panel>
        <Panel title="Most frequent error messages" loading={errors.isLoading} error={errors.error}>
          {errors.data?.top_messages.length === 0 ? <p className="muted">No error messages in this period.</p> : (
            <table className="error-messages"><thead><tr><th>Message</th><th>Calls</th><th>Last seen</th></tr></thead>
              <tbody>{(errors.data?.top_messages ?? []).map((row) => <tr key={row.message}><td className="clip">{row.message}</td><td>{formatCount(row.count)}</td><td>{new Date(row.last_seen).toLocaleString()}</td></tr>)}</tbody></table>
          )}
        </Panel>
      </div>
    </>
  );
}

/** A histogram bucket as a label: "250–500 ms", the last one open ("≥ 30 s"). */
function bucketLabel(bucket: Performance['latency_histogram'][number]): string {
  return bucket.to_ms === null ? `≥ ${formatMs(bucket.from_ms)}` : `${formatMs(bucket.from_ms)}–${formatMs(bucket.to_ms)}`;
}

/** Seed 001's performance view: latency and time to first token percentiles, tokens per second, the latency distribution. */
function PerformancePanel({ performance, loading, error }: { performance: Performance | undefined; loading: boolean; error: unknown }) {
  const summary = performance?.summary ?? {};
  const buckets = performance?.latency_histogram ?? [];
  return (
    <div className="grid2">
      <Panel title="Latency and speed" loading={loading} error={error}>
        <table className="performance">
          <thead><tr><th /><th>p50</th><th>p95</th><th>p99</th><th>mean</th></tr></thead>
          <tbody>
            <tr><td>Latency</td><td>{formatMs(summary.p50_latency)}</td><td>{formatMs(summary.p95_latency)}</td><td>{formatMs(summary.p99_latency)}</td><td>{formatMs(summary.avg_latency)}</td></tr>
            <tr><td>Time to first token</td><td>{formatMs(summary.p50_ttft)}</td><td>{formatMs(summary.p95_ttft)}</td><td>—</td><td>{formatMs(summary.avg_ttft)}</td></tr>
          </tbody>
        </table>
        <p className="muted small">Tokens / s: mean {fixed(summary.avg_tokens_per_second)}, from {fixed(summary.min_tokens_per_second)} to {fixed(summary.max_tokens_per_second)} · performance score {fixed(summary.performance_score)}</p>
      </Panel>
      <Panel title="Latency distribution (calls)" loading={loading} error={error}>
        {buckets.length > 0 ? <BarChart categories={buckets.map(bucketLabel)} series={[{ name: 'calls', values: buckets.map((bucket) => bucket.count) }]} /> : null}
      </Panel>
    </div>
  );
}

const fixed = (value: number | null | undefined) => (typeof value === 'number' ? value.toFixed(1) : '—');

function ModelCharts({ rows }: { rows: Row[] }) {
  const top = rows.slice(0, 12);
  if (top.length === 0) return null;
  const names = top.map((row) => String(row.model));
  const values = (metric: string) => top.map((row) => (typeof row[metric] === 'number' ? (row[metric] as number) : null));
  return (
    <div className="grid2">
      <Panel title="Latency by model (ms)"><BarChart categories={names} series={[{ name: 'p50', values: values('p50_latency') }, { name: 'p95', values: values('p95_latency') }]} /></Panel>
      <Panel title="Cost per call by model (USD)"><BarChart categories={names} series={[{ name: 'avg cost per call', values: values('avg_cost_per_call') }]} /></Panel>
    </div>
  );
}
