// A page of outcomes as GET /api/v1/outcomes lists them: status, value, name, what it is on
// (a call opens in full) and the lesson.
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api, formatCount, formatValue } from '../api';
import { Panel } from './panel';

interface Outcome { id: string; target: string; target_type: 'call' | 'session'; name: string; status: string; value: number | null; lesson: string | null }

/** `query`: the list's query string (filters and limit); `empty`: what to say when none match. */
export function OutcomesPanel({ title, query, empty, onOpenCall }: { title: ReactNode; query: string; empty: string; onOpenCall: (id: string) => void }) {
  const outcomes = useQuery({ queryKey: ['outcomes', query], queryFn: () => api<{ data: Outcome[]; total: number }>(`/api/v1/outcomes?${query}`) });
  const page = outcomes.data;
  return (
    <Panel title={title} loading={outcomes.isLoading} error={outcomes.error}>
      {page?.total === 0 ? <p className="muted">{empty}</p> : null}
      {page && page.total > page.data.length ? <p className="muted small">The latest {page.data.length} of {formatCount(page.total)}.</p> : null}
      {page && page.total > 0 ? (
        <table className="outcomes">
          <thead><tr><th>Status</th><th>Value</th><th>Name</th><th>On</th><th>Lesson</th></tr></thead>
          <tbody>{page.data.map((outcome) => (
            <tr key={outcome.id}>
              <td className={`status ${outcome.status}`}>{outcome.status}</td>
              <td>{outcome.value === null ? '' : formatValue(outcome.value)}</td>
              <td>{outcome.name}</td>
              <td>{outcome.target_type === 'call' ? <button className="link" onClick={() => onOpenCall(outcome.target)}>call</button> : 'session'}</td>
              <td>{outcome.lesson ?? ''}</td>
            </tr>
          ))}</tbody>
        </table>
      ) : null}
    </Panel>
  );
}
