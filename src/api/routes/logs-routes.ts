// The logs API: filtered, searchable, sortable pages of calls; one call in full; deletes;
// and the stats overview of seed 003.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { logStats } from '../../analytics/log-stats.js';
import { InvalidCursorError } from '../../store/call-row.js';
import { LOG_SORT_COLUMNS, type Store } from '../../store/ports.js';
import { callerKey } from '../auth-plugin.js';
import { badRequest, notFound } from '../errors.js';
import { filterQueryShape, parseCallFilters } from '../filter-query.js';
import { presentCall } from '../present-call.js';
import type { LivePublisher } from '../../live/live-publisher.js';

const MAX_SEARCH_LENGTH = 200;
const MAX_LIMIT = 1000;
const LIST_KEYS = new Set(['search', 'sort', 'order', 'limit', 'cursor', 'page', 'include_total']);

const listQuery = z.looseObject({
  ...filterQueryShape,
  search: z.string().max(MAX_SEARCH_LENGTH).optional().describe('case-insensitive substring of the prompt or the response'),
  sort: z.enum(LOG_SORT_COLUMNS).optional().describe('default started_at'),
  order: z.enum(['asc', 'desc']).optional().describe('default desc'),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional().describe('default 50, at most 1000'),
  cursor: z.string().max(512).optional().describe('next_cursor of the previous page'),
  page: z.coerce.number().int().min(1).max(1_000_000).optional().describe('1-based page number (cursor paging is faster)'),
  include_total: z.enum(['true', 'false']).optional().describe('count all matches (default true in page mode)'),
});

const idParams = z.strictObject({ id: z.string().min(1).max(128) });

export function registerLogsRoutes(app: FastifyInstance, store: Store, live?: LivePublisher): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get('/api/v1/logs', {
    config: { scope: 'read' },
    schema: { tags: ['logs'], summary: 'List calls with filters, search, sorting and paging', querystring: listQuery },
    handler: async (request) => {
      const key = callerKey(request);
      const query = request.query;
      const filters = parseCallFilters(query, key.project_id, LIST_KEYS);
      if (query.search) {
        if (query.search.trim().length === 0) throw badRequest('search', 'must not be blank');
        filters.search = query.search;
      }
      const limit = query.limit ?? 50;
      const pageMode = query.page !== undefined && query.cursor === undefined;
      const withTotal = query.include_total ? query.include_total === 'true' : pageMode;
      try {
        const page = await store.calls.list({
          filters, sort: query.sort ?? 'started_at', order: query.order ?? 'desc', limit,
          ...(query.cursor ? { cursor: query.cursor } : {}), ...(query.page ? { page: query.page } : {}), withTotal,
        });
        const current = query.page ?? 1;
        return {
          data: page.items.map(presentCall),
          next_cursor: page.nextCursor,
          has_more: page.nextCursor !== null,
          total: page.total,
          ...(pageMode || page.total !== null
            ? { pagination: { page: current, limit, total_pages: page.total === null ? null : Math.ceil(page.total / limit) } }
            : {}),
        };
      } catch (error) {
        if (error instanceof InvalidCursorError) throw badRequest('cursor', error.message);
        throw error;
      }
    },
  });

  typed.get('/api/v1/logs/stats', {
    config: { scope: 'read' },
    schema: { tags: ['logs'], summary: 'Overview counts, rates, per-provider and hourly rows, recent calls', querystring: z.looseObject(filterQueryShape) },
    handler: async (request) => {
      const key = callerKey(request);
      const filters = parseCallFilters(request.query, key.project_id, new Set(), { defaultHours: 24 });
      return logStats(store.sql, filters);
    },
  });

  typed.get('/api/v1/logs/:id', {
    config: { scope: 'read' },
    schema: { tags: ['logs'], summary: 'One call in full, with its input and output', params: idParams },
    handler: async (request) => {
      const key = callerKey(request);
      const call = await store.calls.get(key.project_id, request.params.id);
      if (!call) throw notFound('call');
      return presentCall(call);
    },
  });

  typed.delete('/api/v1/logs/:id', {
    config: { scope: 'admin' },
    schema: { tags: ['logs'], summary: 'Delete one call', params: idParams },
    handler: async (request) => {
      const key = callerKey(request);
      const deleted = await store.calls.deleteByIds(key.project_id, [request.params.id]);
      if (deleted > 0) live?.deleted(key.project_id, [request.params.id]);
      if (deleted === 0) throw notFound('call');
      return { deleted: true, id: request.params.id };
    },
  });

  typed.post('/api/v1/logs/bulk-delete', {
    config: { scope: 'admin' },
    schema: {
      tags: ['logs'],
      summary: 'Delete many calls by id',
      body: z.strictObject({ ids: z.array(z.string().min(1).max(128)).min(1).max(MAX_LIMIT) }),
    },
    handler: async (request) => {
      const key = callerKey(request);
      const ids = [...new Set(request.body.ids)];
      const deletedCount = await store.calls.deleteByIds(key.project_id, ids);
      if (deletedCount > 0) live?.deleted(key.project_id, ids);
      return { deletedCount, message: `${deletedCount} logs deleted successfully` };
    },
  });
}

