// Cost settings: a project's own price for a model (wins over the catalog) or the electricity
// cost per hour of a local model; add, replace and remove.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, canAdmin, formatUsd } from '../api';
import { Panel } from './panel';

interface Setting { model: string; cost_per_1k_input_tokens: number | null; cost_per_1k_output_tokens: number | null; electricity_cost_per_hour: number | null; updated_at: string }
const EMPTY = { model: '', input: '', output: '', electricity: '' };
const numberOrNull = (text: string) => (text.trim() === '' ? null : Number(text));

export function CostSettingsPanel() {
  const admin = canAdmin();
  const client = useQueryClient();
  const settings = useQuery({ queryKey: ['cost-settings'], queryFn: () => api<{ settings: Setting[] }>('/api/v1/cost-settings') });
  const [form, setForm] = useState(EMPTY);
  const [problem, setProblem] = useState<string | null>(null);
  const done = { onSuccess: () => { setProblem(null); void client.invalidateQueries({ queryKey: ['cost-settings'] }); }, onError: (error: Error) => setProblem(error.message) };
  const save = useMutation({
    mutationFn: () => api('/api/v1/cost-settings', { method: 'POST', body: JSON.stringify({ model: form.model, cost_per_1k_input_tokens: numberOrNull(form.input), cost_per_1k_output_tokens: numberOrNull(form.output), electricity_cost_per_hour: numberOrNull(form.electricity) }) }),
    ...done, onSuccess: () => { setForm(EMPTY); done.onSuccess(); },
  });
  const remove = useMutation({ mutationFn: (model: string) => api(`/api/v1/cost-settings/${encodeURIComponent(model)}`, { method: 'DELETE' }), ...done });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <Panel title="Cost settings" loading={settings.isLoading} error={settings.error}>
      <p className="muted small">Prices set here apply to new calls of the model; other models use the price catalog.</p>
      <table>
        <thead><tr><th>Model</th><th>Input / 1k</th><th>Output / 1k</th><th>Electricity / h</th><th>Updated</th><th /></tr></thead>
        <tbody>{(settings.data?.settings ?? []).map((row) => (
          <tr key={row.model}><td>{row.model}</td><td>{formatUsd(row.cost_per_1k_input_tokens)}</td><td>{formatUsd(row.cost_per_1k_output_tokens)}</td><td>{formatUsd(row.electricity_cost_per_hour)}</td><td>{new Date(row.updated_at).toLocaleDateString()}</td>
            <td>{admin ? <button className="link" onClick={() => remove.mutate(row.model)}>remove</button> : null}</td></tr>
        ))}</tbody>
      </table>
      {admin ? (
        <form className="inline cost-setting-form" onSubmit={submit}>
          <input placeholder="Model" aria-label="Model" value={form.model} onChange={(event) => setForm({ ...form, model: event.target.value })} required />
          <input placeholder="Input $ / 1k tokens" inputMode="decimal" value={form.input} onChange={(event) => setForm({ ...form, input: event.target.value })} />
          <input placeholder="Output $ / 1k tokens" inputMode="decimal" value={form.output} onChange={(event) => setForm({ ...form, output: event.target.value })} />
          <input placeholder="Electricity $ / hour" inputMode="decimal" value={form.electricity} onChange={(event) => setForm({ ...form, electricity: event.target.value })} />
          <button type="submit">Save price</button>
        </form>
      ) : null}
      {problem ? <p className="error">{problem}</p> : null}
    </Panel>
  );
}
