// Logs: filter, search, cursor pages, new calls arriving live, and a detail drawer that
// shows the conversation as plain text (never as HTML).
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import { api, currentRange, formatMs, formatUsd, RANGES } from '../api';
import { Panel } from '../components/panel';

interface Call {
  id: string; started_at: string; provider: string; model: string; status: string; latency_ms: number | null; total_tokens: number;
  cost_usd: number | null; price_source: string; user_id: string | null; session_id: string | null; agent: string | null; error_message: string | null;
}
interface Page { data: Call[]; next_cursor: string | null }

const ROW_HEIGHT = 44;

function useLive(onCall: () => void): boolean {
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    // The session cookie authenticates the socket (same origin).
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/live`);
    socket.onmessage = (message) => {
      const event = JSON.parse(String(message.data)) as { type: string };
      if (event.type === 'connected') setConnected(true);
      if (event.type === 'log_created' || event.type === 'log_deleted') onCall();
    };
    socket.onclose = () => setConnected(false);
    return () => socket.close();
  }, [onCall]);
  return connected;
}

export function Logs() {
  const hours = RANGES[currentRange()];
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState('');
  const [model, setModel] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const client = useQueryClient();
  const filters = new URLSearchParams({ hours: String(hours), limit: '100', ...(search ? { search } : {}), ...(status ? { status } : {}), ...(model ? { model } : {}) });
  const pages = useInfiniteQuery({
    queryKey: ['logs', filters.toString()],
    queryFn: ({ pageParam }) => api<Page>(`/api/v1/logs?${filters}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const live = useLive(useRefetch(client));
  const rows = pages.data?.pages.flatMap((page) => page.data) ?? [];
  // Only the rows in view are in the DOM; scrolling near the end loads the next cursor page.
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtual.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (lastIndex >= rows.length - 20 && pages.hasNextPage && !pages.isFetchingNextPage) void pages.fetchNextPage();
  }, [lastIndex, rows.length, pages]);
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtual.getTotalSize() - (items.at(-1)?.end ?? 0);
  return (
    <>
      <Panel title={`Logs ${live ? '· live' : ''}`} loading={pages.isLoading} error={pages.error}>
        <div className="filters">
          <input placeholder="Search prompts and responses" value={search} onChange={(event) => setSearch(event.target.value)} />
          <input placeholder="Model" value={model} onChange={(event) => setModel(event.target.value)} />
          <select value={status} onChange={(event) => setStatus(event.target.value)} aria-label="Status">
            <option value="">All statuses</option><option value="success">success</option><option value="error">error</option><option value="timeout">timeout</option><option value="cancelled">cancelled</option>
          </select>
        </div>
        <div className="scroller" ref={scroller}>
        <table className="logs">
          <thead><tr><th>Time</th><th>Model</th><th>Status</th><th>Latency</th><th>Tokens</th><th>Cost</th><th>User</th></tr></thead>
          <tbody>
            {padTop > 0 ? <tr style={{ height: padTop }} aria-hidden="true" /> : null}
            {items.map((item) => rows[item.index]!).map((call) => (
              <tr key={call.id} onClick={() => setSelected(call.id)} className={call.status === 'success' ? '' : 'failed'} style={{ height: ROW_HEIGHT }}>
                <td>{new Date(call.started_at).toLocaleString()}</td><td>{call.model}<div className="muted small">{call.provider}</div></td><td>{call.status}</td>
                <td>{formatMs(call.latency_ms)}</td><td>{call.total_tokens}</td><td>{call.price_source === 'unpriced' ? 'unpriced' : formatUsd(call.cost_usd)}</td><td>{call.user_id ?? ''}</td>
              </tr>
            ))}
            {padBottom > 0 ? <tr style={{ height: padBottom }} aria-hidden="true" /> : null}
          </tbody>
        </table>
        </div>
        <p className="muted small">{rows.length.toLocaleString('en')} calls loaded{pages.hasNextPage ? ', more load as you scroll' : ''}</p>
      </Panel>
      {selected ? <Detail id={selected} onClose={() => setSelected(null)} /> : null}
    </>
  );
}

function useRefetch(client: ReturnType<typeof useQueryClient>) {
  const [refetch] = useState(() => () => void client.invalidateQueries({ queryKey: ['logs'] }));
  return refetch;
}

interface Message { role?: string; content?: unknown }

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  return JSON.stringify(content, null, 2);
}

function Detail({ id, onClose }: { id: string; onClose: () => void }) {
  const call = useQuery({ queryKey: ['log', id], queryFn: () => api<Call & { input: unknown; output: unknown; ttft_ms: number | null; prompt_tokens: number; completion_tokens: number }>(`/api/v1/logs/${encodeURIComponent(id)}`) });
  const client = useQueryClient();
  const input = Array.isArray(call.data?.input) ? (call.data.input as Message[]) : call.data?.input ? [{ role: 'user', content: call.data.input }] : [];
  const output = call.data?.output ? [call.data.output as Message] : [];
  const remove = async () => {
    await api(`/api/v1/logs/${encodeURIComponent(id)}`, { method: 'DELETE' });
    await client.invalidateQueries({ queryKey: ['logs'] });
    onClose();
  };
  return (
    <aside className="drawer">
      <button className="close" onClick={onClose}>Close</button>
      <Panel title="Call" loading={call.isLoading} error={call.error}>
        {call.data ? (
          <>
            <p className="muted">{call.data.provider} / {call.data.model} · {call.data.status} · {formatMs(call.data.latency_ms)} · TTFT {formatMs(call.data.ttft_ms)} · {call.data.prompt_tokens} in / {call.data.completion_tokens} out · {call.data.price_source === 'unpriced' ? 'unpriced' : formatUsd(call.data.cost_usd)}</p>
            {call.data.error_message ? <p className="error">{call.data.error_message}</p> : null}
            {[...input, ...output.map((message) => ({ ...message, role: message.role ?? 'assistant' }))].map((message, index) => (
              // Rendered as text: prompts and responses are never interpreted as HTML.
              <div key={index} className={`bubble ${message.role === 'assistant' ? 'assistant' : 'user'}`}><div className="role">{message.role ?? 'user'}</div><pre>{text(message.content)}</pre></div>
            ))}
            <button className="danger" onClick={() => void remove()}>Delete this call</button>
          </>
        ) : null}
      </Panel>
    </aside>
  );
}
