// API keys (admin): the project's keys with their scopes, gateway settings (requests and
// tokens per minute, allowed models) changed in place, and expiry; a new key's secret is shown
// once; revoke.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, formatCount, formatUsd } from '../api';
import { Panel } from './panel';

interface Key { id: string; name: string; prefix: string; scopes: string[]; project_id: string; created_at: string; revoked_at: string | null; rate_limit_rpm: number | null; rate_limit_tpm: number | null; allowed_models: string[] | null; expires_at: string | null; expired: boolean }

const limitText = (key: Key) => [
  key.rate_limit_rpm ? `${formatCount(key.rate_limit_rpm)} requests/min` : null, key.rate_limit_tpm ? `${formatCount(key.rate_limit_tpm)} tokens/min` : null,
  key.allowed_models ? `models: ${key.allowed_models.join(', ')}` : null,
].filter(Boolean).join(' · ') || 'none';
/** A list of models as typed, comma-separated; empty is any model. */
const modelsValue = (text: string) => {
  const models = text.split(',').map((model) => model.trim()).filter(Boolean);
  return models.length > 0 ? models : null;
};
/** A limit field: empty is no limit; what is not a number goes as typed, for the API to name. */
const limitValue = (text: string) => (text.trim() === '' ? null : Number.isFinite(Number(text)) ? Number(text) : text);

/** A key's gateway rate limits and models, shown, and changed in place. */
function KeyLimits({ apiKey }: { apiKey: Key }) {
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [rpm, setRpm] = useState(String(apiKey.rate_limit_rpm ?? ''));
  const [tpm, setTpm] = useState(String(apiKey.rate_limit_tpm ?? ''));
  const [models, setModels] = useState((apiKey.allowed_models ?? []).join(', '));
  const save = useMutation({
    mutationFn: () => api(`/api/v1/keys/${apiKey.id}`, { method: 'PATCH', body: JSON.stringify({ rate_limit_rpm: limitValue(rpm), rate_limit_tpm: limitValue(tpm), allowed_models: modelsValue(models) }) }),
    onSuccess: () => { setEditing(false); void client.invalidateQueries({ queryKey: ['keys'] }); },
  });
  if (apiKey.revoked_at) return <span className="muted">—</span>;
  if (!editing) return <>{limitText(apiKey)} <button className="link" onClick={() => setEditing(true)} aria-label={`Change the gateway limits of ${apiKey.name}`}>change</button></>;
  return (
    <form className="inline" onSubmit={(event) => { event.preventDefault(); save.mutate(); }}>
      <input aria-label="Requests per minute" placeholder="requests/min" inputMode="numeric" value={rpm} onChange={(event) => setRpm(event.target.value)} size={8} />
      <input aria-label="Tokens per minute" placeholder="tokens/min" inputMode="numeric" value={tpm} onChange={(event) => setTpm(event.target.value)} size={10} />
      <input aria-label="Allowed models" placeholder="models, e.g. gpt-4o, anthropic/* (any)" value={models} onChange={(event) => setModels(event.target.value)} size={24} />
      <button type="submit">Save</button>
      {save.error ? <span className="error">{save.error.message}</span> : null}
    </form>
  );
}
const SCOPES = ['read', 'ingest', 'gateway', 'admin'];

/** A key's recent spend, with its calls that have no price counted beside it. */
function KeySpend({ spend }: { spend: { cost: number; unpriced_calls: number } | undefined }) {
  if (!spend) return <span className="muted">—</span>;
  return <>{formatUsd(spend.cost)}{spend.unpriced_calls > 0 ? <span className="muted small"> + {formatCount(spend.unpriced_calls)} unpriced</span> : null}</>;
}

export function KeysPanel() {
  const client = useQueryClient();
  const keys = useQuery({ queryKey: ['keys'], queryFn: () => api<{ data: Key[] }>('/api/v1/keys') });
  // What each key's calls cost over the last 30 days (LiteLLM's key spend), from the cost breakdown.
  const spend = useQuery({ queryKey: ['key-spend'], queryFn: () => api<{ rows: { api_key: string | null; cost: number; unpriced_calls: number }[] }>('/api/v1/analytics/cost-breakdown?days=30&by=api_key') });
  const spendOf = new Map((spend.data?.rows ?? []).map((row) => [row.api_key, row]));
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['read']);
  const [rpm, setRpm] = useState('');
  const [tpm, setTpm] = useState('');
  const [expires, setExpires] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => api<{ key: string }>('/api/v1/keys', {
      method: 'POST',
      // The date picker gives a day: the key works through the end of it, local time.
      body: JSON.stringify({ name, scopes, rate_limit_rpm: limitValue(rpm), rate_limit_tpm: limitValue(tpm), ...(expires ? { expires_at: new Date(`${expires}T23:59:59`).toISOString() } : {}) }),
    }),
    onSuccess: (created) => { setSecret(created.key); setProblem(null); setName(''); setRpm(''); setTpm(''); setExpires(''); void client.invalidateQueries({ queryKey: ['keys'] }); },
    onError: (error) => setProblem(error instanceof Error ? error.message : 'could not create the key'),
  });
  const revoke = useMutation({ mutationFn: (id: string) => api(`/api/v1/keys/${id}`, { method: 'DELETE' }), onSuccess: () => void client.invalidateQueries({ queryKey: ['keys'] }) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Panel title="API keys" loading={keys.isLoading} error={keys.error}>
      <table>
        <thead><tr><th>Name</th><th>Prefix</th><th>Scopes</th><th>Gateway limits</th><th>Spend (30 d)</th><th>Created</th><th>Expires</th><th /></tr></thead>
        <tbody>{(keys.data?.data ?? []).map((key) => (
          <tr key={key.id}><td>{key.name}</td><td><code>{key.prefix}…</code></td><td>{key.scopes.join(', ')}</td><td><KeyLimits apiKey={key} /></td>
            <td><KeySpend spend={spendOf.get(key.id)} /></td>
            <td>{new Date(key.created_at).toLocaleDateString()}</td>
            <td>{key.expires_at ? (key.expired ? <span className="error">expired {new Date(key.expires_at).toLocaleDateString()}</span> : new Date(key.expires_at).toLocaleDateString()) : <span className="muted">never</span>}</td>
            <td>{key.revoked_at ? <span className="muted">revoked</span> : <button className="link" onClick={() => revoke.mutate(key.id)}>revoke</button>}</td></tr>
        ))}</tbody>
      </table>
      <form className="inline" onSubmit={submit}>
        <input placeholder="Key name" value={name} onChange={(event) => setName(event.target.value)} required />
        {SCOPES.map((scope) => (
          <label key={scope} className="small"><input type="checkbox" checked={scopes.includes(scope)} onChange={(event) => setScopes(event.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))} /> {scope}</label>
        ))}
        <input aria-label="New key's requests per minute" placeholder="requests/min (none)" inputMode="numeric" value={rpm} onChange={(event) => setRpm(event.target.value)} size={12} />
        <input aria-label="New key's tokens per minute" placeholder="tokens/min (none)" inputMode="numeric" value={tpm} onChange={(event) => setTpm(event.target.value)} size={12} />
        <label className="small">expires <input type="date" aria-label="New key's expiry" value={expires} onChange={(event) => setExpires(event.target.value)} /></label>
        <button type="submit">Create key</button>
      </form>
      {secret ? <p>New key (shown once): <code>{secret}</code></p> : null}
      {problem ? <p className="error">{problem}</p> : null}
    </Panel>
  );
}
