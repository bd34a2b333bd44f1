// Logs: filters and search (kept in the URL, so a filtered view is a link), sortable columns,
// cursor pages in a virtualized table, new calls arriving live, bulk delete, CSV and JSON export
// of what the filters match, and a drawer with one call in full (conversation as text).
import { useInfiniteQuery, useQueryClient, type InfiniteData, type QueryKey } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { api, canAdmin } from '../api';
import { CallDrawer } from '../components/call-detail';
import { FirstCall } from '../components/first-call';
import { useDebounced } from '../debounced';
import { LogsTable, ROW_HEIGHT, type LogRow, type LogSort } from '../components/logs-table';
import { Panel, Problem } from '../components/panel';
import { useLiveEvents } from '../live';
import { currentRange } from '../range';

type Pages = InfiniteData<{ data: LogRow[]; next_cursor: string | null }, string>;
/** Live events are coalesced: a burst of calls costs one refetch. */
const LIVE_COALESCE_MS = 250;

/**
 * New calls appear at once when the newest rows are in view; otherwise a button offers them.
 * Deleted calls disappear from every loaded page.
 */
function useLiveRows(key: QueryKey, scroller: RefObject<HTMLDivElement | null>, newestFirst: boolean) {
  const client = useQueryClient();
  const [waiting, setWaiting] = useState(0);
  const state = useRef({ key, newestFirst, pending: 0, timer: null as ReturnType<typeof setTimeout> | null });
  state.current = { ...state.current, key, newestFirst };
  // Back to the newest page only: cheaper than refetching every page loaded while scrolling.
  const showNewest = useCallback(() => {
    setWaiting(0);
    const current = state.current.key;
    client.setQueryData<Pages>(current, (data) => (data ? { pages: data.pages.slice(0, 1), pageParams: data.pageParams.slice(0, 1) } : data));
    void client.invalidateQueries({ queryKey: current });
  }, [client]);
  useEffect(() => () => { if (state.current.timer) clearTimeout(state.current.timer); }, []);
  const connected = useLiveEvents((event) => {
    const live = state.current;
    if (event.type === 'log_created') {
      live.pending++;
      live.timer ??= setTimeout(() => {
        live.timer = null;
        const count = live.pending;
        live.pending = 0;
        if (live.newestFirst && (scroller.current?.scrollTop ?? 0) < ROW_HEIGHT * 3) showNewest();
        else setWaiting((n) => n + count);
      }, LIVE_COALESCE_MS);
    } else if (event.type === 'log_deleted' && Array.isArray(event.data.ids)) {
      const gone = new Set(event.data.ids);
      client.setQueriesData<Pages>({ queryKey: ['logs'] }, (data) => (data ? { ...data, pages: data.pages.map((page) => ({ ...page, data: page.data.filter((call) => !gone.has(call.id)) })) } : data));
    }
  });
  return { connected, waiting, showNewest };
}

interface Filters { search: string; model: string; provider: string; status: string; user_id: string; agent: string; session_id: string; tag: string; api_key_id: string }
const NO_FILTERS: Filters = { search: '', model: '', provider: '', status: '', user_id: '', agent: '', session_id: '', tag: '', api_key_id: '' };

/** The filters a link carries (`/logs?range=7d&model=gpt-4o`), so a filtered view can be shared. */
function filtersFromUrl(): Filters {
  const params = new URLSearchParams(location.search);
  return Object.fromEntries(Object.keys(NO_FILTERS).map((name) => [name, params.get(name) ?? ''])) as unknown as Filters;
}

/** Keeps the URL's filter parameters equal to the filters in use, beside the range. */
function useFiltersInUrl(filters: Filters): void {
  const search = location.search;
  useEffect(() => {
    const params = new URLSearchParams(location.search);
    for (const [name, value] of Object.entries(filters)) {
      if (value.trim()) params.set(name, value.trim());
      else params.delete(name);
    }
    const query = params.toString();
    const next = query ? `?${query}` : '';
    if (next !== location.search) history.replaceState(null, '', `${location.pathname}${next}`);
  }, [filters, search]);
}

function FilterBar({ filters, onChange }: { filters: Filters; onChange: (filters: Filters) => void }) {
  const field = (name: keyof Filters, placeholder: string) => <input placeholder={placeholder} aria-label={placeholder} value={filters[name]} onChange={(event) => onChange({ ...filters, [name]: event.target.value })} />;
  return (
    <div className="filters">
      {field('search', 'Search prompts and responses')}{field('model', 'Model')}{field('provider', 'Provider')}{field('user_id', 'User')}{field('agent', 'Agent')}{field('session_id', 'Session')}{field('tag', 'Tag')}
      <select value={filters.status} onChange={(event) => onChange({ ...filters, status: event.target.value })} aria-label="Status">
        <option value="">All statuses</option><option value="success">success</option><option value="error">error</option><option value="timeout">timeout</option><option value="cancelled">cancelled</option>
      </select>
      {/* Reached from the costs by API key: the key's id is no field to type, so it shows as a filter to clear. */}
      {filters.api_key_id ? <span className="small">API key {filters.api_key_id.slice(0, 8)}… <button type="button" className="link" aria-label="Show the calls of every key" onClick={() => onChange({ ...filters, api_key_id: '' })}>×</button></span> : null}
    </div>
  );
}

function useLogPages(filters: Filters, sort: LogSort) {
  const params = new URLSearchParams(currentRange().query);
  for (const [name, value] of Object.entries(filters)) if (value.trim()) params.set(name, value.trim());
  params.set('sort', sort.column);
  params.set('order', sort.order);
  params.set('limit', '100');
  const key = ['logs', params.toString()];
  const pages = useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam }) => api<Pages['pages'][number]>(`/api/v1/logs?${params}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  return { key, pages, rows: pages.data?.pages.flatMap((page) => page.data) ?? [] };
}

export function Logs() {
  const admin = canAdmin();
  const [typed, setTyped] = useState(filtersFromUrl);
  const [sort, setSort] = useState<LogSort>({ column: 'started_at', order: 'desc' });
  const [open, setOpen] = useState<string | null>(null);
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [problem, setProblem] = useState<string | null>(null);
  const client = useQueryClient();
  const filters = useDebounced(typed, 300);
  useFiltersInUrl(filters);
  const { key, pages, rows } = useLogPages(filters, sort);
  const scroller = useRef<HTMLDivElement>(null);
  const live = useLiveRows(key, scroller, sort.column === 'started_at' && sort.order === 'desc');
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;
  const nearEnd = useCallback(() => { if (hasNextPage && !isFetchingNextPage) void fetchNextPage(); }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  const deleteChecked = async () => {
    const ids = [...checked];
    try {
      for (let start = 0; start < ids.length; start += 1000) await api('/api/v1/logs/bulk-delete', { method: 'POST', body: JSON.stringify({ ids: ids.slice(start, start + 1000) }) });
      setChecked(new Set());
      setProblem(null);
      await client.invalidateQueries({ queryKey: ['logs'] });
    } catch (error) {
      setProblem(error instanceof Error ? error.message : 'could not delete');
    }
  };
  const filtered = Object.values(typed).some((value) => value.trim());
  if (!pages.isLoading && !pages.error && rows.length === 0 && !filtered) return <FirstCall title={`No calls in this period${live.connected ? ' (live: new calls appear here)' : ''}`} />;
  // The export streams every call matching the page's range and filters (the session cookie
  // authenticates the download).
  const exported = new URLSearchParams(currentRange().query);
  for (const [name, value] of Object.entries(filters)) if (value.trim()) exported.set(name, value.trim());
  const actions = (
    <div className="panel-actions">
      <a className="button" href={`/api/v1/export/csv?${exported}`} download>Export CSV</a>
      <a className="button" href={`/api/v1/export/json?${exported}`} download>Export JSON</a>
      {live.waiting > 0 ? <button onClick={() => { scroller.current?.scrollTo(0, 0); live.showNewest(); }}>{live.waiting} new {live.waiting === 1 ? 'call' : 'calls'}: show</button> : null}
      {admin && checked.size > 0 ? <button className="danger" onClick={() => void deleteChecked()}>Delete {checked.size} selected</button> : null}
    </div>
  );
  return (
    <>
      <Panel title={`Logs${live.connected ? ' · live' : ''}`} actions={actions}>
        <FilterBar filters={typed} onChange={setTyped} />
        {problem ? <p className="error">{problem}</p> : null}
        {pages.error ? <Problem error={pages.error} /> : null}
        <div className="scroller" ref={scroller}>
          <LogsTable rows={rows} scroller={scroller} sort={sort} onSort={setSort} checked={admin ? checked : null} onCheck={setChecked} onOpen={setOpen} onNearEnd={nearEnd} />
          {pages.isLoading ? <p className="muted">Loading…</p> : rows.length === 0 ? <p className="muted">No calls match these filters.</p> : null}
        </div>
        <p className="muted small">{rows.length.toLocaleString('en')} calls loaded{pages.hasNextPage ? ', more load as you scroll' : ''}</p>
      </Panel>
      {open ? <CallDrawer id={open} canDelete={admin} onClose={() => setOpen(null)} /> : null}
    </>
  );
}
