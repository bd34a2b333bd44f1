// Settings: the project (who is signed in, base URLs, whether calls keep their content), alerts
// (rules and their events), its API keys, the import of a LiteLLM proxy's spend logs (when
// configured) and the research loop configuration.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, canAdmin, sessionInfo } from '../api';
import { AlertsPanel } from '../components/alerts-panel';
import { KeysPanel } from '../components/keys-panel';
import { LiteLlmImportPanel } from '../components/litellm-import-panel';
import { Panel } from '../components/panel';
import { ResearchConfigPanel } from '../components/research-config-panel';

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
      {canAdmin() ? <KeysPanel /> : <Panel title="API keys"><p className="muted">Sign in with an admin key to manage API keys.</p></Panel>}
      {canAdmin() ? <LiteLlmImportPanel /> : null}
      <ResearchConfigPanel />
    </>
  );
}
