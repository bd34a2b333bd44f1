// Seed 000's research loop configuration as the JSON document the API validates: shown as
// stored (or its defaults), edited as text, and saved whole; a refused field is named.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, canAdmin } from '../api';
import { Panel } from './panel';

interface ResearchConfig { config: Record<string, unknown>; updated_at: string | null; is_default: boolean }

export function ResearchConfigPanel() {
  const admin = canAdmin();
  const client = useQueryClient();
  const stored = useQuery({ queryKey: ['research-config'], queryFn: () => api<ResearchConfig>('/api/v1/research-config') });
  const [text, setText] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const shown = text ?? (stored.data ? JSON.stringify(stored.data.config, null, 2) : '');
  const save = useMutation({
    mutationFn: (document: unknown) => api<ResearchConfig>('/api/v1/research-config', { method: 'PUT', body: JSON.stringify(document) }),
    onSuccess: (saved) => {
      client.setQueryData(['research-config'], saved);
      setText(null);
      setProblem(null);
    },
    onError: (error) => setProblem(error instanceof Error ? error.message : 'could not save'),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    try {
      save.mutate(JSON.parse(shown) as unknown);
    } catch (error) {
      setProblem(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const status = stored.data ? (stored.data.is_default ? 'defaults (not saved yet)' : `saved ${new Date(stored.data.updated_at ?? '').toLocaleString()}`) : '';
  return (
    <Panel title="Research configuration" loading={stored.isLoading} error={stored.error}>
      <p className="muted small">The outcome analytics' research loop (seed 000): {status}.</p>
      <form className="research-config" onSubmit={submit}>
        <textarea aria-label="Research configuration (JSON)" rows={14} value={shown} readOnly={!admin} onChange={(event) => setText(event.target.value)} spellCheck={false} />
        {admin ? <button type="submit" disabled={save.isPending}>Save configuration</button> : null}
      </form>
      {problem ? <p className="error">{problem}</p> : null}
    </Panel>
  );
}
