// Outcomes (seed 000): whether the models' decisions paid off. Win rate and P&L by model,
// cumulative P&L over time, heatmap of any property or dimension × model, calibration
// against the diagonal, signal reliability, pipelines and recurring lessons. A model's row and
// a heatmap cell open the outcomes behind them, over the same calls; open outcomes are closed
// here with their value and lesson.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, formatCount, formatPercent, formatUsd, formatValue } from '../api';
import { CallDrawer } from '../components/call-detail';
import { LineChart, type Series } from '../components/line-chart';
import { OutcomesPanel } from '../components/outcomes-panel';
import { Panel } from '../components/panel';
import { currentRange } from '../range';
import { activates } from '../activate';

type Row = Record<string, unknown>;

function useRange<T>(name: string, path: string) {
  const q = currentRange().query;
  return useQuery({ queryKey: [name, q], queryFn: () => api<T>(`${path}${path.includes('?') ? '&' : '?'}${q}`) });
}

const HEAT_ROWS = ['agent', 'user', 'provider', 'signal', 'account'];

/** Any dimension or property (property.<name>) down the side, models across. */
function Heatmap({ onOpen }: { onOpen: (drill: Drill) => void }) {
  const [rows, setRows] = useState('property.symbol');
  const [typed, setTyped] = useState('symbol');
  const heat = useRange<{ rows: string[]; cols: string[]; data: (number | null)[][]; counts: number[][] }>(`heatmap-${rows}`, `/api/v1/analytics/heatmap?rows=${encodeURIComponent(rows)}&cols=model&metric=win_rate`);
  const picker = (
    <form className="inline" onSubmit={(event) => { event.preventDefault(); if (typed.trim()) setRows(`property.${typed.trim()}`); }}>
      <select aria-label="Heatmap rows" value={rows.startsWith('property.') ? 'property' : rows} onChange={(event) => setRows(event.target.value === 'property' ? `property.${typed || 'symbol'}` : event.target.value)}>
        <option value="property">property…</option>{HEAT_ROWS.map((name) => <option key={name}>{name}</option>)}
      </select>
      {rows.startsWith('property.') ? <input aria-label="Property name" value={typed} onChange={(event) => setTyped(event.target.value)} onBlur={() => typed.trim() && setRows(`property.${typed.trim()}`)} /> : null}
    </form>
  );
  return (
    <Panel title={`Win rate: ${rows.replace(/^property\./, '')} × model`} actions={picker} loading={heat.isLoading} error={heat.error}>
      {heat.data?.rows.length === 0 ? <p className="muted">No decided outcomes for this dimension in the period.</p> : null}
      <table className="heat">
        <thead><tr><th />{heat.data?.cols.map((col) => <th key={col}>{col}</th>)}</tr></thead>
        <tbody>
          {heat.data?.rows.map((row, i) => (
            <tr key={row}><th>{row}</th>{heat.data?.cols.map((col, j) => {
              const value = heat.data?.data[i]?.[j] ?? null;
              const hue = value === null ? null : Math.round(value * 120);
              const filter = rowFilter(rows);
              const open = value !== null && filter !== null && row !== '(none)' && col !== '(none)'
                ? () => onOpen({ title: `Decided outcomes: ${row} × ${col}`, query: `${filter}=${encodeURIComponent(row)}&model=${encodeURIComponent(col)}&status=win,loss&${callRange()}&limit=100` })
                : undefined;
              return <td key={col} className={open ? 'pick' : undefined} {...(open ? activates(open) : {})} style={hue === null ? {} : { background: `hsla(${hue}, 70%, 45%, 0.35)` }} title={`${heat.data?.counts[i]?.[j] ?? 0} decided outcomes${open ? ' (list them)' : ''}`}>{value === null ? '' : formatPercent(value)}</td>;
            })}</tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

/** Outcomes as the list route answers them, in a drawer over the page; a call opens in full. */
function OutcomesDrawer({ title, query, onClose }: { title: string; query: string; onClose: () => void }) {
  const [call, setCall] = useState<string | null>(null);
  return (
    <aside className="drawer" aria-label="Outcomes">
      <button className="close" onClick={onClose}>Close</button>
      <OutcomesPanel title={title} query={query} empty="No outcome matches in this period." onOpenCall={setCall} />
      {call ? <CallDrawer id={call} canDelete={false} onClose={() => setCall(null)} /> : null}
    </aside>
  );
}

/** The page's range as the list's filters on the deciding call's start (`call_hours`, `call_from`, `call_to`). */
function callRange(): string {
  return currentRange().query.replace(/(^|&)(hours|days|from|to)=/g, '$1call_$2=');
}

/** The list filter for a heatmap row dimension; signal has none. */
function rowFilter(rows: string): string | null {
  if (rows.startsWith('property.')) return rows;
  return ({ agent: 'agent', user: 'user_id', provider: 'provider', account: 'account_id' } as Record<string, string>)[rows] ?? null;
}

interface Drill { title: string; query: string }

/** The outcomes still open, newest first: each can be closed here with its value and lesson. */
function OpenOutcomes() {
  const [call, setCall] = useState<string | null>(null);
  return (
    <>
      <OutcomesPanel title="Open outcomes" query="status=open&limit=10" empty="No open outcome: every decision recorded so far is closed." onOpenCall={setCall} />
      {call ? <CallDrawer id={call} canDelete={false} onClose={() => setCall(null)} /> : null}
    </>
  );
}

export function Outcomes() {
  const models = useRange<{ data: Row[] }>('outcome-models', '/api/v1/analytics/outcomes/model-performance');
  const timeline = useRange<{ points: { bucket: string; model: string; cumulative_value: number }[] }>('pnl', '/api/v1/analytics/outcomes/pnl-timeline');
  const calibration = useRange<{ buckets: { avg_confidence: number; actual_win_rate: number; count: number }[]; expected_calibration_error: number | null; brier_score: number | null }>('calibration', '/api/v1/analytics/outcomes/calibration');
  const signals = useRange<{ data: Row[] }>('signals', '/api/v1/analytics/outcomes/signal-reliability');
  const pipelines = useRange<{ data: Row[] }>('pipelines', '/api/v1/analytics/outcomes/pipelines');
  const lessons = useRange<{ data: Row[] }>('lessons', '/api/v1/analytics/outcomes/lessons');
  const byModel = new Map<string, Series>();
  for (const point of timeline.data?.points ?? []) {
    const series = byModel.get(point.model) ?? { name: point.model, points: [] };
    series.points.push([point.bucket, point.cumulative_value]);
    byModel.set(point.model, series);
  }
  const buckets = calibration.data?.buckets ?? [];
  const [drill, setDrill] = useState<Drill | null>(null);
  const openModel = (model: string) => setDrill({ title: `Outcomes decided by ${model}`, query: `model=${encodeURIComponent(model)}&${callRange()}&limit=100` });
  return (
    <>
      {drill ? <OutcomesDrawer {...drill} onClose={() => setDrill(null)} /> : null}
      <Panel title="Models: win rate and P&L" loading={models.isLoading} error={models.error}>
        {models.data?.data.length === 0 ? <p className="muted">No outcomes yet: POST /api/v1/outcomes with a call or session id and status win | loss | neutral.</p> : null}
        <table className="pick">
          <thead><tr><th>Model</th><th>Calls</th><th>Avg confidence</th><th>Decided</th><th>Win rate</th><th>P&amp;L</th><th>Cost / call</th></tr></thead>
          <tbody>{(models.data?.data ?? []).map((row) => <tr key={`${String(row.provider)}/${String(row.model)}`} {...activates(() => openModel(String(row.model)))} title="List this model's outcomes"><td>{String(row.model)}</td><td>{formatCount(row.calls)}</td><td>{formatPercent(row.avg_confidence)}</td><td>{formatCount((row.wins as number) + (row.losses as number))}</td><td>{formatPercent(row.win_rate)}</td><td>{formatValue(row.total_pnl)}</td><td>{formatUsd(row.avg_cost_per_call)}</td></tr>)}</tbody>
        </table>
      </Panel>
      <div className="grid2">
        <Panel title="Cumulative P&L by model" loading={timeline.isLoading} error={timeline.error}><LineChart series={[...byModel.values()]} height={260} /></Panel>
        <Panel title={`Calibration (ECE ${calibration.data?.expected_calibration_error?.toFixed(3) ?? '—'}, Brier ${calibration.data?.brier_score?.toFixed(3) ?? '—'})`} loading={calibration.isLoading} error={calibration.error}>
          <LineChart height={260} series={[
            { name: 'perfect calibration', points: [[0, 0], [1, 1]].map(([x, y]) => [String(x), y ?? null]) },
            { name: 'actual win rate', points: buckets.map((bucket): [string, number | null] => [String(bucket.avg_confidence), bucket.actual_win_rate]) },
          ]} valueAxisX />
        </Panel>
      </div>
      <Heatmap onOpen={setDrill} />
      <div className="grid2">
        <Panel title="Signal reliability" loading={signals.isLoading} error={signals.error}>
          <table><thead><tr><th>Signal</th><th>Calls</th><th>Win rate</th><th>Avg value</th></tr></thead>
            <tbody>{(signals.data?.data ?? []).map((row) => <tr key={String(row.signal)}><td>{String(row.signal)}</td><td>{formatCount(row.calls)}</td><td>{formatPercent(row.win_rate)}</td><td>{formatValue(row.avg_value)}</td></tr>)}</tbody></table>
        </Panel>
        <Panel title="Pipelines" loading={pipelines.isLoading} error={pipelines.error}>
          <table><thead><tr><th>Agents</th><th>Sessions</th><th>Win rate</th><th>Total value</th></tr></thead>
            <tbody>{(pipelines.data?.data ?? []).map((row) => <tr key={String(row.pipeline)}><td>{String(row.pipeline)}</td><td>{formatCount(row.sessions)}</td><td>{formatPercent(row.win_rate)}</td><td>{formatValue(row.total_value)}</td></tr>)}</tbody></table>
        </Panel>
      </div>
      <OpenOutcomes />
      <Panel title="Recurring lessons" loading={lessons.isLoading} error={lessons.error}>
        <table><thead><tr><th>Lesson</th><th>Times</th><th>Avg value impact</th><th>Last seen</th></tr></thead>
          <tbody>{(lessons.data?.data ?? []).map((row) => <tr key={String(row.lesson)}><td>{String(row.example)}</td><td>{formatCount(row.frequency)}</td><td>{formatValue(row.avg_value_impact)}</td><td>{new Date(String(row.last_seen)).toLocaleDateString()}</td></tr>)}</tbody></table>
      </Panel>
    </>
  );
}
