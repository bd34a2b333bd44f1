// The alerts open now, above the overview's figures; nothing at all when none is open (or the
// list cannot be read: the alerts panel in Settings says why).
import { useQuery } from '@tanstack/react-query';
import { api } from '../api';
import { navigate } from '../navigate';
import type { AlertEvent } from './alerts-panel';

export function OpenAlerts() {
  const open = useQuery({ queryKey: ['alert-events', 'open'], queryFn: () => api<{ events: AlertEvent[] }>('/api/v1/alerts/events?status=open&limit=5') });
  const events = open.data?.events ?? [];
  if (events.length === 0) return null;
  return (
    <section className="panel open-alerts" role="alert">
      <div className="panel-head"><h2>{events.length === 1 ? 'An alert is open' : `${events.length} alerts are open`}</h2><button className="link" onClick={() => navigate('/settings')}>Alerts</button></div>
      <ul>{events.map((event) => <li key={event.id}>{event.message} <span className="muted small">since {new Date(event.triggered_at).toLocaleString()}</span></li>)}</ul>
    </section>
  );
}
