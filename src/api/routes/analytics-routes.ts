// Native analytics routes (/api/v1/analytics/*): thin wrappers that parse the common filters
// (default window: the last 7 days) and call the analytics layer.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { COST_BREAKDOWN_DIMENSIONS, costBreakdown, modelBreakdown, peopleBreakdown, providerBreakdown } from '../../analytics/breakdowns.js';
import { heatmap, HEATMAP_METRICS } from '../../analytics/heatmap.js';
import { isDimension } from '../../analytics/metrics/definitions.js';
import { overview } from '../../analytics/overview.js';
import { performance } from '../../analytics/performance.js';
import { costTrend, errorAnalysis, insights, TooManyBucketsError, usageTrends } from '../../analytics/trends.js';
import type { CallFilters, Store } from '../../store/ports.js';
import { callerKey } from '../auth-plugin.js';
import { badRequest } from '../errors.js';
import { filterQueryShape, parseCallFilters } from '../filter-query.js';

const DEFAULT_HOURS = 7 * 24;
const interval = z.enum(['hour', 'day']).optional().describe('bucket size (default day; hour for ranges up to 3 days)');

function filtersOf(request: FastifyRequest, extra: string[] = []): CallFilters {
  return parseCallFilters(request.query as Record<string, unknown>, callerKey(request).project_id, new Set(extra), { defaultHours: DEFAULT_HOURS });
}

function defaultInterval(filters: CallFilters, given: 'hour' | 'day' | undefined): 'hour' | 'day' {
  if (given) return given;
  const span = (filters.to ?? Date.now()) - (filters.from ?? 0);
  return span <= 3 * 86_400_000 ? 'hour' : 'day';
}

async function series<T>(produce: () => Promise<T>): Promise<T> {
  try {
    return await produce();
  } catch (error) {
    if (error instanceof TooManyBucketsError) throw badRequest('interval', error.message);
    throw error;
  }
}

/**
 * Names each key's row after the key (its name and visible prefix, revoked keys included, since
 * their calls stay); calls recorded without a key are the row whose `api_key` is null.
 */
async function namedKeys<Row extends Record<string, unknown>>(store: Store, projectId: string, rows: Row[]) {
  const keys = new Map((await store.apiKeys.list(projectId)).map((key) => [key.id, key]));
  return rows.map((row) => {
    const key = typeof row.api_key === 'string' ? keys.get(row.api_key) : undefined;
    return { ...row, key_name: key?.name ?? null, key_prefix: key?.prefix ?? null, key_revoked: key ? key.revoked_at !== null : null };
  });
}

export function registerAnalyticsRoutes(app: FastifyInstance, store: Store): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const reader = store.sql;
  const base = z.looseObject(filterQueryShape);
  const route = (path: string, summary: string, querystring: z.ZodType, handler: (request: FastifyRequest) => Promise<unknown>) =>
    typed.get(`/api/v1/analytics/${path}`, { config: { scope: 'read' }, schema: { tags: ['analytics'], summary, querystring }, handler });

  route('overview', 'Headline figures of a period and the period before it', base, (request) => overview(reader, filtersOf(request)));
  route('performance', 'Latency, TTFT, speed, histogram, error rates and performance score', base, (request) => performance(reader, filtersOf(request)));
  route('models', 'Per-model figures with a recommendation', base, async (request) => ({ models: await modelBreakdown(reader, filtersOf(request)) }));
  route('providers', 'Provider comparison', base, async (request) => ({ providers: await providerBreakdown(reader, filtersOf(request)) }));
  route('agents', 'Per-agent figures', base, async (request) => ({ agents: await peopleBreakdown(reader, filtersOf(request), 'agent') }));
  route('users', 'Per-user figures', base, async (request) => ({ users: await peopleBreakdown(reader, filtersOf(request), 'user') }));

  const trendsQuery = base.extend({ interval, group_by: z.enum(['provider', 'model']).optional() });
  route('usage-trends', 'Requests, tokens, cost, latency and errors per time bucket', trendsQuery, (request) => {
    const query = request.query as z.infer<typeof trendsQuery>;
    const filters = filtersOf(request, ['interval', 'group_by']);
    return series(() => usageTrends(reader, filters, defaultInterval(filters, query.interval), query.group_by ?? null));
  });
  const costTrendQuery = base.extend({ interval });
  route('cost-trend', 'Cost per time bucket with the running total', costTrendQuery, (request) => {
    const filters = filtersOf(request, ['interval']);
    return series(() => costTrend(reader, filters, defaultInterval(filters, (request.query as z.infer<typeof costTrendQuery>).interval)));
  });
  const breakdownQuery = base.extend({ by: z.enum(COST_BREAKDOWN_DIMENSIONS).optional().describe('default model') });
  route('cost-breakdown', 'Cost by model, provider, agent, user, tag or Loupe API key; unpriced calls counted apart', breakdownQuery, async (request) => {
    const filters = filtersOf(request, ['by']);
    const by = (request.query as z.infer<typeof breakdownQuery>).by ?? 'model';
    const breakdown = await costBreakdown(reader, filters, by);
    return by === 'api_key' ? { ...breakdown, rows: await namedKeys(store, filters.projectId, breakdown.rows) } : breakdown;
  });
  route('errors', 'Error rate, types, providers, models, trend and top messages', base, (request) => series(() => errorAnalysis(reader, filtersOf(request))));
  route('trends', 'Notable changes against the previous period, with their numbers', base, (request) => insights(reader, filtersOf(request)));

  const heatmapQuery = base.extend({
    rows: z.string().max(140).describe('a dimension (provider, model, agent, user, status, ...) or property.<name>'),
    cols: z.string().max(140).optional().describe('default model'),
    metric: z.enum(HEATMAP_METRICS).optional().describe('default success_rate'),
    outcome_name: z.string().max(256).optional().describe('win_rate only: count only outcomes of this name'),
  });
  route('heatmap', 'One metric over two dimensions (e.g. property.symbol × model)', heatmapQuery, (request) => {
    const query = request.query as z.infer<typeof heatmapQuery>;
    const cols = query.cols ?? 'model';
    if (!isDimension(query.rows)) throw badRequest('rows', 'must be a dimension (provider, model, agent, user, status, error_type, account, api_key, endpoint, signal, reasoning_effort) or property.<name>');
    if (!isDimension(cols)) throw badRequest('cols', 'must be a dimension or property.<name>');
    const options = { rows: query.rows, cols, metric: query.metric ?? 'success_rate', ...(query.outcome_name !== undefined ? { outcomeName: query.outcome_name } : {}) };
    return heatmap(reader, filtersOf(request, ['rows', 'cols', 'metric', 'outcome_name']), options);
  });
}
