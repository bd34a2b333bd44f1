// Traces: calls grouped by trace_id (the x-loupe-trace-id header, the SDK, OpenTelemetry spans),
// listed with their figures, searched by agent, user, model and cost and paged on; one trace
// as a waterfall of its calls, each of which opens in full.
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, formatCount, formatMs, formatUsd } from '../api';
import { activates } from '../activate';
import { CallDrawer } from '../components/call-detail';
import { FilterBar, listParams, NO_FILTERS, SortPicker } from '../components/group-filters';
import { Panel, Problem } from '../components/panel';
import { TraceWaterfall } from '../components/trace-waterfall';
import { useDebounced } from '../debounced';

interface Trace {
  trace_id: string; session_id: string | null; user_id: string | null; agent: string | null; started_at: string; duration_ms: number;
  calls: number; errors: number; total_tokens: number; total_cost: number | null; unpriced_calls: number; models: string[];
}
type TracePage = { data: Trace[]; next_cursor: string | null };

export function Traces() {
  const [sort, setSort] = useState('start');
  const [typed, setTyped] = useState(NO_FILTERS);
  const filters = useDebounced(typed, 300);
  const [open, setOpen] = useState<string | null>(null);
  const [call, setCall] = useState<string | null>(null);
  // A trace id from an application's own logs opens straight away, whatever the period.
  const [wanted, setWanted] = useState('');
  const params = listParams(filters, sort);
  const list = useInfiniteQuery({
    queryKey: ['traces', params.toString()],
    queryFn: ({ pageParam }) => api<TracePage>(`/api/v1/traces?${params}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const traces = list.data?.pages.flatMap((page) => page.data) ?? [];
  return (
    <>
      <Panel title="Traces" actions={<SortPicker label="Sort traces" sort={sort} onChange={setSort} />}>
        <FilterBar filters={typed} onChange={setTyped} />
        <form className="inline" onSubmit={(event) => { event.preventDefault(); if (wanted.trim()) setOpen(wanted.trim()); }}>
          <input aria-label="Trace id" placeholder="Open a trace by its id" value={wanted} onChange={(event) => setWanted(event.target.value)} size={40} />
          <button type="submit">Open</button>
        </form>
        {list.error ? <Problem error={list.error} /> : null}
        {list.isLoading ? <p className="muted">Loading…</p> : null}
        {!list.isLoading && !list.error && traces.length === 0 ? (
          <p className="muted">No traces in this period. Calls join a trace through the <code>x-loupe-trace-id</code> header (and <code>x-loupe-parent-id</code>), the SDK&apos;s <code>trace_id</code>, or OpenTelemetry spans sent to <code>/v1/traces</code>.</p>
        ) : null}
        {traces.length > 0 ? (
          <table className="logs">
            <thead><tr><th>Started</th><th>Trace</th><th>Agent</th><th>Calls</th><th>Duration</th><th>Tokens</th><th>Cost</th></tr></thead>
            <tbody>{traces.map((trace) => (
              <tr key={trace.trace_id} {...activates(() => setOpen(trace.trace_id))}>
                <td>{new Date(trace.started_at).toLocaleString()}</td>
                <td>{trace.trace_id}<div className="muted small">{[trace.user_id, trace.session_id].filter(Boolean).join(' · ')}</div></td>
                <td>{trace.agent ?? ''}</td>
                <td>{trace.calls}{trace.errors > 0 ? <span className="error"> ({trace.errors} failed)</span> : null}</td>
                <td>{formatMs(trace.duration_ms)}</td><td>{formatCount(trace.total_tokens)}</td>
                <td>{trace.total_cost === null ? 'unpriced' : formatUsd(trace.total_cost)}</td>
              </tr>
            ))}</tbody>
          </table>
        ) : null}
        {list.hasNextPage ? <button className="more" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>{list.isFetchingNextPage ? 'Loading…' : 'Show more traces'}</button> : null}
      </Panel>
      {open ? (
        <aside className="drawer" role="dialog" aria-label="Trace">
          <button className="close" onClick={() => setOpen(null)}>Close</button>
          <TraceWaterfall traceId={open} current={null} onOpenCall={setCall} />
        </aside>
      ) : null}
      {call ? <CallDrawer id={call} canDelete={false} onClose={() => setCall(null)} /> : null}
    </>
  );
}
