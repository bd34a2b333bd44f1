// Costs: spend of the period, monthly projection, local-model savings, cost over time, the
// breakdown by model, provider, agent, user, tag, API key or reasoning effort, budgets, a call's cost estimated before it
// is made, and cost settings.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { activates } from '../activate';
import { api, formatCount, formatUsd } from '../api';
import { BudgetsPanel } from '../components/budgets-panel';
import { CostSettingsPanel } from '../components/cost-settings-panel';
import { EstimatePanel } from '../components/estimate-panel';
import { BarChart, LineChart } from '../components/line-chart';
import { Kpi, Panel } from '../components/panel';
import { navigate } from '../navigate';
import { currentRange, rangeDays, rangeSearch } from '../range';

type Row = Record<string, number | string | boolean | null>;
const DIMENSIONS = [['model', 'model'], ['provider', 'provider'], ['agent', 'agent'], ['user', 'user'], ['tag', 'tag'], ['api_key', 'API key'], ['reasoning_effort', 'reasoning effort']] as const;

/** The logs filter that shows a row's calls (a reasoning effort has none). */
const LOG_FILTER: Record<string, string> = { model: 'model', provider: 'provider', agent: 'agent', user: 'user_id', tag: 'tag', api_key: 'api_key_id' };

/** A row's name: an API key by its name and prefix (the id alone says nothing), else the value. */
function rowName(row: Row, by: string): string {
  if (by === 'api_key' && row.api_key !== null) return row.key_name === null ? String(row.api_key) : `${String(row.key_name)} (${String(row.key_prefix)}…)${row.key_revoked === true ? ', revoked' : ''}`;
  return String(row[by] ?? '(none)');
}

function Breakdown({ query }: { query: string }) {
  const [by, setBy] = useState('model');
  const breakdown = useQuery({ queryKey: ['cost-breakdown', query, by], queryFn: () => api<{ rows: Row[] }>(`/api/v1/analytics/cost-breakdown?${query}&by=${by}`) });
  const rows = (breakdown.data?.rows ?? []).slice(0, 15);
  const picker = <select value={by} onChange={(event) => setBy(event.target.value)} aria-label="Break down by">{DIMENSIONS.map(([value, label]) => <option key={value} value={value}>{label}</option>)}</select>;
  return (
    <Panel title="Breakdown" actions={picker} loading={breakdown.isLoading} error={breakdown.error}>
      {rows.length > 0 ? <BarChart categories={rows.map((row) => rowName(row, by))} series={[{ name: 'cost (USD)', values: rows.map((row) => (typeof row.cost === 'number' ? row.cost : null)) }]} /> : <p className="muted">No calls in this period.</p>}
      <table>
        <thead><tr><th>{DIMENSIONS.find(([value]) => value === by)?.[1]}</th><th>Cost</th><th>Share</th><th>Calls</th><th>Unpriced</th></tr></thead>
        <tbody>{rows.map((row) => <tr key={String(row[by])} {...(row[by] === null || LOG_FILTER[by] === undefined ? {} : { ...activates(() => navigate(`/logs${rangeSearch(currentRange())}&${LOG_FILTER[by]}=${encodeURIComponent(String(row[by]))}`)), title: 'Its calls in the logs' })}><td>{rowName(row, by)}</td><td>{formatUsd(row.cost)}</td><td>{typeof row.share_of_cost === 'number' ? `${(row.share_of_cost * 100).toFixed(1)}%` : '—'}</td><td>{formatCount(row.requests)}</td><td>{formatCount(row.unpriced_calls)}</td></tr>)}</tbody>
      </table>
    </Panel>
  );
}

export function Costs() {
  const range = currentRange();
  const q = range.query;
  const totals = useQuery({ queryKey: ['cost-breakdown', q, 'provider'], queryFn: () => api<{ total_cost: number; unpriced_calls: number }>(`/api/v1/analytics/cost-breakdown?${q}&by=provider`) });
  const trend = useQuery({ queryKey: ['cost-trend', q], queryFn: () => api<{ series: Row[] }>(`/api/v1/analytics/cost-trend?${q}`) });
  const projection = useQuery({ queryKey: ['projection'], queryFn: () => api<Row>('/api/v1/analytics/cost-projection') });
  const days = rangeDays(range);
  const savings = useQuery({ queryKey: ['savings', days], queryFn: () => api<Row>(`/api/v1/analytics/savings?days=${days}`) });
  const point = (p: Row, metric: string): [string, number | null] => [String(p.bucket), typeof p[metric] === 'number' ? (p[metric] as number) : null];
  return (
    <>
      <Panel title="Spend" loading={totals.isLoading} error={totals.error ?? projection.error}>
        <div className="kpis">
          <Kpi label="This period" value={formatUsd(totals.data?.total_cost)} />
          <Kpi label="Projected this month" value={formatUsd(projection.data?.projected_monthly_cost_usd)} />
          <Kpi label={`Saved by local models (${days} d)`} value={savings.error ? 'n/a' : formatUsd(savings.data?.estimated_savings_usd)} />
          <Kpi label="Unpriced calls" value={formatCount(totals.data?.unpriced_calls)} />
        </div>
        <p className="muted small">{String(projection.data?.method ?? '')}{savings.data ? ` · savings against ${String(savings.data.reference_model)}` : ''}</p>
      </Panel>
      <div className="grid2">
        <Panel title="Cost over time" loading={trend.isLoading} error={trend.error}>
          <LineChart series={[{ name: 'cost', points: (trend.data?.series ?? []).map((p) => point(p, 'cost')) }, { name: 'running total', points: (trend.data?.series ?? []).map((p) => point(p, 'cumulative_cost')) }]} />
        </Panel>
        <Breakdown query={q} />
      </div>
      <BudgetsPanel />
      <EstimatePanel />
      <CostSettingsPanel />
    </>
  );
}
