// Seed 004 (LLM Metrics) at its documented paths under /compat/llm-metrics: `{success: true,
// ...}` in the seed's field names over the native providers, analytics and savings routes,
// `{success: false, error}` with the native status otherwise. Providers are numbered 1, 2, ...
// in the registry's order (the seed's integer ids); its enable route takes that number or a name.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { callAllNative, callNative, nativeError, seedErrors, type NativeAnswer, type NativeRequest } from './native-call.js';

export const LLM_METRICS_PREFIX = '/compat/llm-metrics';

interface NativeProvider {
  name: string; display_name: string; provider_type: string; base_url: string; is_enabled: boolean; priority: number; timeout_seconds: number;
  circuit_breaker_threshold: number; circuit_breaker_timeout: number;
  health?: { circuit_state: string; failure_count: number; total_requests: number; successful_requests: number; failed_requests: number; avg_response_time_ms: number | null; last_success_at: string | null; last_failure_at: string | null; is_available: boolean } | null;
}
type Row = Record<string, unknown>;

/** "2026-02-07 19:00:00", as the seed writes times. */
const seedTime = (iso: unknown) => (typeof iso === 'string' ? iso.slice(0, 19).replace('T', ' ') : null);
const STATUS: Record<string, string> = { closed: 'healthy', half_open: 'recovering', open: 'unavailable' };
const days = (request: FastifyRequest, fallback: number) => {
  const value = (request.query as Record<string, string | undefined>).days;
  return value === undefined ? String(fallback) : value;
};

function failed(reply: FastifyReply, answer: NativeAnswer) {
  return reply.code(answer.status).send({ success: false, error: nativeError(answer) });
}

export function registerLlmMetricsCompat(app: FastifyInstance): void {
  void app.register(async (scope) => {
    seedErrors(scope);
    registerRoutes(app, scope);
  });
}

/** `app` answers the native calls; `scope` holds the compat routes and their error shape. */
function registerRoutes(app: FastifyInstance, scope: FastifyInstance): void {
  const route = (path: string) => `${LLM_METRICS_PREFIX}${path}`;
  const schema = (summary: string) => ({ tags: ['compat'], summary: `Seed 004: ${summary}`, hide: true });
  const providers = async (request: FastifyRequest) => {
    const answer = await callNative(app, request, 'GET', '/api/v1/providers');
    return { answer, list: answer.status === 200 ? (answer.body as { providers: NativeProvider[] }).providers : [] };
  };

  scope.get(route('/api/llm/providers'), { config: { scope: 'read' }, schema: schema('providers with status and health') }, async (request, reply) => {
    const { answer, list } = await providers(request);
    if (answer.status !== 200) return failed(reply, answer);
    return {
      success: true,
      providers: list.map((provider, index) => {
        const health = provider.health ?? null;
        return {
          id: index + 1, name: provider.name, display_name: provider.display_name, provider_type: provider.provider_type, base_url: provider.base_url,
          is_enabled: provider.is_enabled ? 1 : 0, priority: provider.priority, timeout_seconds: provider.timeout_seconds,
          circuit_breaker_threshold: provider.circuit_breaker_threshold, circuit_breaker_timeout: provider.circuit_breaker_timeout,
          is_available: health ? (health.is_available ? 1 : 0) : provider.is_enabled ? 1 : 0, circuit_state: health?.circuit_state ?? 'closed',
          failure_count: health?.failure_count ?? 0, total_requests: health?.total_requests ?? 0, successful_requests: health?.successful_requests ?? 0,
          failed_requests: health?.failed_requests ?? 0, avg_response_time_ms: health?.avg_response_time_ms ?? null,
          last_success_at: seedTime(health?.last_success_at), last_failure_at: seedTime(health?.last_failure_at),
          status: health ? STATUS[health.circuit_state] ?? 'unknown' : 'unknown',
        };
      }),
    };
  });

  scope.get(route('/api/llm/metrics'), { config: { scope: 'read' }, schema: schema('usage per provider') }, async (request, reply) => {
    const provider = (request.query as Record<string, string | undefined>).provider;
    const period = days(request, 7);
    const query = new URLSearchParams({ days: period, ...(provider ? { provider } : {}) });
    const [answer, registry] = await Promise.all([callNative(app, request, 'GET', `/api/v1/analytics/providers?${query}`), providers(request)]);
    if (answer.status !== 200) return failed(reply, answer);
    const byName = new Map(registry.list.map((entry, index) => [entry.name, { entry, id: index + 1 }]));
    const rows = (answer.body as { providers: Row[] }).providers;
    // A provider's first and last request of the period: its oldest and newest call.
    const edge = (name: string, order: 'asc' | 'desc'): NativeRequest => ['GET', `/api/v1/logs?${new URLSearchParams({ days: period, provider: name, sort: 'started_at', order, limit: '1' })}`];
    const edges = await callAllNative(app, request, rows.flatMap((row) => [edge(String(row.provider), 'asc'), edge(String(row.provider), 'desc')]));
    if (edges.failed) return failed(reply, edges.failed);
    const startOf = (index: number) => seedTime(((edges.bodies[index] as { data: { started_at: string }[] }).data[0]?.started_at) ?? null);
    return {
      success: true,
      metrics: rows.map((row, index) => {
        const known = byName.get(String(row.provider));
        const requests = Number(row.requests ?? 0);
        const timeouts = Number(row.timeouts ?? 0);
        return {
          provider_id: known?.id ?? null, provider_name: row.provider, display_name: known?.entry.display_name ?? row.provider,
          provider_type: known?.entry.provider_type ?? null, total_requests: requests, successful_requests: Number(row.successes ?? 0),
          // The seed's statuses: failed and timeout apart (Loupe's errors count both).
          failed_requests: Number(row.errors ?? 0) - timeouts, timeout_requests: timeouts,
          total_tokens: Number(row.total_tokens ?? 0), prompt_tokens: Number(row.prompt_tokens ?? 0),
          completion_tokens: Number(row.completion_tokens ?? 0), total_cost_usd: Number(row.cost ?? 0),
          avg_duration_seconds: typeof row.avg_latency === 'number' ? row.avg_latency / 1000 : null, fallback_count: Number(row.fallback_calls ?? 0),
          success_rate: typeof row.success_rate === 'number' ? Math.round(row.success_rate * 10_000) / 100 : null,
          first_request_at: startOf(index * 2), last_request_at: startOf(index * 2 + 1),
        };
      }),
      days: Number(period),
    };
  });

  scope.get(route('/api/llm/costs'), { config: { scope: 'read' }, schema: schema('costs and savings from local models') }, async (request, reply) => {
    const answer = await callNative(app, request, 'GET', `/api/v1/analytics/savings?days=${encodeURIComponent(days(request, 30))}`);
    if (answer.status !== 200) return failed(reply, answer);
    const savings = answer.body as Row & { providers: Row[] };
    const registry = await providers(request);
    const known = new Map(registry.list.map((entry, index) => [entry.name, { entry, id: index + 1 }]));
    const { reference_model: _reference, hypothetical_reference_cost_usd: _hypothetical, ...costs } = savings;
    return {
      success: true,
      costs: {
        ...costs,
        providers: savings.providers.map((row) => ({ ...row, id: known.get(String(row.name))?.id ?? null, display_name: known.get(String(row.name))?.entry.display_name ?? row.name })),
        days: Number(savings.days),
      },
    };
  });

  scope.get(route('/api/llm/trends'), { config: { scope: 'read' }, schema: schema('daily usage and cost per provider') }, async (request, reply) => {
    const period = days(request, 30);
    const [answer, registry] = await Promise.all([callNative(app, request, 'GET', `/api/v1/analytics/usage-trends?interval=day&group_by=provider&days=${encodeURIComponent(period)}`), providers(request)]);
    if (answer.status !== 200) return failed(reply, answer);
    const names = new Map(registry.list.map((entry) => [entry.name, entry.display_name]));
    const buckets = (answer.body as { series: Row[] }).series;
    return {
      success: true,
      // Newest day first, and only the days a provider had calls (the seed lists no empty rows).
      trends: buckets.filter((row) => Number(row.requests ?? 0) > 0).map((row) => ({
        date: String(row.bucket).slice(0, 10), provider_name: row.provider, display_name: names.get(String(row.provider)) ?? row.provider,
        total_requests: Number(row.requests ?? 0), successful_requests: Number(row.requests ?? 0) - Number(row.errors ?? 0),
        total_tokens: Number(row.total_tokens ?? 0), total_cost_usd: Number(row.cost ?? 0),
      })).sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : String(a.provider_name).localeCompare(String(b.provider_name)))),
      days: Number(period),
    };
  });

  scope.post(route('/api/llm/record'), { config: { scope: 'ingest' }, schema: schema('record a request') }, async (request, reply) => {
    const answer = await callNative(app, request, 'POST', '/api/llm/record', request.body ?? {});
    return reply.code(answer.status).send(answer.body);
  });

  scope.post(route('/api/llm/providers/:id/enable'), { config: { scope: 'admin' }, schema: schema('enable or disable a provider') }, async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const { answer, list } = await providers(request);
    if (answer.status !== 200) return failed(reply, answer);
    const provider = /^\d+$/.test(id) ? list[Number(id) - 1] : list.find((entry) => entry.name === id);
    if (!provider) return reply.code(404).send({ success: false, error: `Provider ${id} not found` });
    const enabled = (request.body as { enabled?: unknown } | null)?.enabled;
    if (typeof enabled !== 'boolean') return reply.code(400).send({ success: false, error: 'enabled must be true or false' });
    const changed = await callNative(app, request, 'POST', `/api/v1/providers/${encodeURIComponent(provider.name)}/enable`, { enabled });
    if (changed.status !== 200) return failed(reply, changed);
    return { success: true, message: enabled ? 'Provider enabled' : 'Provider disabled' };
  });

  scope.get(route('/api/llm/health'), { config: { scope: 'read' }, schema: schema('health summary') }, async (request, reply) => {
    const answer = await callNative(app, request, 'GET', '/api/v1/health');
    if (answer.status !== 200) return failed(reply, answer);
    return { success: true, health: answer.body };
  });
}
