// A page of outcomes as GET /api/v1/outcomes lists them: status, value, name, what it is on
// (a call opens in full) and the lesson; an open outcome can be closed in place (win, loss or
// neutral, its value and lesson), which is how seed 000's lessons and P&L come about.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { api, canAdmin, formatCount, formatValue } from '../api';
import { Panel } from './panel';

interface Outcome { id: string; target: string; target_type: 'call' | 'session'; name: string; status: string; value: number | null; lesson: string | null; created_at: string }

function CloseForm({ outcome, onDone }: { outcome: Outcome; onDone: () => void }) {
  const client = useQueryClient();
  const [form, setForm] = useState({ status: 'win', value: '', lesson: '' });
  const close = useMutation({
    mutationFn: () => api(`/api/v1/outcomes/${encodeURIComponent(outcome.id)}`, {
      method: 'PATCH',
      body: JSON.stringify({ status: form.status, ...(form.value.trim() ? { value: Number(form.value) } : {}), ...(form.lesson.trim() ? { lesson: form.lesson.trim() } : {}) }),
    }),
    onSuccess: () => {
      // Every figure on the page may count this outcome (win rates, P&L, calibration, lessons):
      // what is shown is asked again, without a list of the page's query keys to keep in step.
      void client.invalidateQueries();
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    close.mutate();
  };
  return (
    <form className="inline close-outcome" onSubmit={submit}>
      <select aria-label="Outcome status" value={form.status} onChange={(event) => setForm({ ...form, status: event.target.value })}>
        <option>win</option><option>loss</option><option>neutral</option>
      </select>
      <input aria-label="Outcome value" placeholder="Value (P&L)" inputMode="decimal" value={form.value} onChange={(event) => setForm({ ...form, value: event.target.value })} />
      <input aria-label="Lesson" placeholder="Lesson" value={form.lesson} onChange={(event) => setForm({ ...form, lesson: event.target.value })} />
      <button type="submit" disabled={close.isPending}>Close outcome</button>
      <button type="button" className="link" onClick={onDone}>cancel</button>
      {close.error ? <p className="error">{close.error.message}</p> : null}
    </form>
  );
}

/** `query`: the list's query string (filters and limit); `empty`: what to say when none match,
 * or null to show nothing at all then. */
export function OutcomesPanel({ title, query, empty, onOpenCall }: { title: ReactNode; query: string; empty: string | null; onOpenCall: ((id: string) => void) | null }) {
  const admin = canAdmin();
  const outcomes = useQuery({ queryKey: ['outcomes', query], queryFn: () => api<{ data: Outcome[]; total: number }>(`/api/v1/outcomes?${query}`) });
  const [closing, setClosing] = useState<string | null>(null);
  const page = outcomes.data;
  if (empty === null && (outcomes.isLoading || page?.total === 0)) return null;
  return (
    <Panel title={title} loading={outcomes.isLoading} error={outcomes.error}>
      {page?.total === 0 ? <p className="muted">{empty}</p> : null}
      {page && page.total > page.data.length ? <p className="muted small">The latest {page.data.length} of {formatCount(page.total)}.</p> : null}
      {page && page.total > 0 ? (
        <table className="outcomes">
          <thead><tr><th>Status</th><th>Value</th><th>Name</th><th>On</th><th>Lesson</th><th>Recorded</th></tr></thead>
          <tbody>{page.data.flatMap((outcome) => [
            <tr key={outcome.id}>
              <td className={`status ${outcome.status}`}>{outcome.status}{admin && outcome.status === 'open' && closing !== outcome.id ? <button className="link" onClick={() => setClosing(outcome.id)}>close</button> : null}</td>
              <td>{outcome.value === null ? '' : formatValue(outcome.value)}</td>
              <td>{outcome.name}</td>
              <td>{outcome.target_type === 'session' ? 'session' : onOpenCall ? <button className="link" onClick={() => onOpenCall(outcome.target)}>call</button> : 'this call'}</td>
              <td>{outcome.lesson ?? ''}</td>
              <td className="small">{new Date(outcome.created_at).toLocaleString()}</td>
            </tr>,
            ...(closing === outcome.id ? [<tr key={`${outcome.id}-close`} className="closing"><td colSpan={6}><CloseForm outcome={outcome} onDone={() => setClosing(null)} /></td></tr>] : []),
          ])}</tbody>
        </table>
      ) : null}
    </Panel>
  );
}
