// Seed 001 (LLM-Lens) at its documented paths under /compat/llm-lens, in its shapes, over the
// native analytics, logs, alerts, cost settings, budgets, comparisons, suggestions and export
// asked as the caller. Its writes take form fields (application/x-www-form-urlencoded) as the
// seed documents, or JSON. The seed gives rates and scores as percentages and 0..1 scores; its
// alert metric error_rate is a percentage, turned into Loupe's fraction and back.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { messageText, promptText } from './message-text.js';
import { callAllNative, callNative, nativeError, seedErrors, type NativeAnswer, type NativeRequest } from './native-call.js';

export const LLM_LENS_PREFIX = '/compat/llm-lens';

type Row = Record<string, unknown>;
type Query = Record<string, string | undefined>;

const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const percent = (fraction: unknown) => (num(fraction) === null ? null : Math.round(num(fraction)! * 10_000) / 100);
/** Loupe's performance score is 0..100; the seed's is 0..1. */
const score = (value: unknown) => (num(value) === null ? null : num(value)! / 100);
/** A form field or JSON value as a number, when it is one. */
const numeric = (value: unknown) => (typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value);


export function registerLlmLensCompat(app: FastifyInstance): void {
  void app.register(async (scope) => {
    seedErrors(scope);
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    registerRoutes(app, scope);
  });
}

function registerRoutes(app: FastifyInstance, scope: FastifyInstance): void {
  const route = (path: string) => `${LLM_LENS_PREFIX}${path}`;
  const schema = (summary: string) => ({ tags: ['compat'], summary: `Seed 001: ${summary}`, hide: true });
  const failed = (reply: FastifyReply, answer: NativeAnswer) => reply.code(answer.status).send({ success: false, error: nativeError(answer) });
  const answer = async (request: FastifyRequest, reply: FastifyReply, calls: NativeRequest[], shape: (...bodies: Row[]) => unknown) => {
    const asked = await callAllNative(app, request, calls);
    return asked.failed ? failed(reply, asked.failed) : shape(...asked.bodies);
  };
  const hours = (request: FastifyRequest) => encodeURIComponent((request.query as Query).hours ?? '24');
  const body = (request: FastifyRequest) => (request.body ?? {}) as Row;

  scope.get(route('/api/analytics/performance'), { config: { scope: 'read' }, schema: schema('performance analytics') }, (request, reply) => answer(request, reply, [
    ['GET', '/api/v1/analytics/overview?hours=24'], ['GET', '/api/v1/analytics/performance?hours=24'], ['GET', '/api/v1/analytics/models?hours=24'],
  ], (overview, performance, models) => {
    const current = overview.current as Row;
    const summary = performance.summary as Row;
    return {
      summary: { total_requests: current.requests, success_rate: percent(current.success_rate), streaming_requests: Math.round((num(current.streaming_share) ?? 0) * (num(current.requests) ?? 0)), avg_performance_score: score(summary.performance_score) },
      latency_stats: { mean: summary.avg_latency, median: summary.p50_latency, p95: summary.p95_latency, p99: summary.p99_latency },
      throughput_stats: { mean_tokens_per_sec: summary.avg_tokens_per_second, max_tokens_per_sec: summary.max_tokens_per_second, min_tokens_per_sec: summary.min_tokens_per_second },
      model_performance: Object.fromEntries((models.models as Row[]).map((row) => [String(row.model), {
        request_count: row.requests, avg_latency: row.avg_latency, avg_performance_score: score(row.performance_score), error_rate: percent(row.error_rate),
      }])),
    };
  }));

  scope.get(route('/api/model-performance'), { config: { scope: 'read' }, schema: schema('model comparison') }, (request, reply) => answer(request, reply, [['GET', `/api/v1/analytics/models?hours=${hours(request)}`]], (models) => {
    const rows = models.models as Row[];
    return {
      models: rows.map((row) => ({ model_name: row.model, avg_latency: row.avg_latency, avg_throughput: row.avg_tokens_per_second, avg_performance: score(row.performance_score), request_count: row.requests, total_tokens: row.total_tokens })),
      time_period_hours: Number((request.query as Query).hours ?? 24),
      recommendation: rows.find((row) => (row.recommendation as { recommended?: boolean } | null)?.recommended)?.model ?? null,
    };
  }));

  scope.get(route('/api/cost-analysis'), { config: { scope: 'read' }, schema: schema('cost analysis') }, (request, reply) => answer(request, reply, [
    ['GET', `/api/v1/analytics/cost-breakdown?by=model&hours=${hours(request)}`], ['GET', `/api/v1/analytics/models?hours=${hours(request)}`],
  ], (costs, models) => {
    const latency = new Map((models.models as Row[]).map((row) => [String(row.model), row.avg_latency]));
    return {
      total_cost: costs.total_cost,
      cost_breakdown: Object.fromEntries((costs.rows as Row[]).map((row) => [String(row.model), { requests: row.requests, total_tokens: row.total_tokens, estimated_cost: row.cost, avg_latency: latency.get(String(row.model)) ?? null }])),
      time_period_hours: Number((request.query as Query).hours ?? 24),
    };
  }));

  scope.get(route('/api/logs/:id'), { config: { scope: 'read' }, schema: schema('one log') }, (request, reply) => answer(request, reply, [['GET', `/api/v1/logs/${encodeURIComponent((request.params as { id: string }).id)}`]], (call) => {
    const params = (call.params ?? {}) as Row;
    const latency = num(call.latency_ms);
    return {
      id: call.id, model_name: call.model, start_time: call.started_at, end_time: call.ended_at, latency_ms: call.latency_ms, prompt_tokens: call.prompt_tokens,
      completion_tokens: call.completion_tokens, total_tokens: call.total_tokens, tokens_per_second: call.tokens_per_second, time_to_first_token_ms: call.ttft_ms,
      // The per-call form of the performance score (docs/API.md), on the seed's 0..1 scale.
      performance_score: call.status === 'success' ? 1000 / (1000 + (latency ?? 0)) : 0,
      is_streaming: call.is_streaming, temperature: params.temperature ?? null, max_tokens: params.max_tokens ?? null, request_metadata: params,
      input_text: promptText(call.input), output_text: messageText(call.output), error_message: call.error_message,
    };
  }));

  // Alerts: the seed's error_rate is a percentage.
  const toSeedValue = (metric: unknown, value: unknown) => (metric === 'error_rate' && num(value) !== null ? num(value)! * 100 : value);
  scope.get(route('/api/alerts/rules'), { config: { scope: 'read' }, schema: schema('alert rules') }, (request, reply) => answer(request, reply, [['GET', '/api/v1/alerts/rules']], (rules) =>
    (rules.rules as Row[]).map((rule) => ({ id: rule.id, name: rule.name, metric: rule.metric, threshold: toSeedValue(rule.metric, rule.threshold), operator: rule.operator, is_active: rule.is_active, created_at: rule.created_at }))));
  scope.post(route('/api/alerts/rules'), { config: { scope: 'admin' }, schema: schema('create an alert rule') }, async (request, reply) => {
    const input = body(request);
    const threshold = numeric(input.threshold);
    const created = await callNative(app, request, 'POST', '/api/v1/alerts/rules', {
      name: input.name, metric: input.metric, operator: input.operator, threshold: input.metric === 'error_rate' && typeof threshold === 'number' ? threshold / 100 : threshold,
      ...(input.is_active !== undefined ? { is_active: input.is_active === true || input.is_active === 'true' } : {}),
    });
    if (created.status !== 201) return failed(reply, created);
    return { id: (created.body as Row).id, message: 'Alert rule created successfully' };
  });
  scope.get(route('/api/alerts/events'), { config: { scope: 'read' }, schema: schema('alert events') }, (request, reply) => answer(request, reply, [['GET', '/api/v1/alerts/events?limit=100']], (events) =>
    (events.events as Row[]).map((event) => ({
      id: event.id, rule_name: event.rule_name, metric_value: toSeedValue(event.metric, event.metric_value), threshold: toSeedValue(event.metric, event.threshold),
      message: event.message, triggered_at: event.triggered_at, resolved_at: event.resolved_at,
    }))));

  // Cost settings and budgets (form fields or JSON).
  scope.get(route('/api/cost-settings'), { config: { scope: 'read' }, schema: schema('cost settings') }, (request, reply) => answer(request, reply, [['GET', '/api/v1/cost-settings']], (settings) =>
    (settings.settings as Row[]).map((setting, index) => ({
      id: index + 1, model_name: setting.model, cost_per_1k_input_tokens: setting.cost_per_1k_input_tokens ?? 0, cost_per_1k_output_tokens: setting.cost_per_1k_output_tokens ?? 0,
      electricity_cost_per_hour: setting.electricity_cost_per_hour ?? 0, created_at: setting.updated_at, updated_at: setting.updated_at,
    }))));
  scope.post(route('/api/cost-settings'), { config: { scope: 'admin' }, schema: schema('create or update a cost setting') }, async (request, reply) => {
    const input = body(request);
    const fields: Row = { model: input.model_name };
    for (const name of ['cost_per_1k_input_tokens', 'cost_per_1k_output_tokens', 'electricity_cost_per_hour']) {
      const value = numeric(input[name]);
      // The seed's default of 0.0 means "not set" here, so a 0 never hides the catalog's price.
      if (value !== undefined && value !== 0) fields[name] = value;
    }
    const saved = await callNative(app, request, 'POST', '/api/v1/cost-settings', fields);
    if (saved.status !== 200) return failed(reply, saved);
    return { message: 'Cost settings updated successfully', model_name: input.model_name };
  });
  scope.get(route('/api/budgets'), { config: { scope: 'read' }, schema: schema('budgets') }, (request, reply) => answer(request, reply, [['GET', '/api/v1/budgets']], (budgets) =>
    (budgets.budgets as Row[]).map((budget) => ({ id: budget.id, name: budget.name, budget_type: budget.budget_type, amount: budget.amount, current_usage: budget.current_usage, is_active: budget.is_active, created_at: budget.created_at, reset_at: budget.reset_at }))));
  scope.post(route('/api/budgets'), { config: { scope: 'admin' }, schema: schema('create a budget') }, async (request, reply) => {
    const input = body(request);
    const created = await callNative(app, request, 'POST', '/api/v1/budgets', { name: input.name, budget_type: input.budget_type, amount: numeric(input.amount) });
    if (created.status !== 201) return failed(reply, created);
    return { id: (created.body as Row).id, message: 'Budget created successfully' };
  });

  // Model comparisons: two models on one prompt, through the gateway.
  const comparisonRow = (comparison: Row) => {
    const [a, b] = comparison.results as Row[];
    const usage = (result: Row | undefined) => ((result?.usage as Row | null)?.total_tokens ?? null);
    const answered = (result: Row | undefined) => result?.status === 'success' && num(result.latency_ms) !== null;
    // The winner answered, and faster; a model that failed never wins.
    const winner = answered(a) && (!answered(b) || num(a!.latency_ms)! <= num(b!.latency_ms)!) ? 'model_a' : answered(b) ? 'model_b' : null;
    const messages = comparison.messages;
    return {
      id: comparison.comparison_id, comparison_name: comparison.name, model_a: (a?.target as Row | undefined)?.model ?? null, model_b: (b?.target as Row | undefined)?.model ?? null,
      test_prompt: Array.isArray(messages) ? promptText(messages) : null,
      result_a_latency: a?.latency_ms ?? null, result_b_latency: b?.latency_ms ?? null, result_a_tokens: usage(a), result_b_tokens: usage(b),
      result_a_cost: a?.cost_usd ?? null, result_b_cost: b?.cost_usd ?? null, winner, created_at: comparison.created_at,
    };
  };
  scope.get(route('/api/model-comparisons'), { config: { scope: 'read' }, schema: schema('model comparisons') }, async (request, reply) => {
    const list = await callNative(app, request, 'GET', '/api/v1/replay/comparisons?days=365&limit=50');
    if (list.status !== 200) return failed(reply, list);
    const details = await Promise.all(((list.body as Row).comparisons as Row[]).map((comparison) => callNative(app, request, 'GET', `/api/v1/replay/comparisons/${encodeURIComponent(String(comparison.comparison_id))}`)));
    return details.filter((detail) => detail.status === 200).map((detail) => comparisonRow(detail.body as Row));
  });
  scope.post(route('/api/model-comparisons'), { config: { scope: 'gateway' }, schema: schema('compare two models on a prompt') }, async (request, reply) => {
    const input = body(request);
    const compared = await callNative(app, request, 'POST', '/api/v1/replay/compare', {
      ...(input.comparison_name ? { name: input.comparison_name } : {}), prompt: input.test_prompt, targets: [{ model: input.model_a }, { model: input.model_b }],
    });
    if (compared.status !== 200) return failed(reply, compared);
    const comparison = compared.body as Row;
    return comparisonRow({ ...comparison, messages: [{ role: 'user', content: input.test_prompt }], created_at: new Date().toISOString() });
  });

  // Optimization suggestions.
  scope.get(route('/api/optimization-suggestions'), { config: { scope: 'read' }, schema: schema('optimization suggestions') }, (request, reply) => answer(request, reply, [['GET', '/api/v1/suggestions']], (suggestions) => suggestions.suggestions));
  scope.post(route('/api/optimization-suggestions/generate'), { config: { scope: 'admin' }, schema: schema('generate suggestions') }, (request, reply) => answer(request, reply, [['POST', '/api/v1/suggestions/generate', {}]], (generated) => generated));
  scope.post(route('/api/optimization-suggestions/:id/implement'), { config: { scope: 'admin' }, schema: schema('mark a suggestion implemented') }, (request, reply) =>
    answer(request, reply, [['POST', `/api/v1/suggestions/${encodeURIComponent((request.params as { id: string }).id)}/implement`]], () => ({ message: 'Suggestion marked as implemented' })));

  // Exports, passed on as the native route sends them.
  for (const format of ['csv', 'json'] as const) {
    scope.get(route(`/api/export/${format}`), { config: { scope: 'read' }, schema: schema(`export as ${format}`) }, async (request, reply) => {
      const query = request.query as Query;
      const params = new URLSearchParams({ hours: query.hours ?? '24', ...(query.model ? { model: query.model } : {}) });
      const exported = await callNative(app, request, 'GET', `/api/v1/export/${format}?${params}`);
      if (exported.status !== 200) return failed(reply, exported);
      return reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8').header('content-disposition', `attachment; filename="llm_logs.${format}"`).send(exported.raw);
    });
  }
}
