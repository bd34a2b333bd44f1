// The logs table: sortable headers, row selection for bulk delete, and virtualization (only
// the rows in view are in the DOM; nearing the end asks for the next cursor page). While
// scrolling, rows already in view are not rendered again: only the ones entering it.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useRef, type RefObject } from 'react';
import { formatMs, formatUsd } from '../api';
import { activates } from '../activate';

export interface LogRow {
  id: string; started_at: string; provider: string; model: string; status: string; latency_ms: number | null; total_tokens: number;
  cost_usd: number | null; price_source: string; user_id: string | null; agent: string | null;
}
export interface LogSort { column: string; order: 'asc' | 'desc' }

export const ROW_HEIGHT = 44;
/** One formatter for every row: building one per call to toLocaleString costs more than a frame's share. */
const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
const COLUMNS: [label: string, sort: string | null][] = [['Time', 'started_at'], ['Model', 'model'], ['Status', 'status'], ['Latency', 'latency_ms'], ['Tokens', 'total_tokens'], ['Cost', 'cost_usd'], ['User / agent', null]];
/** Fixed column widths: with automatic table layout, every row entering the view re-lays out every column. */
const WIDTHS = ['170px', '24%', '80px', '90px', '90px', '90px', 'auto'];

interface Props {
  rows: LogRow[];
  scroller: RefObject<HTMLDivElement | null>;
  sort: LogSort;
  onSort: (sort: LogSort) => void;
  /** Null when the signed-in key cannot delete: no selection column. */
  checked: ReadonlySet<string> | null;
  onCheck: (ids: ReadonlySet<string>) => void;
  onOpen: (id: string) => void;
  onNearEnd: () => void;
}

function Header({ rows, sort, onSort, checked, onCheck }: Pick<Props, 'rows' | 'sort' | 'onSort' | 'checked' | 'onCheck'>) {
  return (
    <thead><tr>
      {checked ? <th className="check"><input type="checkbox" aria-label="Select all loaded" checked={rows.length > 0 && checked.size === rows.length} onChange={(event) => onCheck(event.target.checked ? new Set(rows.map((row) => row.id)) : new Set())} /></th> : null}
      {COLUMNS.map(([label, column]) => (
        <th key={label} style={{ width: WIDTHS[COLUMNS.findIndex(([name]) => name === label)] }} className={column ? 'sortable' : ''} aria-sort={column === sort.column ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined}
          onClick={() => column && onSort({ column, order: sort.column === column && sort.order === 'desc' ? 'asc' : 'desc' })}>
          {label}{column === sort.column ? (sort.order === 'asc' ? ' ▲' : ' ▼') : ''}
        </th>
      ))}
    </tr></thead>
  );
}

interface RowProps { call: LogRow; checked: boolean | null; onOpen: (id: string) => void; onToggle: (id: string) => void }

const Row = memo(function Row({ call, checked, onOpen, onToggle }: RowProps) {
  return (
    <tr {...activates(() => onOpen(call.id))} className={call.status === 'success' ? '' : 'failed'} style={{ height: ROW_HEIGHT }}>
      {checked !== null ? <td className="check" onClick={(event) => event.stopPropagation()}><input type="checkbox" aria-label={`Select ${call.id}`} checked={checked} onChange={() => onToggle(call.id)} /></td> : null}
      <td>{TIME.format(new Date(call.started_at))}</td><td>{call.model}<div className="muted small">{call.provider}</div></td><td className="status">{call.status}</td>
      <td>{formatMs(call.latency_ms)}</td><td>{call.total_tokens.toLocaleString('en')}</td><td>{call.price_source === 'unpriced' ? 'unpriced' : formatUsd(call.cost_usd)}</td>
      <td>{call.user_id ?? ''}<div className="muted small">{call.agent ?? ''}</div></td>
    </tr>
  );
});

export function LogsTable({ rows, scroller, sort, onSort, checked, onCheck, onOpen, onNearEnd }: Props) {
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtual.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (rows.length > 0 && lastIndex >= rows.length - 20) onNearEnd();
  }, [lastIndex, rows.length, onNearEnd]);
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtual.getTotalSize() - (items.at(-1)?.end ?? 0);
  // Stable across renders, so that memoized rows stay as they are.
  const selection = useRef({ checked, onCheck });
  selection.current = { checked, onCheck };
  const toggle = useCallback((id: string) => {
    const next = new Set(selection.current.checked);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    selection.current.onCheck(next);
  }, []);
  return (
    <table className="logs fixed">
      <Header rows={rows} sort={sort} onSort={onSort} checked={checked} onCheck={onCheck} />
      <tbody>
        {padTop > 0 ? <tr style={{ height: padTop }} aria-hidden="true" /> : null}
        {items.map((item) => rows[item.index]!).map((call) => <Row key={call.id} call={call} checked={checked ? checked.has(call.id) : null} onOpen={onOpen} onToggle={toggle} />)}
        {padBottom > 0 ? <tr style={{ height: padBottom }} aria-hidden="true" /> : null}
      </tbody>
    </table>
  );
}
