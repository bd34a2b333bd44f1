// Optimization suggestions (seed 001): what the last week's calls say could be faster, more
// reliable or cheaper per model, each with its figures; admins generate them again and mark one
// implemented.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, canAdmin } from '../api';
import { Panel } from './panel';

interface Suggestion {
  id: string; suggestion_type: string; model_name: string; title: string; description: string; priority: string; potential_improvement: string;
  is_implemented: boolean; implemented_at: string | null;
}

export function SuggestionsPanel() {
  const admin = canAdmin();
  const client = useQueryClient();
  const suggestions = useQuery({ queryKey: ['suggestions'], queryFn: () => api<{ suggestions: Suggestion[] }>('/api/v1/suggestions') });
  const refresh = { onSuccess: () => void client.invalidateQueries({ queryKey: ['suggestions'] }) };
  const generate = useMutation({ mutationFn: () => api('/api/v1/suggestions/generate', { method: 'POST', body: JSON.stringify({ days: 7 }) }), ...refresh });
  const implement = useMutation({ mutationFn: (id: string) => api(`/api/v1/suggestions/${id}/implement`, { method: 'POST' }), ...refresh });
  const list = suggestions.data?.suggestions ?? [];
  const open = list.filter((suggestion) => !suggestion.is_implemented);
  const done = list.filter((suggestion) => suggestion.is_implemented);
  return (
    <Panel title="Optimization suggestions" loading={suggestions.isLoading} error={suggestions.error}
      actions={admin ? <button className="link" onClick={() => generate.mutate()} disabled={generate.isPending}>{generate.isPending ? 'Generating…' : 'Generate from the last 7 days'}</button> : null}>
      {list.length === 0 ? <p className="muted">No suggestions{admin ? ': generate them from the last week of calls.' : ' yet.'}</p> : null}
      {open.length > 0 ? (
        <table className="suggestions">
          <thead><tr><th>Priority</th><th>Model</th><th>Suggestion</th><th>Could gain</th><th /></tr></thead>
          <tbody>{open.map((suggestion) => (
            <tr key={suggestion.id}>
              <td className={`priority ${suggestion.priority}`}>{suggestion.priority}</td>
              <td>{suggestion.model_name}<div className="muted small">{suggestion.suggestion_type}</div></td>
              <td><strong>{suggestion.title}</strong><div className="small">{suggestion.description}</div></td>
              <td className="small">{suggestion.potential_improvement}</td>
              <td>{admin ? <button className="link" onClick={() => implement.mutate(suggestion.id)}>implemented</button> : null}</td>
            </tr>
          ))}</tbody>
        </table>
      ) : null}
      {done.length > 0 ? <p className="muted small">Implemented: {done.map((suggestion) => `${suggestion.title} (${suggestion.model_name})`).join(', ')}.</p> : null}
      {generate.error ? <p className="error">{generate.error.message}</p> : null}
    </Panel>
  );
}
