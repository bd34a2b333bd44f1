// The logs table: sortable headers, row selection for bulk delete, and virtualization (only
// the rows in view are in the DOM; nearing the end asks for the next cursor page).
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, type RefObject } from 'react';
import { formatMs, formatUsd } from '../api';

export interface LogRow {
  id: string; started_at: string; provider: string; model: string; status: string; latency_ms: number | null; total_tokens: number;
  cost_usd: number | null; price_source: string; user_id: string | null; agent: string | null;
}
export interface LogSort { column: string; order: 'asc' | 'desc' }

export const ROW_HEIGHT = 44;
const COLUMNS: [label: string, sort: string | null][] = [['Time', 'started_at'], ['Model', 'model'], ['Status', 'status'], ['Latency', 'latency_ms'], ['Tokens', 'total_tokens'], ['Cost', 'cost_usd'], ['User / agent', null]];

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
        <th key={label} className={column ? 'sortable' : ''} aria-sort={column === sort.column ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined}
          onClick={() => column && onSort({ column, order: sort.column === column && sort.order === 'desc' ? 'asc' : 'desc' })}>
          {label}{column === sort.column ? (sort.order === 'asc' ? ' ▲' : ' ▼') : ''}
        </th>
      ))}
    </tr></thead>
  );
}

export function LogsTable({ rows, scroller, sort, onSort, checked, onCheck, onOpen, onNearEnd }: Props) {
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtual.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (rows.length > 0 && lastIndex >= rows.length - 20) onNearEnd();
  }, [lastIndex, rows.length, onNearEnd]);
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtual.getTotalSize() - (items.at(-1)?.end ?? 0);
  const toggle = (id: string) => {
    const next = new Set(checked);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onCheck(next);
  };
  return (
    <table className="logs">
      <Header rows={rows} sort={sort} onSort={onSort} checked={checked} onCheck={onCheck} />
      <tbody>
        {padTop > 0 ? <tr style={{ height: padTop }} aria-hidden="true" /> : null}
        {items.map((item) => rows[item.index]!).map((call) => (
          <tr key={call.id} onClick={() => onOpen(call.id)} className={call.status === 'success' ? '' : 'failed'} style={{ height: ROW_HEIGHT }}>
            {checked ? <td className="check" onClick={(event) => event.stopPropagation()}><input type="checkbox" aria-label={`Select ${call.id}`} checked={checked.has(call.id)} onChange={() => toggle(call.id)} /></td> : null}
            <td>{new Date(call.started_at).toLocaleString()}</td><td>{call.model}<div className="muted small">{call.provider}</div></td><td className="status">{call.status}</td>
            <td>{formatMs(call.latency_ms)}</td><td>{call.total_tokens.toLocaleString('en')}</td><td>{call.price_source === 'unpriced' ? 'unpriced' : formatUsd(call.cost_usd)}</td>
            <td>{call.user_id ?? ''}<div className="muted small">{call.agent ?? ''}</div></td>
          </tr>
        ))}
        {padBottom > 0 ? <tr style={{ height: padBottom }} aria-hidden="true" /> : null}
      </tbody>
    </table>
  );
}
