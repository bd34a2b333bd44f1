// A titled panel that shows loading, error and "this server has no such route" states for its
// queries, and the KPI card used on several pages.
import type { ReactNode } from 'react';
import { ApiFailure } from '../api';

export function Problem({ error }: { error: unknown }) {
  if (error instanceof ApiFailure && error.routeMissing) {
    return <p className="error unavailable">Not available: <code>{error.path}</code> answered 404 ({error.message}). This server does not provide this view yet.</p>;
  }
  return <p className="error">{error instanceof Error ? error.message : 'Could not load'}</p>;
}

export function Panel({ title, loading, error, actions, children }: { title: ReactNode; loading?: boolean; error?: unknown; actions?: ReactNode; children?: ReactNode }) {
  return (
    <section className="panel">
      <div className="panel-head"><h2>{title}</h2>{actions}</div>
      {loading ? <p className="muted">Loading…</p> : error ? <Problem error={error} /> : children}
    </section>
  );
}

/** `lowerIsBetter`: a rise is shown as bad (latency, errors, cost). */
export function Kpi({ label, value, change, lowerIsBetter = false }: { label: string; value: string; change?: number | null | undefined; lowerIsBetter?: boolean }) {
  const tone = typeof change !== 'number' || change === 0 ? '' : (change > 0) === lowerIsBetter ? 'worse' : 'better';
  const delta = typeof change === 'number' ? `${change >= 0 ? '▲' : '▼'} ${Math.abs(change * 100).toFixed(0)}% vs previous period` : '';
  return (
    <div className="kpi">
      <div className="kpi-label">{label}</div>
      <div className="kpi-value">{value}</div>
      <div className={`kpi-change ${tone}`}>{delta}</div>
    </div>
  );
}
