// Settings: the project (who is signed in, base URLs, whether calls keep their content), alerts (rules and their events), its
// API keys (create with scopes and gateway rate limits, change the limits and allowed models, revoke; a new key's secret is shown once), the import of a
// LiteLLM proxy's spend logs (when configured) and the research loop configuration.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, canAdmin, formatCount, sessionInfo } from '../api';
import { AlertsPanel } from '../components/alerts-panel';
import { LiteLlmImportPanel } from '../components/litellm-import-panel';
import { Panel } from '../components/panel';
import { ResearchConfigPanel } from '../components/research-config-panel';

interface Key { id: string; name: string; prefix: string; scopes: string[]; project_id: string; created_at: string; revoked_at: string | null; rate_limit_rpm: number | null; rate_limit_tpm: number | null; allowed_models: string[] | null }

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

interface ProjectSettings { id: string; name: string; created_at: string; capture_content: boolean }

function Project() {
  const info = sessionInfo();
  const client = useQueryClient();
  const project = useQuery({ queryKey: ['project'], queryFn: () => api<ProjectSettings>('/api/v1/project') });
  // The box moves at once (a controlled box that waited for the answer would not); a refused
  // change puts it back to what the server holds.
  const [wanted, setWanted] = useState<boolean | null>(null);
  const capture = useMutation({
    mutationFn: (on: boolean) => api<ProjectSettings>('/api/v1/project', { method: 'PATCH', body: JSON.stringify({ capture_content: on }) }),
    onSuccess: (changed) => client.setQueryData(['project'], changed),
    onSettled: () => setWanted(null),
  });
  const change = (on: boolean) => {
    setWanted(on);
    capture.mutate(on);
  };
  const storing = wanted ?? project.data?.capture_content;
  return (
    <Panel title="Project" error={project.error}>
      <dl className="facts">
        <div><dt>Project</dt><dd><code>{info.project}</code></dd></div>
        <div><dt>Signed in with</dt><dd>{info.name || 'an API key'} ({info.scopes.join(', ')})</dd></div>
        <div><dt>Gateway (OpenAI-compatible)</dt><dd><code>{location.origin}/v1</code></dd></div>
        <div><dt>API and its docs</dt><dd><code>{location.origin}/api/v1</code> · <a href="/docs">/docs</a></dd></div>
        <div>
          <dt>Prompts and responses</dt>
          <dd>
            {storing === undefined ? '…' : canAdmin() ? (
              <label>
                <input type="checkbox" checked={storing} disabled={capture.isPending} onChange={(event) => change(event.target.checked)} /> stored with each call
              </label>
            ) : storing ? 'stored with each call' : 'not stored'}
            <span className="muted small"> {storing === false ? 'Calls keep their tokens, cost, latency and attribution, not their content.' : 'Keys and tokens in them are redacted.'}</span>
          </dd>
        </div>
      </dl>
      {capture.error ? <p className="error">{capture.error.message}</p> : null}
    </Panel>
  );
}

export function Settings() {
  return (
    <>
      <Project />
      <AlertsPanel />
      {canAdmin() ? <Keys /> : <Panel title="API keys"><p className="muted">Sign in with an admin key to manage API keys.</p></Panel>}
      {canAdmin() ? <LiteLlmImportPanel /> : null}
      <ResearchConfigPanel />
    </>
  );
}

function Keys() {
  const client = useQueryClient();
  const keys = useQuery({ queryKey: ['keys'], queryFn: () => api<{ data: Key[] }>('/api/v1/keys') });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['read']);
  const [rpm, setRpm] = useState('');
  const [tpm, setTpm] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => api<{ key: string }>('/api/v1/keys', { method: 'POST', body: JSON.stringify({ name, scopes, rate_limit_rpm: limitValue(rpm), rate_limit_tpm: limitValue(tpm) }) }),
    onSuccess: (created) => { setSecret(created.key); setProblem(null); setName(''); setRpm(''); setTpm(''); void client.invalidateQueries({ queryKey: ['keys'] }); },
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
        <thead><tr><th>Name</th><th>Prefix</th><th>Scopes</th><th>Gateway limits</th><th>Created</th><th /></tr></thead>
        <tbody>{(keys.data?.data ?? []).map((key) => (
          <tr key={key.id}><td>{key.name}</td><td><code>{key.prefix}…</code></td><td>{key.scopes.join(', ')}</td><td><KeyLimits apiKey={key} /></td><td>{new Date(key.created_at).toLocaleDateString()}</td>
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
        <button type="submit">Create key</button>
      </form>
      {secret ? <p>New key (shown once): <code>{secret}</code></p> : null}
      {problem ? <p className="error">{problem}</p> : null}
    </Panel>
  );
}
