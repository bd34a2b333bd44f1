// Sessions (seed 002): agents and users with their figures (a row narrows the list to it); the
// list, searched by agent, user, model and cost and paged on; one session with its summary, its
// calls on a timeline (each opens the call in full), the outcomes recorded on it or its calls
// (seed 000), and its conversation (as text).
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, formatCount, formatMs, formatPercent, formatUsd } from '../api';
import { CallDrawer } from '../components/call-detail';
import { OutcomesPanel } from '../components/outcomes-panel';
import { Panel, Problem } from '../components/panel';
import { useDebounced } from '../debounced';
import { FilterBar, NO_FILTERS, listParams, SortPicker } from '../components/group-filters';
import { currentRange } from '../range';
import { activates } from '../activate';

interface Session { session_id: string; user_id: string | null; agent_name: string | null; conversation_name: string | null; total_messages: number; total_calls?: number; session_start: string; session_end: string; total_duration_seconds: number; total_tokens: number; total_cost: number | null; avg_response_time: number | null; function_calls_count: number; cache_hit_rate: number; models_used: string[] }
interface Message { index: number; role: string; content: unknown; started_at: string; model: string; agent: string | null; call_id: string }

type SessionPage = { data: Session[]; next_cursor: string | null };
interface Person { agent?: string | null; user?: string | null; requests: number; sessions: number; success_rate: number | null; total_tokens: number; cost: number | null; p95_latency: number | null }

/** Seed 002's agent and user analytics; a row narrows the session list to that agent or user. */
function People({ kind, onPick }: { kind: 'agent' | 'user'; onPick: (name: string) => void }) {
  const q = currentRange().query;
  const plural = `${kind}s` as const;
  const people = useQuery({ queryKey: [plural, q], queryFn: () => api<Record<string, Person[]>>(`/api/v1/analytics/${plural}?${q}`) });
  const rows = (people.data?.[plural] ?? []).slice(0, 10);
  return (
    <Panel title={kind === 'agent' ? 'Agents' : 'Users'} loading={people.isLoading} error={people.error}>
      {rows.length === 0 ? <p className="muted">No {plural} in this period.</p> : (
        <table className={`pick ${plural}`}>
          <thead><tr><th>{kind === 'agent' ? 'Agent' : 'User'}</th><th>Calls</th><th>Sessions</th><th>Success</th><th>Cost</th><th>p95</th></tr></thead>
          <tbody>{rows.map((row) => {
            const name = row[kind] ?? null;
            return (
              <tr key={name ?? ''} {...(name === null ? {} : activates(() => onPick(name)))} title={name === null ? undefined : `Sessions of ${name}`}>
                <td>{name ?? '(none)'}</td><td>{formatCount(row.requests)}</td><td>{formatCount(row.sessions)}</td><td>{formatPercent(row.success_rate)}</td><td>{formatUsd(row.cost)}</td><td>{formatMs(row.p95_latency)}</td>
              </tr>
            );
          })}</tbody>
        </table>
      )}
    </Panel>
  );
}

export function Sessions() {
  const [sort, setSort] = useState('start');
  const [typed, setTyped] = useState(NO_FILTERS);
  const filters = useDebounced(typed, 300);
  const [open, setOpen] = useState<string | null>(null);
  const params = listParams(filters, sort);
  const list = useInfiniteQuery({
    queryKey: ['sessions', params.toString()],
    queryFn: ({ pageParam }) => api<SessionPage>(`/api/v1/sessions?${params}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const sessions = list.data?.pages.flatMap((page) => page.data) ?? [];
  const sorter = <SortPicker label="Sort sessions" sort={sort} onChange={setSort} />;
  return (
    <>
      <div className="grid2">
        <People kind="agent" onPick={(agent) => setTyped({ ...typed, agent })} />
        <People kind="user" onPick={(user) => setTyped({ ...typed, user_id: user })} />
      </div>
      <Panel title="Sessions" actions={sorter}>
        <FilterBar filters={typed} onChange={setTyped} />
        {list.error ? <Problem error={list.error} /> : null}
        {list.isLoading ? <p className="muted">Loading…</p> : null}
        {!list.isLoading && !list.error && sessions.length === 0 ? <p className="muted">No sessions match in this period.</p> : null}
        {sessions.length > 0 ? (
          <table className="logs">
            <thead><tr><th>Started</th><th>Session</th><th>Agent</th><th>Calls</th><th>Duration</th><th>Tokens</th><th>Cost</th></tr></thead>
            <tbody>{sessions.map((session) => (
              <tr key={session.session_id} {...activates(() => setOpen(session.session_id))}>
                <td>{new Date(session.session_start).toLocaleString()}</td><td>{session.conversation_name ?? session.session_id}<div className="muted small">{session.user_id ?? ''}</div></td>
                <td>{session.agent_name ?? ''}</td><td>{session.total_calls ?? session.total_messages}</td><td>{formatMs(session.total_duration_seconds * 1000)}</td><td>{formatCount(session.total_tokens)}</td><td>{formatUsd(session.total_cost)}</td>
              </tr>
            ))}</tbody>
          </table>
        ) : null}
        {list.hasNextPage ? <button className="more" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>{list.isFetchingNextPage ? 'Loading…' : 'Show more sessions'}</button> : null}
      </Panel>
      {open ? <SessionView id={open} onClose={() => setOpen(null)} /> : null}
    </>
  );
}

function SessionView({ id, onClose }: { id: string; onClose: () => void }) {
  const summary = useQuery({ queryKey: ['session', id], queryFn: () => api<Session>(`/api/v1/sessions/${encodeURIComponent(id)}/summary`) });
  const messages = useQuery({ queryKey: ['session-messages', id], queryFn: () => api<{ messages?: Message[]; data?: Message[] }>(`/api/v1/sessions/${encodeURIComponent(id)}/messages?limit=500`) });
  const s = summary.data;
  const start = s ? Date.parse(s.session_start) : 0;
  const span = s ? Math.max(1, Date.parse(s.session_end) - start) : 1;
  // The route answers `messages` (seed 002); older servers answered `data`.
  const conversation = messages.data?.messages ?? messages.data?.data ?? [];
  const calls = [...new Map(conversation.map((message) => [message.call_id, message])).values()];
  const [call, setCall] = useState<string | null>(null);
  return (
    <aside className="drawer">
      <button className="close" onClick={onClose}>Close</button>
      <Panel title="Session" loading={summary.isLoading} error={summary.error}>
        {s ? <p className="muted">{s.total_calls ?? s.total_messages} calls · {formatMs(s.total_duration_seconds * 1000)} · {formatCount(s.total_tokens)} tokens · {formatUsd(s.total_cost)} · avg response {formatMs((s.avg_response_time ?? 0) * 1000)} · {s.function_calls_count} tool calls · cache hits {(s.cache_hit_rate * 100).toFixed(0)}% · {s.models_used.join(', ')}</p> : null}
        <div className="timeline">{calls.map((call) => <button key={call.call_id} className="tick" aria-label={`Call ${call.call_id}`} onClick={() => setCall(call.call_id)} style={{ left: `${((Date.parse(call.started_at) - start) / span) * 100}%` }} title={`${new Date(call.started_at).toLocaleTimeString()} · ${call.agent ?? ''} ${call.model} (open the call)`} />)}</div>
      </Panel>
      <OutcomesPanel title="Outcomes" query={`session_id=${encodeURIComponent(id)}&limit=100`} empty="No outcome recorded on this session or its calls." onOpenCall={setCall} />
      <Panel title="Conversation" loading={messages.isLoading} error={messages.error}>
        {conversation.map((message) => (
          <div key={message.index} className={`bubble ${message.role === 'assistant' ? 'assistant' : 'user'}`}>
            <div className="role">{message.role}{message.agent ? ` · ${message.agent}` : ''} · {message.model}</div>
            <pre>{typeof message.content === 'string' ? message.content : JSON.stringify(message.content, null, 2)}</pre>
          </div>
        ))}
      </Panel>
      {call ? <CallDrawer id={call} canDelete={false} onClose={() => setCall(null)} /> : null}
    </aside>
  );
}
