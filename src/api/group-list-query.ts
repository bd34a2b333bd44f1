// The list query of calls grouped into sessions or traces: the common filters, a sort, cost
// bounds and a keyset cursor; and the page answered in one shape for both.
import { z } from 'zod';
import { SESSION_SORTS, type SessionListQuery } from '../sessions/session-query.js';
import { InvalidCursorError } from '../store/call-row.js';
import type { CallFilters } from '../store/ports.js';
import { badRequest } from './errors.js';
import { filterQueryShape, parseCallFilters } from './filter-query.js';

export const MAX_GROUP_LIMIT = 1000;
const LIST_KEYS = new Set(['sort', 'order', 'limit', 'cursor', 'min_cost', 'max_cost']);

export const groupPaging = {
  sort: z.enum(SESSION_SORTS).optional().describe('start (default) | cost | duration | calls | tokens'),
  order: z.enum(['asc', 'desc']).optional().describe('default desc'),
  limit: z.coerce.number().int().min(1).max(MAX_GROUP_LIMIT).optional().describe('default 50, at most 1000'),
  cursor: z.string().max(512).optional().describe('next_cursor of the previous page'),
};
const cost = z.coerce.number().min(0).max(1e9);

export const groupListQuery = z.looseObject({ ...filterQueryShape, ...groupPaging, min_cost: cost.optional(), max_cost: cost.optional() });
export type GroupListQueryString = z.infer<typeof groupListQuery>;

interface GroupListParts {
  sort?: SessionListQuery['sort'] | undefined;
  order?: SessionListQuery['order'] | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
  min_cost?: number | undefined;
  max_cost?: number | undefined;
}

/** A list query from its parts, the cost bounds checked against each other. */
export function groupListFrom(filters: CallFilters, parts: GroupListParts): SessionListQuery {
  if (parts.min_cost !== undefined && parts.max_cost !== undefined && parts.max_cost < parts.min_cost) throw badRequest('max_cost', 'must be at least min_cost');
  return {
    filters, sort: parts.sort ?? 'start', order: parts.order ?? 'desc', limit: parts.limit ?? 50,
    ...(parts.cursor ? { cursor: parts.cursor } : {}),
    ...(parts.min_cost !== undefined ? { minCost: parts.min_cost } : {}),
    ...(parts.max_cost !== undefined ? { maxCost: parts.max_cost } : {}),
  };
}

/** The list query of a GET route's query string. */
export function parseGroupListQuery(query: GroupListQueryString, projectId: string): SessionListQuery {
  return groupListFrom(parseCallFilters(query, projectId, LIST_KEYS), query);
}

/** A page of groups in the lists' answer shape; a cursor the API never gave is 400. */
export async function pageOfGroups<T>(list: () => Promise<{ items: T[]; nextCursor: string | null }>) {
  try {
    const page = await list();
    return { data: page.items, next_cursor: page.nextCursor, has_more: page.nextCursor !== null };
  } catch (error) {
    if (error instanceof InvalidCursorError) throw badRequest('cursor', error.message);
    throw error;
  }
}
