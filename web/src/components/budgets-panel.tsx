// Budgets with usage bars: create (period, scope, amount, alert or block; a key's budget picks
// the key by name), edit name, amount and action in place, pause, and delete.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, canAdmin, formatUsd } from '../api';
import { Panel } from './panel';

interface Budget { id: string; name: string; budget_type: string; amount: number; scope: string; scope_value: string | null; action: string; is_active: boolean; current_usage: number; remaining: number; reset_at: string | null }
const SCOPES = ['global', 'provider', 'model', 'user', 'api_key', 'tag'];
const EMPTY = { name: '', budget_type: 'monthly', amount: '', scope: 'global', scope_value: '', action: 'alert' };

interface Key { id: string; name: string; prefix: string; revoked_at: string | null }
/** The project's keys (listed to admins only: others see a key's budget by its id). */
function useKeys(admin: boolean) {
  return useQuery({ queryKey: ['keys'], queryFn: () => api<{ data: Key[] }>('/api/v1/keys'), enabled: admin });
}
const keyLabel = (key: Key) => `${key.name} (${key.prefix}…)`;

function useBudgetChange() {
  const client = useQueryClient();
  const [problem, setProblem] = useState<string | null>(null);
  const done = { onSuccess: () => { setProblem(null); void client.invalidateQueries({ queryKey: ['budgets'] }); }, onError: (error: Error) => setProblem(error.message) };
  const update = useMutation({ mutationFn: ({ id, patch }: { id: string; patch: Record<string, unknown> }) => api(`/api/v1/budgets/${id}`, { method: 'PATCH', body: JSON.stringify(patch) }), ...done });
  const remove = useMutation({ mutationFn: (id: string) => api(`/api/v1/budgets/${id}`, { method: 'DELETE' }), ...done });
  return { update, remove, problem, setProblem, refresh: done.onSuccess };
}

function BudgetRow({ budget, admin, change, keys }: { budget: Budget; admin: boolean; change: ReturnType<typeof useBudgetChange>; keys: Key[] }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState({ name: budget.name, amount: String(budget.amount), action: budget.action });
  const share = budget.amount > 0 ? budget.current_usage / budget.amount : 0;
  const save = (event: FormEvent) => {
    event.preventDefault();
    change.update.mutate({ id: budget.id, patch: { name: draft.name, amount: Number(draft.amount), action: draft.action } }, { onSuccess: () => setEditing(false) });
  };
  return (
    <div className={`budget ${budget.is_active ? '' : 'paused'}`}>
      {editing ? (
        <form className="inline budget-edit" onSubmit={save}>
          <input aria-label="Budget name" value={draft.name} onChange={(event) => setDraft({ ...draft, name: event.target.value })} required />
          <input aria-label="Budget amount" inputMode="decimal" value={draft.amount} onChange={(event) => setDraft({ ...draft, amount: event.target.value })} required />
          <select aria-label="Budget action" value={draft.action} onChange={(event) => setDraft({ ...draft, action: event.target.value })}><option>alert</option><option>block</option></select>
          <button type="submit">Save</button><button type="button" className="link" onClick={() => setEditing(false)}>cancel</button>
        </form>
      ) : (
        <div><strong>{budget.name}</strong> <span className="muted small">{budget.budget_type} · {budget.scope}{budget.scope_value ? ` ${scopeName(budget, keys)}` : ''} · {budget.action}{budget.is_active ? '' : ' · paused'}</span></div>
      )}
      <div className="bar" title={`${(share * 100).toFixed(1)}% used`}><div style={{ width: `${Math.min(100, share * 100)}%` }} className={share >= 1 ? 'over' : share >= 0.8 ? 'near' : ''} /></div>
      <div className="small">
        {formatUsd(budget.current_usage)} of {formatUsd(budget.amount)} ({(share * 100).toFixed(0)}%){budget.reset_at ? ` · resets ${new Date(budget.reset_at).toLocaleString()}` : ''}
        {admin && !editing ? <>
          <button className="link" onClick={() => setEditing(true)}>edit</button>
          <button className="link" onClick={() => change.update.mutate({ id: budget.id, patch: { is_active: !budget.is_active } })}>{budget.is_active ? 'pause' : 'resume'}</button>
          <button className="link" onClick={() => change.remove.mutate(budget.id)}>delete</button>
        </> : null}
      </div>
    </div>
  );
}

/** What a budget covers: a key by its name when it is known here. */
function scopeName(budget: Budget, keys: Key[]): string {
  const key = budget.scope === 'api_key' ? keys.find((entry) => entry.id === budget.scope_value) : undefined;
  return key ? keyLabel(key) : String(budget.scope_value);
}

function NewBudget({ change, keys }: { change: ReturnType<typeof useBudgetChange>; keys: Key[] }) {
  const [form, setForm] = useState(EMPTY);
  const create = useMutation({
    mutationFn: () => api('/api/v1/budgets', { method: 'POST', body: JSON.stringify({ ...form, amount: Number(form.amount), scope_value: form.scope === 'global' ? null : form.scope_value }) }),
    onSuccess: () => { setForm(EMPTY); change.refresh(); },
    onError: (error) => change.setProblem(error.message),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="inline budget-form" onSubmit={submit}>
      <input placeholder="Name" value={form.name} onChange={(event) => setForm({ ...form, name: event.target.value })} required />
      <select value={form.budget_type} onChange={(event) => setForm({ ...form, budget_type: event.target.value })} aria-label="Period">{['daily', 'weekly', 'monthly', 'total'].map((type) => <option key={type}>{type}</option>)}</select>
      <select value={form.scope} onChange={(event) => setForm({ ...form, scope: event.target.value, scope_value: '' })} aria-label="Scope">{SCOPES.map((scope) => <option key={scope}>{scope}</option>)}</select>
      {form.scope === 'global' ? null : form.scope === 'api_key' ? (
        <select aria-label="Which API key" value={form.scope_value} onChange={(event) => setForm({ ...form, scope_value: event.target.value })} required>
          <option value="">Which API key</option>
          {keys.filter((key) => key.revoked_at === null).map((key) => <option key={key.id} value={key.id}>{keyLabel(key)}</option>)}
        </select>
      ) : <input placeholder={`Which ${form.scope}`} value={form.scope_value} onChange={(event) => setForm({ ...form, scope_value: event.target.value })} required />}
      <input placeholder="Amount (USD)" inputMode="decimal" value={form.amount} onChange={(event) => setForm({ ...form, amount: event.target.value })} required />
      <select value={form.action} onChange={(event) => setForm({ ...form, action: event.target.value })} aria-label="Action"><option>alert</option><option>block</option></select>
      <button type="submit">Add budget</button>
    </form>
  );
}

export function BudgetsPanel() {
  const admin = canAdmin();
  const budgets = useQuery({ queryKey: ['budgets'], queryFn: () => api<{ budgets: Budget[] }>('/api/v1/budgets') });
  const change = useBudgetChange();
  const keys = useKeys(admin).data?.data ?? [];
  return (
    <Panel title="Budgets" loading={budgets.isLoading} error={budgets.error}>
      {budgets.data?.budgets.length === 0 ? <p className="muted">No budgets yet. A budget alerts (or blocks gateway calls) when spend in its period reaches the amount.</p> : null}
      {(budgets.data?.budgets ?? []).map((budget) => <BudgetRow key={budget.id} budget={budget} admin={admin} change={change} keys={keys} />)}
      {admin ? <NewBudget change={change} keys={keys} /> : <p className="muted small">Sign in with an admin key to change budgets.</p>}
      {change.problem ? <p className="error">{change.problem}</p> : null}
    </Panel>
  );
}
