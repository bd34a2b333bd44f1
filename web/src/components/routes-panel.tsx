// The model routes of the config file: each name the applications may ask for, how it picks
// among its targets, and each target's provider state and recent speed on this instance.
import { useQuery } from '@tanstack/react-query';
import { api, formatMs } from '../api';
import { Panel } from './panel';

interface RouteTarget {
  provider: string; model: string; weight: number; provider_enabled: boolean; circuit_state: string | null;
  latency_ms: number | null; latency_answers: number; ttft_ms: number | null; ttft_answers: number;
}
interface ModelRoute { name: string; strategy: 'fallback' | 'weighted' | 'latency'; targets: RouteTarget[] }

const STRATEGY: Record<ModelRoute['strategy'], string> = {
  fallback: 'in order',
  weighted: 'drawn by weight',
  latency: 'fastest first',
};

function targetState(target: RouteTarget): string {
  if (!target.provider_enabled) return 'disabled';
  return target.circuit_state ?? 'closed';
}

export function RoutesPanel() {
  const routes = useQuery({ queryKey: ['routes'], queryFn: () => api<{ routes: ModelRoute[] }>('/api/v1/routes'), refetchInterval: 15_000 });
  const list = routes.data?.routes ?? [];
  return (
    <Panel title="Model routes" loading={routes.isLoading} error={routes.error}>
      {list.length === 0 ? <p className="muted">No routes. A route gives several providers and models one name to ask for, with fallbacks, weights or the fastest first: <code>routes</code> in the config file (README).</p> : (
        <table className="routes">
          <thead><tr><th>Model name</th><th>Strategy</th><th>Targets (then fallbacks)</th><th>State</th><th>Latency</th><th>TTFT</th></tr></thead>
          <tbody>
            {list.flatMap((route) => route.targets.map((target, index) => (
              <tr key={`${route.name}\u0000${target.provider}/${target.model}`} className={index === 0 ? 'route-first' : ''}>
                {index === 0 ? <><td rowSpan={route.targets.length}><code>{route.name}</code></td><td rowSpan={route.targets.length}>{STRATEGY[route.strategy]}</td></> : null}
                <td>{target.provider}/{target.model}{route.strategy === 'weighted' ? <span className="muted small"> · weight {target.weight}</span> : null}</td>
                <td className={`circuit ${targetState(target)}`}>{targetState(target)}</td>
                <td title={`${target.latency_answers} answers`}>{formatMs(target.latency_ms)}</td>
                <td title={`${target.ttft_answers} streamed answers`}>{formatMs(target.ttft_ms)}</td>
              </tr>
            )))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
