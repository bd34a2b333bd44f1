// Costs: the price catalog, cost settings (with re-pricing of stored calls), estimates,
// local-model savings and the monthly projection.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { priceOverrideInputSchema, type PriceOverride } from '../../domain/price-override.js';
import { catalogModel, currentPrices, listCatalog } from '../../pricing/catalog.js';
import type { CostSettings } from '../../pricing/cost-settings.js';
import { estimateCost } from '../../pricing/estimate.js';
import { LOCAL_PROVIDERS } from '../../pricing/price-call.js';
import { costProjection, DEFAULT_REFERENCE_MODEL, savings, UnknownReferenceModelError } from '../../pricing/savings.js';
import type { RepriceRates, Store } from '../../store/ports.js';
import { callerKey } from '../auth-plugin.js';
import { ApiError, badRequest, notFound } from '../errors.js';
import { parseQueryTime } from '../query-time.js';
import { catalogPriceAnswer, costSettingAnswer, estimateAnswer, projectionAnswer, repriceAnswer, savingsAnswer } from './cost-response-schemas.js';

const repriceBody = z.strictObject({
  model: z.string().min(1).max(256),
  provider: z.string().min(1).max(128).optional().describe('catalog provider when no cost setting exists (default: the model name decides)'),
  from: z.string().max(64).optional(),
  to: z.string().max(64).optional(),
});

const estimateBody = z.strictObject({
  provider: z.string().min(1).max(128),
  model: z.string().min(1).max(256),
  prompt: z.string().max(2_000_000).optional(),
  messages: z.array(z.strictObject({ role: z.string().max(32), content: z.unknown(), name: z.string().max(128).optional() })).max(10_000).optional(),
  max_tokens: z.number().int().min(0).max(10_000_000).optional(),
}).refine((body) => body.prompt !== undefined || body.messages !== undefined, { path: ['prompt'], message: 'give prompt or messages' });

function time(field: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseQueryTime(field, value);
}

function repriceRates(override: PriceOverride | null, provider: string, model: string): RepriceRates {
  if (override?.electricity_cost_per_hour != null && (override.cost_per_1k_input_tokens == null || LOCAL_PROVIDERS.has(provider))) return { kind: 'local', perHour: override.electricity_cost_per_hour };
  if (override?.cost_per_1k_input_tokens != null && override.cost_per_1k_output_tokens != null) {
    const input = override.cost_per_1k_input_tokens / 1000;
    return { kind: 'tokens', source: 'override', inputPerToken: input, cacheReadPerToken: input, cacheWritePerToken: input, outputPerToken: override.cost_per_1k_output_tokens / 1000 };
  }
  const entry = catalogModel(provider, model);
  const prices = entry ? currentPrices(entry.model) : {};
  const flat = (key: string) => (typeof prices[key] === 'number' ? (prices[key] as number) / 1e6 : null);
  const input = flat('input_mtok');
  const output = flat('output_mtok');
  if (input === null || output === null) throw new ApiError(422, 'not_repriceable', `${provider}/${model} has no cost setting and no flat catalog price (tiered or unknown); set a cost setting first`, 'model');
  return { kind: 'tokens', source: 'catalog', inputPerToken: input, cacheReadPerToken: flat('cache_read_mtok') ?? input, cacheWritePerToken: flat('cache_write_mtok') ?? input, outputPerToken: output };
}

export function registerPricingRoutes(app: FastifyInstance, store: Store, settings: CostSettings, referenceModel = DEFAULT_REFERENCE_MODEL): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const presentSetting = (override: PriceOverride) => ({ ...override, updated_at: new Date(override.updated_at).toISOString() });

  typed.get('/api/v1/pricing/models', {
    config: { scope: 'read' },
    schema: { tags: ['costs'], summary: 'Known prices per 1M input, output and cached tokens', querystring: z.strictObject({ search: z.string().max(128).optional(), limit: z.coerce.number().int().min(1).max(2000).optional() }), response: { 200: z.object({ models: z.array(catalogPriceAnswer) }) } },
  }, async (request) => ({ models: listCatalog(request.query.search, request.query.limit ?? 200) }));

  typed.get('/api/v1/cost-settings', { config: { scope: 'read' }, schema: { tags: ['costs'], summary: 'Per-model cost settings', response: { 200: z.object({ settings: z.array(costSettingAnswer) }) } } }, async (request) => ({
    settings: settings.list(callerKey(request).project_id).map(presentSetting),
  }));

  typed.post('/api/v1/cost-settings', { config: { scope: 'admin' }, schema: { tags: ['costs'], summary: 'Set a model price (wins over the catalog) or electricity cost', body: priceOverrideInputSchema, response: { 200: costSettingAnswer } } }, async (request) => {
    const body = request.body;
    const override: PriceOverride = {
      project_id: callerKey(request).project_id, model: body.model, cost_per_1k_input_tokens: body.cost_per_1k_input_tokens ?? null,
      cost_per_1k_output_tokens: body.cost_per_1k_output_tokens ?? null, electricity_cost_per_hour: body.electricity_cost_per_hour ?? null, updated_at: Date.now(),
    };
    await settings.set(override);
    return presentSetting(override);
  });

  typed.delete('/api/v1/cost-settings/:model', { config: { scope: 'admin' }, schema: { tags: ['costs'], summary: 'Remove a cost setting', params: z.strictObject({ model: z.string().min(1).max(256) }) } }, async (request) => {
    if (!(await settings.delete(callerKey(request).project_id, request.params.model))) throw notFound('cost setting');
    return { deleted: true };
  });

  typed.post('/api/v1/cost-settings/reprice', { config: { scope: 'admin' }, schema: { tags: ['costs'], summary: "Recompute stored costs of a model over a time range with today's prices", body: repriceBody, response: { 200: repriceAnswer } } }, async (request) => {
    const projectId = callerKey(request).project_id;
    const body = request.body;
    const from = time('from', body.from);
    const to = time('to', body.to);
    if (from !== undefined && to !== undefined && to <= from) throw badRequest('to', 'must be after from');
    const provider = body.provider ?? (await store.sql.query<{ provider: string }>('SELECT provider FROM calls WHERE project_id = $1 AND model = $2 LIMIT 1', [projectId, body.model]))[0]?.provider ?? '';
    const rates = repriceRates(settings.get(projectId, body.model), provider, body.model);
    const updated = await store.calls.reprice({ projectId, model: body.model, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), rates });
    return { model: body.model, repriced_calls: updated, price_source: rates.kind === 'local' ? ('local' as const) : rates.source };
  });

  typed.post('/api/v1/estimate', { config: { scope: 'read' }, schema: { tags: ['costs'], summary: 'Estimate the tokens and cost of a call before making it', body: estimateBody, response: { 200: estimateAnswer } } }, async (request) =>
    estimateCost({ projectId: callerKey(request).project_id, ...request.body, messages: request.body.messages?.map((message) => ({ role: message.role, content: message.content })) }, settings));

  typed.get('/api/v1/analytics/savings', {
    config: { scope: 'read' },
    schema: { tags: ['costs'], summary: 'Savings of local models against a reference remote model', querystring: z.strictObject({ days: z.coerce.number().int().min(1).max(3650).optional(), reference_model: z.string().max(256).optional() }), response: { 200: savingsAnswer } },
  }, async (request) => {
    try {
      return await savings(store.sql, callerKey(request).project_id, request.query.days ?? 30, request.query.reference_model ?? referenceModel);
    } catch (error) {
      if (error instanceof UnknownReferenceModelError) throw badRequest('reference_model', error.message);
      throw error;
    }
  });

  typed.get('/api/v1/analytics/cost-projection', {
    config: { scope: 'read' },
    schema: { tags: ['costs'], summary: 'Projected monthly cost from the recent daily run-rate', querystring: z.strictObject({ days: z.coerce.number().int().min(1).max(90).optional() }), response: { 200: projectionAnswer } },
  }, async (request) => costProjection(store.sql, callerKey(request).project_id, request.query.days ?? 7));
}
