// One trace as a waterfall: its calls in tree order, indented under their parent, each bar
// placed at its offset from the trace's start and as long as the call took; a row opens the
// call. Figures of the whole trace above it.
import { useQuery } from '@tanstack/react-query';
import { api, formatCount, formatMs, formatUsd } from '../api';
import { activates } from '../activate';
import { Panel } from './panel';

interface Span {
  id: string; depth: number; offset_ms: number; duration_ms: number; provider: string; model: string; agent: string | null;
  status: string; total_tokens: number; cost_usd: number | null; price_source: string; cache_hit: boolean;
}
export interface TraceDetail {
  trace_id: string; calls: number; errors: number; duration_ms: number; total_tokens: number; total_cost: number | null; unpriced_calls: number;
  started_at: string; models: string[]; truncated: boolean; spans: Span[];
}

const MAX_INDENT = 8;

export function TraceWaterfall({ traceId, current, onOpenCall }: { traceId: string; current: string | null; onOpenCall: (id: string) => void }) {
  const trace = useQuery({ queryKey: ['trace', traceId], queryFn: () => api<TraceDetail>(`/api/v1/traces/${encodeURIComponent(traceId)}`) });
  const t = trace.data;
  const span = t ? Math.max(1, t.duration_ms) : 1;
  return (
    <Panel title={`Trace ${traceId}`} loading={trace.isLoading} error={trace.error}>
      {t ? (
        <>
          <p className="muted">
            {t.calls} calls · {formatMs(t.duration_ms)} · {formatCount(t.total_tokens)} tokens · {t.total_cost === null ? 'unpriced' : formatUsd(t.total_cost)}
            {t.unpriced_calls > 0 ? ` (${t.unpriced_calls} unpriced)` : ''}{t.errors > 0 ? ` · ${t.errors} failed` : ''} · {new Date(t.started_at).toLocaleString()}
          </p>
          <table className="logs waterfall">
            <thead><tr><th>Call</th><th>Timeline</th><th>Took</th><th>Cost</th></tr></thead>
            <tbody>{t.spans.map((s) => (
              <tr key={s.id} className={s.id === current ? 'current' : undefined} {...activates(() => onOpenCall(s.id))} title={`Open call ${s.id}`}>
                <td style={{ paddingLeft: `${8 + Math.min(s.depth, MAX_INDENT) * 14}px` }} title={`${s.agent ? `${s.agent} · ` : ''}${s.provider}/${s.model}`}>
                  <span className={`status ${s.status}`}>{s.status === 'success' ? '●' : '▲'}</span> {s.agent ? `${s.agent} · ` : ''}{s.model}{s.cache_hit ? ' (cache)' : ''}
                </td>
                <td className="lane"><div className={`span ${s.status === 'success' ? '' : 'failed'}`} style={{ left: `${(s.offset_ms / span) * 100}%`, width: `max(2px, ${(s.duration_ms / span) * 100}%)` }} /></td>
                <td>{formatMs(s.duration_ms)}</td>
                <td>{s.price_source === 'unpriced' ? 'unpriced' : formatUsd(s.cost_usd)}</td>
              </tr>
            ))}</tbody>
          </table>
          {t.truncated ? <p className="muted">Showing the first {t.spans.length} of {t.calls} calls.</p> : null}
        </>
      ) : null}
    </Panel>
  );
}
