// Changes a provider added through the API (seed 004's fields: priority, timeout, retries,
// breaker threshold and timeout, models, base URL, a new key; whether callers may send their own key). Providers from the config file
// or environment are the operator's and are changed there.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api';

export interface EditableProvider {
  name: string; base_url: string; models: string[]; priority: number; timeout_seconds: number;
  max_retries: number; circuit_breaker_threshold: number; circuit_breaker_timeout: number; allow_client_key: boolean;
}

const NUMBERS = [
  ['priority', 'Priority (lower first)'], ['timeout_seconds', 'Timeout (s)'], ['max_retries', 'Retries'],
  ['circuit_breaker_threshold', 'Failures to open the breaker'], ['circuit_breaker_timeout', 'Breaker open for (s)'],
] as const;

export function EditProviderForm({ provider, onDone }: { provider: EditableProvider; onDone: () => void }) {
  const client = useQueryClient();
  const [form, setForm] = useState({
    base_url: provider.base_url, models: provider.models.join(', '), api_key: '', allow_client_key: provider.allow_client_key,
    ...Object.fromEntries(NUMBERS.map(([name]) => [name, String(provider[name])])) as Record<(typeof NUMBERS)[number][0], string>,
  });
  const save = useMutation({
    mutationFn: () => api(`/api/v1/providers/${encodeURIComponent(provider.name)}`, {
      method: 'PATCH',
      body: JSON.stringify({
        base_url: form.base_url.trim(),
        models: form.models.split(',').map((model) => model.trim()).filter(Boolean),
        ...Object.fromEntries(NUMBERS.map(([name]) => [name, Number(form[name])])),
        ...(form.api_key ? { api_key: form.api_key } : {}),
        allow_client_key: form.allow_client_key,
      }),
    }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['providers'] });
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form className="edit-provider" onSubmit={submit}>
      <div className="filters">
        <input aria-label={`Base URL of ${provider.name}`} placeholder="Base URL" value={form.base_url} onChange={(event) => setForm({ ...form, base_url: event.target.value })} />
        <input aria-label={`Models of ${provider.name}`} placeholder="Models (comma-separated)" value={form.models} onChange={(event) => setForm({ ...form, models: event.target.value })} />
        <input aria-label={`New API key of ${provider.name}`} placeholder="New API key (blank: keep)" type="password" value={form.api_key} onChange={(event) => setForm({ ...form, api_key: event.target.value })} />
      </div>
      <div className="filters">
        {NUMBERS.map(([name, label]) => (
          <label key={name} className="small">{label}<br /><input aria-label={`${label} of ${provider.name}`} inputMode="decimal" value={form[name]} onChange={(event) => setForm({ ...form, [name]: event.target.value })} /></label>
        ))}
      </div>
      <label className="small"><input type="checkbox" checked={form.allow_client_key} onChange={(event) => setForm({ ...form, allow_client_key: event.target.checked })} /> Callers may send their own key (x-loupe-provider-key)</label>
      <button type="submit" disabled={save.isPending}>Save provider</button> <button type="button" className="link" onClick={onDone}>cancel</button>
      {save.error ? <p className="error">{save.error.message}</p> : null}
    </form>
  );
}
