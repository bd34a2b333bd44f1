// A titled panel that shows loading and error states for its query.
import type { ReactNode } from 'react';

export function Panel({ title, loading, error, children }: { title: string; loading?: boolean; error?: unknown; children?: ReactNode }) {
  return (
    <section className="panel">
      <h2>{title}</h2>
      {loading ? <p className="muted">Loading…</p> : error ? <p className="error">{error instanceof Error ? error.message : 'Could not load'}</p> : children}
    </section>
  );
}

export function Kpi({ label, value, change }: { label: string; value: string; change?: number | null | undefined }) {
  const delta = typeof change === 'number' ? `${change >= 0 ? '▲' : '▼'} ${Math.abs(change * 100).toFixed(0)}%` : '';
  return (
    <div className="kpi">
      <div className="kpi-label">{label}</div>
      <div className="kpi-value">{value}</div>
      <div className="kpi-change">{delta}</div>
    </div>
  );
}
