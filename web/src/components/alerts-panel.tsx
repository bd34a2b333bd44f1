// Alerts (seed 001): the events rules opened (open ones first) and the rules themselves, with a
// form to add one, pause, delete and evaluate now for admins. A webhook's signing secret is shown
// once, when the rule that sets it is saved.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, canAdmin } from '../api';
import { Panel } from './panel';

interface Rule {
  id: string; name: string; metric: string; operator: string; threshold: number; window_minutes: number; provider: string | null; model: string | null;
  is_active: boolean; webhook_url: string | null; webhook_secret?: string;
}
export interface AlertEvent { id: string; rule_name: string; message: string; triggered_at: string; resolved_at: string | null; webhook_status: string | null }

const METRICS = ['latency', 'p95_latency', 'p99_latency', 'ttft', 'tokens_per_second', 'error_rate', 'requests', 'cost', 'total_tokens'];
const OPERATORS: Record<string, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', eq: '=' };
const EMPTY = { name: '', metric: 'latency', operator: 'gt', threshold: '', window_minutes: '5', provider: '', model: '', webhook_url: '' };

const condition = (rule: Rule) =>
  `${rule.metric} ${OPERATORS[rule.operator] ?? rule.operator} ${rule.threshold} over ${rule.window_minutes} min${rule.provider ? ` · ${rule.provider}` : ''}${rule.model ? ` · ${rule.model}` : ''}`;

function NewRule({ onSaved, onProblem }: { onSaved: (rule: Rule) => void; onProblem: (message: string) => void }) {
  const [form, setForm] = useState(EMPTY);
  const create = useMutation({
    mutationFn: () => api<Rule>('/api/v1/alerts/rules', {
      method: 'POST',
      body: JSON.stringify({
        name: form.name, metric: form.metric, operator: form.operator, threshold: Number(form.threshold), window_minutes: Number(form.window_minutes),
        ...(form.provider.trim() ? { provider: form.provider.trim() } : {}), ...(form.model.trim() ? { model: form.model.trim() } : {}),
        ...(form.webhook_url.trim() ? { webhook_url: form.webhook_url.trim() } : {}),
      }),
    }),
    onSuccess: (rule) => { setForm(EMPTY); onSaved(rule); },
    onError: (error) => onProblem(error.message),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const field = (key: keyof typeof EMPTY) => ({ value: form[key], onChange: (event: { target: { value: string } }) => setForm({ ...form, [key]: event.target.value }) });
  return (
    <form className="inline alert-form" onSubmit={submit}>
      <input placeholder="Rule name" aria-label="Rule name" {...field('name')} required />
      <select aria-label="Metric" {...field('metric')}>{METRICS.map((metric) => <option key={metric}>{metric}</option>)}</select>
      <select aria-label="Operator" {...field('operator')}>{Object.entries(OPERATORS).map(([operator, sign]) => <option key={operator} value={operator}>{sign}</option>)}</select>
      <input placeholder={form.metric === 'error_rate' ? 'Threshold (0.05 = 5%)' : 'Threshold'} aria-label="Threshold" inputMode="decimal" {...field('threshold')} required />
      <input placeholder="Window (min)" aria-label="Window in minutes" inputMode="numeric" {...field('window_minutes')} required />
      <input placeholder="Provider (any)" aria-label="Rule provider" {...field('provider')} />
      <input placeholder="Model (any)" aria-label="Rule model" {...field('model')} />
      <input placeholder="Webhook URL (optional)" aria-label="Webhook URL" {...field('webhook_url')} />
      <button type="submit" disabled={create.isPending}>Add rule</button>
    </form>
  );
}

export function AlertsPanel() {
  const admin = canAdmin();
  const client = useQueryClient();
  const rules = useQuery({ queryKey: ['alert-rules'], queryFn: () => api<{ rules: Rule[] }>('/api/v1/alerts/rules') });
  const events = useQuery({ queryKey: ['alert-events'], queryFn: () => api<{ events: AlertEvent[] }>('/api/v1/alerts/events?limit=20') });
  const [problem, setProblem] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ rule: string; secret: string } | null>(null);
  const refresh = () => { setProblem(null); void client.invalidateQueries({ queryKey: ['alert-rules'] }); void client.invalidateQueries({ queryKey: ['alert-events'] }); };
  const done = { onSuccess: refresh, onError: (error: Error) => setProblem(error.message) };
  const update = useMutation({ mutationFn: ({ id, patch }: { id: string; patch: Record<string, unknown> }) => api(`/api/v1/alerts/rules/${id}`, { method: 'PATCH', body: JSON.stringify(patch) }), ...done });
  const remove = useMutation({ mutationFn: (id: string) => api(`/api/v1/alerts/rules/${id}`, { method: 'DELETE' }), ...done });
  const evaluate = useMutation({ mutationFn: () => api('/api/v1/alerts/evaluate', { method: 'POST' }), ...done });
  const list = events.data?.events ?? [];
  const ordered = [...list.filter((event) => event.resolved_at === null), ...list.filter((event) => event.resolved_at !== null)];
  return (
    <Panel title="Alerts" loading={rules.isLoading || events.isLoading} error={rules.error ?? events.error} actions={admin ? <button className="link" onClick={() => evaluate.mutate()} disabled={evaluate.isPending}>Evaluate now</button> : null}>
      {ordered.length === 0 ? <p className="muted">No alert has fired.</p> : (
        <table className="alert-events">
          <thead><tr><th>State</th><th>Alert</th><th>Triggered</th><th>Resolved</th><th>Webhook</th></tr></thead>
          <tbody>{ordered.map((event) => (
            <tr key={event.id}>
              <td className={`status ${event.resolved_at === null ? 'error' : 'success'}`}>{event.resolved_at === null ? 'open' : 'resolved'}</td>
              <td>{event.message}</td>
              <td className="small">{new Date(event.triggered_at).toLocaleString()}</td>
              <td className="small">{event.resolved_at ? new Date(event.resolved_at).toLocaleString() : ''}</td>
              <td className="small">{event.webhook_status ?? ''}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
      <h3>Rules</h3>
      {rules.data?.rules.length === 0 ? <p className="muted">No rules yet. A rule watches one metric of the calls over a trailing window, e.g. mean latency over 5 minutes above 5,000 ms.</p> : (
        <table className="alert-rules">
          <thead><tr><th>Name</th><th>Condition</th><th>Webhook</th><th /></tr></thead>
          <tbody>{(rules.data?.rules ?? []).map((rule) => (
            <tr key={rule.id} className={rule.is_active ? '' : 'paused'}>
              <td>{rule.name}{rule.is_active ? '' : <span className="muted small"> · paused</span>}</td>
              <td>{condition(rule)}</td>
              <td className="small">{rule.webhook_url ?? ''}</td>
              <td>{admin ? <>
                <button className="link" onClick={() => update.mutate({ id: rule.id, patch: { is_active: !rule.is_active } })}>{rule.is_active ? 'pause' : 'resume'}</button>
                <button className="link" onClick={() => remove.mutate(rule.id)}>delete</button>
              </> : null}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
      {admin ? <NewRule onSaved={(rule) => { setSecret(rule.webhook_secret ? { rule: rule.name, secret: rule.webhook_secret } : null); refresh(); }} onProblem={setProblem} /> : <p className="muted small">Sign in with an admin key to change alert rules.</p>}
      {secret ? <p>Webhook signing secret of “{secret.rule}” (shown once): <code>{secret.secret}</code></p> : null}
      {problem ? <p className="error">{problem}</p> : null}
    </Panel>
  );
}
