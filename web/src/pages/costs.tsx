// Costs: breakdown, trend, monthly projection, local-model savings, and budgets with usage bars.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, currentRange, formatCount, formatUsd, RANGES } from '../api';
import { LineChart } from '../components/line-chart';
import { Kpi, Panel } from '../components/panel';

type Row = Record<string, number | string | null>;
interface Budget { id: string; name: string; budget_type: string; amount: number; scope: string; scope_value: string | null; action: string; current_usage: number; remaining: number; reset_at: string | null }

export function Costs() {
  const hours = RANGES[currentRange()];
  const [by, setBy] = useState('model');
  const breakdown = useQuery({ queryKey: ['cost-breakdown', hours, by], queryFn: () => api<{ rows: Row[]; total_cost: number; unpriced_calls: number }>(`/api/v1/analytics/cost-breakdown?hours=${hours}&by=${by}`) });
  const trend = useQuery({ queryKey: ['cost-trend', hours], queryFn: () => api<{ series: Row[] }>(`/api/v1/analytics/cost-trend?hours=${hours}`) });
  const projection = useQuery({ queryKey: ['projection'], queryFn: () => api<Row>('/api/v1/analytics/cost-projection') });
  const savings = useQuery({ queryKey: ['savings'], queryFn: () => api<Row>('/api/v1/analytics/savings?days=30') });
  const key = by === 'user' ? 'user_id' : by;
  return (
    <>
      <Panel title="Spend" loading={projection.isLoading} error={projection.error}>
        <div className="kpis">
          <Kpi label="This period" value={formatUsd(breakdown.data?.total_cost)} />
          <Kpi label="Projected this month" value={formatUsd(projection.data?.projected_monthly_cost_usd)} />
          <Kpi label="Saved by local models (30 d)" value={formatUsd(savings.data?.estimated_savings_usd)} />
          <Kpi label="Unpriced calls" value={formatCount(breakdown.data?.unpriced_calls)} />
        </div>
        <p className="muted small">{String(projection.data?.method ?? '')}</p>
      </Panel>
      <div className="grid2">
        <Panel title="Cost over time" loading={trend.isLoading} error={trend.error}>
          <LineChart series={[{ name: 'cost', points: (trend.data?.series ?? []).map((p): [string, number | null] => [String(p.bucket), typeof p.cost === 'number' ? p.cost : null]) }]} />
        </Panel>
        <Panel title="Breakdown" loading={breakdown.isLoading} error={breakdown.error}>
          <select value={by} onChange={(event) => setBy(event.target.value)} aria-label="Break down by">
            {['model', 'provider', 'agent', 'user', 'tag'].map((option) => <option key={option}>{option}</option>)}
          </select>
          <table>
            <thead><tr><th>{by}</th><th>Cost</th><th>Share</th><th>Calls</th><th>Unpriced</th></tr></thead>
            <tbody>{(breakdown.data?.rows ?? []).slice(0, 15).map((row) => <tr key={String(row[key])}><td>{String(row[key] ?? '(none)')}</td><td>{formatUsd(row.cost)}</td><td>{typeof row.share_of_cost === 'number' ? `${(row.share_of_cost * 100).toFixed(1)}%` : '—'}</td><td>{formatCount(row.requests)}</td><td>{formatCount(row.unpriced_calls)}</td></tr>)}</tbody>
          </table>
        </Panel>
      </div>
      <Budgets />
    </>
  );
}

function Budgets() {
  const client = useQueryClient();
  const budgets = useQuery({ queryKey: ['budgets'], queryFn: () => api<{ budgets: Budget[] }>('/api/v1/budgets') });
  const [form, setForm] = useState({ name: '', budget_type: 'monthly', amount: '', action: 'alert' });
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => api('/api/v1/budgets', { method: 'POST', body: JSON.stringify({ ...form, amount: Number(form.amount) }) }),
    onSuccess: () => { setProblem(null); setForm({ ...form, name: '', amount: '' }); void client.invalidateQueries({ queryKey: ['budgets'] }); },
    onError: (error) => setProblem(error instanceof Error ? error.message : 'could not create'),
  });
  const remove = useMutation({ mutationFn: (id: string) => api(`/api/v1/budgets/${id}`, { method: 'DELETE' }), onSuccess: () => void client.invalidateQueries({ queryKey: ['budgets'] }) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Panel title="Budgets" loading={budgets.isLoading} error={budgets.error}>
      {(budgets.data?.budgets ?? []).map((budget) => (
        <div key={budget.id} className="budget">
          <div><strong>{budget.name}</strong> <span className="muted small">{budget.budget_type} · {budget.scope}{budget.scope_value ? ` ${budget.scope_value}` : ''} · {budget.action}</span></div>
          <div className="bar"><div style={{ width: `${Math.min(100, (budget.current_usage / budget.amount) * 100)}%` }} className={budget.current_usage >= budget.amount ? 'over' : ''} /></div>
          <div className="small">{formatUsd(budget.current_usage)} of {formatUsd(budget.amount)}{budget.reset_at ? ` · resets ${new Date(budget.reset_at).toLocaleString()}` : ''} <button className="link" onClick={() => remove.mutate(budget.id)}>delete</button></div>
        </div>
      ))}
      <form className="inline" onSubmit={submit}>
        <input placeholder="Name" value={form.name} onChange={(event) => setForm({ ...form, name: event.target.value })} required />
        <select value={form.budget_type} onChange={(event) => setForm({ ...form, budget_type: event.target.value })} aria-label="Period">{['daily', 'weekly', 'monthly', 'total'].map((type) => <option key={type}>{type}</option>)}</select>
        <input placeholder="Amount (USD)" inputMode="decimal" value={form.amount} onChange={(event) => setForm({ ...form, amount: event.target.value })} required />
        <select value={form.action} onChange={(event) => setForm({ ...form, action: event.target.value })} aria-label="Action"><option>alert</option><option>block</option></select>
        <button type="submit">Add budget</button>
      </form>
      {problem ? <p className="error">{problem}</p> : null}
    </Panel>
  );
}
