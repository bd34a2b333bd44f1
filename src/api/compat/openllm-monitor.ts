// Seed 003 (OpenLLM Monitor) at its documented paths under /compat/openllm-monitor/api, in its
// camelCase shapes inside `{success: true, data}`, over the native logs, analytics, providers,
// replay and estimate routes asked as the caller. Errors are `{success: false, error, code,
// details}` with the seed's codes. Rates are percentages, as the seed gives them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { messageText, promptText } from './message-text.js';
import { callAllNative, callNative, nativeError, seedErrors, type NativeAnswer, type NativeRequest } from './native-call.js';

export const OPENLLM_MONITOR_PREFIX = '/compat/openllm-monitor/api';

type Row = Record<string, unknown>;
type Query = Record<string, string | undefined>;

const CODES: Record<number, string> = { 400: 'VALIDATION_ERROR', 404: 'NOT_FOUND', 429: 'RATE_LIMIT' };
const percent = (fraction: unknown) => (typeof fraction === 'number' ? Math.round(fraction * 10_000) / 100 : null);
const number = (value: unknown) => (typeof value === 'number' ? value : Number(value ?? 0));

/** The seed's log object from a native call in full. */
function toLog(call: Row) {
  return {
    _id: call.id, provider: call.provider, model: call.model, prompt: promptText(call.input), response: messageText(call.output),
    tokenUsage: { promptTokens: number(call.prompt_tokens), completionTokens: number(call.completion_tokens), totalTokens: number(call.total_tokens) },
    cost: call.cost_usd ?? null, duration: call.latency_ms ?? null, status: call.status === 'success' ? 'success' : 'error', timestamp: call.started_at,
    metadata: call.properties ?? {}, error: call.error_message ?? null,
  };
}

const SORTS: Record<string, string> = { createdAt: 'started_at', timestamp: 'started_at', duration: 'latency_ms', cost: 'cost_usd', tokens: 'total_tokens', provider: 'provider', model: 'model', status: 'status' };

export function registerOpenLlmMonitorCompat(app: FastifyInstance): void {
  void app.register(async (scope) => {
    seedErrors(scope, (status) => CODES[status] ?? (status >= 500 ? 'SERVER_ERROR' : 'VALIDATION_ERROR'));
    registerRoutes(app, scope);
  });
}

function registerRoutes(app: FastifyInstance, scope: FastifyInstance): void {
  const route = (path: string) => `${OPENLLM_MONITOR_PREFIX}${path}`;
  const schema = (summary: string) => ({ tags: ['compat'], summary: `Seed 003: ${summary}`, hide: true });
  const failed = (reply: FastifyReply, answer: NativeAnswer) => {
    const code = answer.status >= 500 && answer.status !== 503 ? 'PROVIDER_ERROR' : CODES[answer.status] ?? (answer.status >= 500 ? 'SERVER_ERROR' : 'VALIDATION_ERROR');
    return reply.code(answer.status).send({ success: false, error: nativeError(answer), code, details: {} });
  };
  /** The first native answer that failed, else `shape` of their bodies in the seed's envelope. */
  const answer = async (request: FastifyRequest, reply: FastifyReply, calls: NativeRequest[], shape: (...bodies: Row[]) => unknown) => {
    const asked = await callAllNative(app, request, calls);
    return asked.failed ? failed(reply, asked.failed) : { success: true, data: shape(...asked.bodies) };
  };
  const hours = (request: FastifyRequest) => encodeURIComponent((request.query as Query).timeframe ?? '24');
  const get = (path: string, summary: string, scopeName: 'read' | 'admin', handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    scope.get(route(path), { config: { scope: scopeName }, schema: schema(summary) }, handler);
  const post = (path: string, summary: string, scopeName: 'read' | 'admin' | 'gateway', handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    scope.post(route(path), { config: { scope: scopeName }, schema: schema(summary) }, handler);

  // Logs
  get('/logs', 'paged logs with filters and search', 'read', async (request, reply) => {
    const query = request.query as Query;
    const limit = query.limit ?? '50';
    const native = new URLSearchParams({ page: query.page ?? '1', limit, sort: SORTS[query.sortBy ?? 'createdAt'] ?? query.sortBy ?? 'started_at', order: query.sortOrder ?? 'desc' });
    for (const [seed, name] of [['provider', 'provider'], ['model', 'model'], ['search', 'search'], ['startDate', 'from'], ['endDate', 'to']] as const) if (query[seed]) native.set(name, query[seed]!);
    if (query.status) native.set('status', query.status === 'error' ? 'error,timeout,cancelled' : query.status);
    if (!query.startDate) native.set('days', '3650');
    const page = await callNative(app, request, 'GET', `/api/v1/logs?${native}`);
    if (page.status !== 200) return failed(reply, page);
    const body = page.body as { data: Row[]; total: number | null; pagination?: { page: number; total_pages: number | null } };
    // The list has no content; the seed's logs carry their prompt and response.
    const details = await Promise.all(body.data.map((row) => callNative(app, request, 'GET', `/api/v1/logs/${encodeURIComponent(String(row.id))}`)));
    const current = body.pagination?.page ?? 1;
    const totalPages = body.pagination?.total_pages ?? 1;
    return {
      success: true,
      data: {
        logs: details.map((detail, index) => toLog(detail.status === 200 ? (detail.body as Row) : body.data[index]!)),
        pagination: { currentPage: current, totalPages, totalCount: body.total ?? body.data.length, hasNext: current < totalPages, hasPrev: current > 1 },
      },
    };
  });
  get('/logs/stats', 'log statistics', 'read', (request, reply) => answer(request, reply, [['GET', `/api/v1/logs/stats?hours=${hours(request)}`]], (stats) => {
    const overview = stats.overview as Row;
    return {
      overview: { totalRequests: overview.total_requests, successRate: overview.success_rate, errorRate: overview.error_rate, avgDuration: overview.avg_duration_ms, totalCost: overview.total_cost_usd, totalTokens: overview.total_tokens },
      providerStats: (stats.providers as Row[]).map((row) => ({ provider: row.provider, requests: row.requests, successRate: row.success_rate, avgDuration: row.avg_duration_ms, totalCost: row.total_cost_usd })),
      hourlyStats: (stats.hourly as Row[]).map((row) => ({ hour: row.hour, requests: row.requests, cost: row.cost_usd, avgDuration: row.avg_duration_ms })),
      recentActivity: (stats.recent as Row[]).map((row) => ({ _id: row.id, provider: row.provider, model: row.model, status: row.status === 'success' ? 'success' : 'error', duration: row.duration_ms, cost: row.cost_usd, timestamp: row.timestamp })),
    };
  }));
  get('/logs/:id', 'one log', 'read', (request, reply) => answer(request, reply, [['GET', `/api/v1/logs/${encodeURIComponent((request.params as { id: string }).id)}`]], (call) => ({ log: toLog(call) })));
  scope.delete(route('/logs/:id'), { config: { scope: 'admin' }, schema: schema('delete a log') }, async (request, reply) => {
    const deleted = await callNative(app, request, 'DELETE', `/api/v1/logs/${encodeURIComponent((request.params as { id: string }).id)}`);
    if (deleted.status !== 200) return failed(reply, deleted);
    return { success: true, data: { message: 'Log deleted successfully' } };
  });
  post('/logs/bulk-delete', 'delete several logs', 'admin', (request, reply) => answer(request, reply, [['POST', '/api/v1/logs/bulk-delete', request.body ?? {}]], (result) => ({
    deletedCount: result.deletedCount, message: `${number(result.deletedCount)} logs deleted successfully`,
  })));

  // Analytics
  get('/analytics/stats', 'overall statistics', 'read', (request, reply) => answer(request, reply, [
    ['GET', '/api/v1/analytics/overview?days=7'], ['GET', '/api/v1/analytics/providers?days=7'], ['GET', '/api/v1/analytics/models?days=7'], ['GET', '/api/v1/analytics/usage-trends?interval=day&days=7'],
  ], (overview, providers, models, trends) => {
    const current = overview.current as Row;
    return {
      overview: {
        totalRequests: current.requests, successfulRequests: current.successes, failedRequests: current.errors, successRate: percent(current.success_rate),
        avgDuration: current.avg_latency, medianDuration: current.p50_latency, totalCost: current.cost, totalTokens: current.total_tokens, totalProviders: current.providers,
      },
      providerStats: providers.providers, modelStats: models.models, timeRangeStats: trends.series,
    };
  }));
  get('/analytics/usage', 'usage over time', 'read', (request, reply) => answer(request, reply, [['GET', `/api/v1/analytics/usage-trends?interval=hour&hours=${hours(request)}`]], (trends) => {
    const series = trends.series as Row[];
    return {
      hourlyStats: series,
      requestVolume: series.map((row) => ({ hour: row.bucket, requests: row.requests })),
      tokenUsage: series.map((row) => ({ hour: row.bucket, promptTokens: row.prompt_tokens, completionTokens: row.completion_tokens, totalTokens: row.total_tokens })),
      costTrend: series.map((row) => ({ hour: row.bucket, cost: row.cost })),
    };
  }));
  get('/analytics/performance', 'response times and errors', 'read', (request, reply) => answer(request, reply, [['GET', '/api/v1/analytics/performance?days=7']], (performance) => {
    const summary = performance.summary as Row;
    return {
      responseTime: { avg: summary.avg_latency, median: summary.p50_latency, p95: summary.p95_latency, p99: summary.p99_latency },
      latencyDistribution: performance.latency_histogram,
      errorRate: { overall: percent(summary.error_rate), byProvider: Object.fromEntries((performance.by_provider as Row[]).map((row) => [String(row.provider), percent(row.error_rate)])) },
    };
  }));
  get('/analytics/costs', 'costs', 'read', (request, reply) => answer(request, reply, [
    ['GET', '/api/v1/analytics/cost-breakdown?by=provider&days=30'], ['GET', '/api/v1/analytics/cost-breakdown?by=model&days=30'], ['GET', '/api/v1/analytics/cost-trend?interval=day&days=30'], ['GET', '/api/v1/analytics/cost-projection'],
  ], (byProvider, byModel, trend, projection) => ({
    totalCost: byProvider.total_cost, costByProvider: byProvider.rows, costByModel: byModel.rows, costTrend: trend.series, projectedMonthlyCost: projection.projected_monthly_cost_usd,
  })));
  get('/analytics/providers', 'provider and model comparison', 'read', (request, reply) => answer(request, reply, [['GET', '/api/v1/analytics/providers?days=7'], ['GET', '/api/v1/analytics/models?days=7']], (providers, models) => ({
    providerComparison: providers.providers, modelComparison: models.models,
    recommendations: (models.models as Row[]).filter((row) => row.recommendation).map((row) => ({ model: row.model, provider: row.provider, ...(row.recommendation as Row) })),
  })));
  get('/analytics/errors', 'errors', 'read', (request, reply) => answer(request, reply, [['GET', '/api/v1/analytics/errors?days=7']], (errors) => ({
    errorRate: percent((errors.summary as Row).error_rate), errorsByType: errors.by_type, errorsByProvider: errors.by_provider, errorTrends: errors.trend, topErrors: errors.top_messages,
  })));
  get('/analytics/trends', 'insights', 'read', (request, reply) => answer(request, reply, [['GET', '/api/v1/analytics/trends?days=7'], ['GET', '/api/v1/analytics/cost-projection'], ['GET', '/api/v1/suggestions?status=open']], (trends, projection, suggestions) => ({
    insights: trends.insights, patterns: [], predictions: [{ metric: 'monthly_cost', value: projection.projected_monthly_cost_usd, method: projection.method }], recommendations: suggestions.suggestions,
  })));
  get('/analytics/export', 'export', 'read', async (request, reply) => {
    const format = (request.query as Query).format === 'csv' ? 'csv' : 'json';
    const exported = await callNative(app, request, 'GET', `/api/v1/export/${format}?hours=${hours(request)}`);
    if (exported.status !== 200) return failed(reply, exported);
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="openllm-monitor-export.csv"').send(exported.raw);
    return { success: true, data: { logs: exported.body } };
  });

  // Providers
  get('/providers', 'providers', 'read', (request, reply) => answer(request, reply, [['GET', '/api/v1/providers']], (body) => ({ providers: body.providers })));
  get('/providers/stats', 'usage per provider', 'read', (request, reply) => answer(request, reply, [['GET', '/api/v1/analytics/providers?days=7']], (body) => ({ stats: body.providers })));
  get('/providers/recommendations', 'recommended models', 'read', (request, reply) => answer(request, reply, [['GET', '/api/v1/analytics/models?days=7']], (body) => ({
    recommendations: (body.models as Row[]).filter((row) => row.recommendation).map((row) => ({ model: row.model, provider: row.provider, ...(row.recommendation as Row) })),
  })));
  get('/providers/comparison', 'provider comparison', 'read', (request, reply) => answer(request, reply, [['GET', '/api/v1/analytics/providers?days=7']], (body) => ({ comparison: body.providers })));
  post('/providers/test-connection', 'test a provider', 'admin', async (request, reply) => {
    const provider = (request.body as { provider?: unknown } | null)?.provider;
    if (typeof provider !== 'string' || !provider) return reply.code(400).send({ success: false, error: 'provider is required', code: 'VALIDATION_ERROR', details: { field: 'provider' } });
    return answer(request, reply, [['POST', `/api/v1/providers/${encodeURIComponent(provider)}/test`]], (test) => test);
  });

  // Replay
  const replayed = (result: Row) => ({
    response: result.response, tokenUsage: { promptTokens: (result.usage as Row | null)?.prompt_tokens ?? 0, completionTokens: (result.usage as Row | null)?.completion_tokens ?? 0, totalTokens: (result.usage as Row | null)?.total_tokens ?? 0 },
    cost: result.cost_usd, duration: result.latency_ms, provider: result.provider, model: result.model,
  });
  const params = (body: Row) => ({ ...(body.maxTokens !== undefined ? { max_tokens: body.maxTokens } : {}), ...(body.temperature !== undefined ? { temperature: body.temperature } : {}) });
  post('/replay', 'replay a prompt', 'gateway', (request, reply) => {
    const body = (request.body ?? {}) as Row;
    return answer(request, reply, [['POST', '/api/v1/replay', { ...(body.provider ? { provider: body.provider } : {}), model: body.model, prompt: body.prompt, ...params(body) }]], replayed);
  });
  post('/replay/log/:logId', 'replay a stored log', 'gateway', (request, reply) => {
    const body = (request.body ?? {}) as Row;
    const changes = (body.modifications ?? {}) as Row;
    return answer(request, reply, [['POST', `/api/v1/logs/${encodeURIComponent((request.params as { logId: string }).logId)}/replay`, {
      ...(body.provider ? { provider: body.provider } : {}), ...(body.model ? { model: body.model } : {}), ...params({ maxTokens: changes.maxTokens ?? changes.max_tokens, temperature: changes.temperature }),
    }]], replayed);
  });
  post('/replay/compare', 'compare providers', 'gateway', (request, reply) => {
    const body = (request.body ?? {}) as Row;
    const targets = Array.isArray(body.providers) ? body.providers : [];
    return answer(request, reply, [['POST', '/api/v1/replay/compare', { prompt: body.prompt, targets, ...params(body) }]], (comparison) => {
      const summary = comparison.summary as Row;
      return {
        results: (comparison.results as Row[]).map((result) => ({ provider: result.provider ?? (result.target as Row).provider, model: (result.target as Row).model, response: result.response, duration: result.latency_ms, cost: result.cost_usd, success: result.status === 'success' })),
        comparison: { fastestProvider: (summary.fastest as Row | null)?.provider ?? null, cheapestProvider: (summary.cheapest as Row | null)?.provider ?? null, averageDuration: summary.average_latency_ms },
      };
    });
  });
  post('/replay/estimate', 'estimate a cost', 'read', (request, reply) => {
    const body = (request.body ?? {}) as Row;
    return answer(request, reply, [['POST', '/api/v1/estimate', { provider: body.provider, model: body.model, prompt: body.prompt, ...(body.maxTokens !== undefined ? { max_tokens: body.maxTokens } : {}) }]], (estimate) => ({
      provider: estimate.provider, model: estimate.model, promptTokens: estimate.prompt_tokens, maxCompletionTokens: estimate.max_output_tokens, estimatedCost: estimate.estimated_cost_usd,
      costBreakdown: { promptCost: estimate.input_cost_usd, completionCost: estimate.output_cost_usd },
    }));
  });
  get('/replay/models', 'models per provider', 'read', (request, reply) => {
    const provider = (request.query as Query).provider;
    return answer(request, reply, [['GET', `/api/v1/replay/models${provider ? `?provider=${encodeURIComponent(provider)}` : ''}`]], (body) => ({ models: body.models }));
  });
  get('/replay/connection/:provider', 'test a connection', 'admin', (request, reply) => answer(request, reply, [['POST', `/api/v1/providers/${encodeURIComponent((request.params as { provider: string }).provider)}/test`]], (test) => ({
    provider: test.provider, connected: test.ok === true, latency: test.latency_ms, message: test.ok ? 'Connection successful' : String(test.error ?? 'Connection failed'),
  })));
}
