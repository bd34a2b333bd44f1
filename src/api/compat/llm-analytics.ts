// Seed 000 (LLM analytics tied to outcomes) at its documented paths under /compat/llm-analytics,
// in its shapes (bare arrays and objects) over the native outcome analytics, asked as the
// caller with the seed's `days` (30 by default) and `account_id`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { callAllNative, nativeError, seedErrors, type NativeRequest } from './native-call.js';

export const LLM_ANALYTICS_PREFIX = '/compat/llm-analytics/api/v1/llm-analytics';

type Row = Record<string, unknown>;

/** The seed's common parameters as the native routes take them. */
function window(request: FastifyRequest): string {
  const query = request.query as Record<string, string | undefined>;
  const params = new URLSearchParams({ days: query.days ?? '30' });
  if (query.account_id) params.set('account_id', query.account_id);
  return params.toString();
}

const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** The seed's summary from the period's calls and the outcomes of each model. */
function summary(overview: Row, models: Row[]) {
  const current = overview.current as Row;
  const decided = models.reduce((sum, row) => sum + (num(row.wins) ?? 0) + (num(row.losses) ?? 0), 0);
  const wins = models.reduce((sum, row) => sum + (num(row.wins) ?? 0), 0);
  const confident = models.filter((row) => num(row.avg_confidence) !== null);
  const weight = confident.reduce((sum, row) => sum + (num(row.calls) ?? 0), 0);
  const byProvider = new Map<string, number>();
  for (const row of models) byProvider.set(String(row.provider), (byProvider.get(String(row.provider)) ?? 0) + (num(row.calls) ?? 0));
  // The best model: the highest win rate among models with at least 5 decided outcomes.
  const ranked = models.filter((row) => (num(row.wins) ?? 0) + (num(row.losses) ?? 0) >= 5 && num(row.win_rate) !== null)
    .sort((a, b) => num(b.win_rate)! - num(a.win_rate)! || (num(b.total_pnl) ?? 0) - (num(a.total_pnl) ?? 0));
  return {
    total_calls: current.requests,
    total_cost_usd: current.cost,
    // Each model's mean confidence weighted by its calls.
    avg_confidence: weight > 0 ? confident.reduce((sum, row) => sum + num(row.avg_confidence)! * (num(row.calls) ?? 0), 0) / weight : null,
    avg_win_rate: decided > 0 ? wins / decided : null,
    total_pnl: models.reduce((sum, row) => sum + (num(row.total_pnl) ?? 0), 0),
    best_model: ranked[0]?.model ?? null,
    most_used_provider: [...byProvider.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null,
  };
}

export function registerLlmAnalyticsCompat(app: FastifyInstance): void {
  void app.register(async (scope) => {
    seedErrors(scope);
    const routes: [path: string, native: (request: FastifyRequest) => string[], shape: (...bodies: Row[]) => unknown][] = [
      ['/summary', (request) => [`/api/v1/analytics/overview?${window(request)}`, `/api/v1/analytics/outcomes/model-performance?${window(request)}`], (overview, models) => summary(overview, models.data as Row[])],
      ['/model-performance', (request) => [`/api/v1/analytics/outcomes/model-performance?${window(request)}`], (models) => models.data],
      ['/heatmap', (request) => [`/api/v1/analytics/heatmap?rows=property.symbol&cols=model&metric=win_rate&${window(request)}`], (heatmap) => ({ symbols: heatmap.rows, models: heatmap.cols, data: heatmap.data })],
      ['/pnl-timeline', (request) => [`/api/v1/analytics/outcomes/pnl-timeline?${window(request)}`], (timeline) => timeline],
      ['/pipelines', (request) => [`/api/v1/analytics/outcomes/pipelines?${window(request)}`], (pipelines) => pipelines.data],
      ['/cost-trend', (request) => [`/api/v1/analytics/cost-trend?interval=day&${window(request)}`], (trend) => trend.series],
      ['/learning/confidence-calibration', (request) => [`/api/v1/analytics/outcomes/calibration?${window(request)}`], (calibration) => calibration.buckets],
      ['/learning/signal-reliability', (request) => [`/api/v1/analytics/outcomes/signal-reliability?${window(request)}`], (signals) => signals.data],
      ['/learning/lessons', (request) => [`/api/v1/analytics/outcomes/lessons?${window(request)}`], (lessons) => lessons.data],
      ['/learning/research-config', () => ['/api/v1/research-config'], (config) => config.config],
    ];
    for (const [path, native, shape] of routes) {
      scope.get(`${LLM_ANALYTICS_PREFIX}${path}`, { config: { scope: 'read' }, schema: { tags: ['compat'], summary: `Seed 000: ${path}`, hide: true } }, async (request: FastifyRequest, reply: FastifyReply) => {
        const asked = await callAllNative(app, request, native(request).map((url): NativeRequest => ['GET', url]));
        if (asked.failed) return reply.code(asked.failed.status).send({ success: false, error: nativeError(asked.failed) });
        return shape(...asked.bodies);
      });
    }
  });
}
