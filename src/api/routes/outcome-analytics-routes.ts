// Outcome analytics (seed 000) under /api/v1/analytics/outcomes/*: model performance, P&L
// timeline, cost vs return, pipelines, calibration, signal reliability, lessons. Each takes
// the common filters (on the deciding calls; default window 30 days, as in the seed).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { OutcomeScope } from '../../outcomes/decisions-sql.js';
import { calibration, lessons, signalReliability } from '../../outcomes/learning-analytics.js';
import { COST_RETURN_DIMENSIONS, costVsReturn, modelPerformance, PNL_INTERVALS, pipelines, pnlTimeline } from '../../outcomes/performance-analytics.js';
import type { Store } from '../../store/ports.js';
import { callerKey } from '../auth-plugin.js';
import { filterQueryShape, parseCallFilters } from '../filter-query.js';

const DEFAULT_HOURS = 30 * 24;
const PREFIX = '/api/v1/analytics/outcomes';
const baseShape = { ...filterQueryShape, outcome_name: z.string().min(1).max(128).optional().describe('only outcomes with this name') };

function scopeOf(request: FastifyRequest, own: string[] = []): OutcomeScope {
  const key = callerKey(request);
  const query = request.query as Record<string, unknown>;
  const filters = parseCallFilters(query, key.project_id, new Set(['outcome_name', ...own]), { defaultHours: DEFAULT_HOURS });
  const outcomeName = typeof query.outcome_name === 'string' ? query.outcome_name : undefined;
  return { filters, ...(outcomeName !== undefined ? { outcomeName } : {}) };
}

export function registerOutcomeAnalyticsRoutes(app: FastifyInstance, store: Store): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['outcome analytics'];
  const plain = z.looseObject(baseShape);

  typed.get(`${PREFIX}/model-performance`, {
    config: { scope: 'read' },
    schema: { tags, summary: 'Per model: calls, avg confidence, outcomes, win rate, total P&L, avg cost per call', querystring: plain },
    handler: async (request) => ({ data: await modelPerformance(store.sql, scopeOf(request)) }),
  });

  typed.get(`${PREFIX}/pnl-timeline`, {
    config: { scope: 'read' },
    schema: {
      tags, summary: 'Realized value per time bucket and model, with cumulative totals',
      querystring: z.looseObject({ ...baseShape, interval: z.enum(PNL_INTERVALS).optional().describe('hour | day (default) | week | month') }),
    },
    handler: async (request) => pnlTimeline(store.sql, scopeOf(request, ['interval']), request.query.interval ?? 'day'),
  });

  typed.get(`${PREFIX}/cost-vs-return`, {
    config: { scope: 'read' },
    schema: {
      tags, summary: 'Spend on calls against realized value (net return, ROI) per model, provider or agent',
      querystring: z.looseObject({ ...baseShape, by: z.enum(COST_RETURN_DIMENSIONS).optional().describe('model (default) | provider | agent') }),
    },
    handler: async (request) => {
      const by = request.query.by ?? 'model';
      return { by, data: await costVsReturn(store.sql, scopeOf(request, ['by']), by) };
    },
  });

  typed.get(`${PREFIX}/pipelines`, {
    config: { scope: 'read' },
    schema: { tags, summary: 'Sessions grouped by their set of agents: sessions, cost, win rate, total value', querystring: plain },
    handler: async (request) => ({ data: await pipelines(store.sql, scopeOf(request)) }),
  });

  registerLearningRoutes(app, store);
}

/** The learning analytics: calibration, signal reliability, lessons. */
function registerLearningRoutes(app: FastifyInstance, store: Store): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['outcome analytics'];
  const plain = z.looseObject(baseShape);

  typed.get(`${PREFIX}/calibration`, {
    config: { scope: 'read' },
    schema: {
      tags, summary: 'Stated confidence against actual win rate per bucket, expected calibration error and Brier score',
      querystring: z.looseObject({ ...baseShape, buckets: z.coerce.number().int().min(2).max(100).optional().describe('equal-width buckets over [0, 1], default 10') }),
    },
    handler: async (request) => calibration(store.sql, scopeOf(request, ['buckets']), request.query.buckets ?? 10),
  });

  typed.get(`${PREFIX}/signal-reliability`, {
    config: { scope: 'read' },
    schema: { tags, summary: 'Per signal label (BUY/SELL/HOLD...): calls, outcomes, win rate, avg value', querystring: plain },
    handler: async (request) => ({ data: await signalReliability(store.sql, scopeOf(request)) }),
  });

  typed.get(`${PREFIX}/lessons`, {
    config: { scope: 'read' },
    schema: {
      tags, summary: 'Recurring lessons of closed outcomes: normalized text, frequency, avg value impact',
      querystring: z.looseObject({
        ...baseShape,
        min_frequency: z.coerce.number().int().min(1).max(1_000_000).optional().describe('default 1'),
        limit: z.coerce.number().int().min(1).max(1000).optional().describe('default 50'),
      }),
    },
    handler: async (request) => ({
      data: await lessons(store.sql, scopeOf(request, ['min_frequency', 'limit']), {
        minFrequency: request.query.min_frequency ?? 1, limit: request.query.limit ?? 50,
      }),
    }),
  });
}
