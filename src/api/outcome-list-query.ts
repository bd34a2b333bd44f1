// The outcomes list's query: its own filters (target, session, name, status, when recorded)
// and the common filters, which apply to each outcome's deciding call.
import { z } from 'zod';
import { OUTCOME_STATUSES, type OutcomeStatus } from '../domain/outcome.js';
import type { CallFilters } from '../store/ports.js';
import { ApiError, badRequest } from './errors.js';
import { filterQueryShape, parseCallFilters } from './filter-query.js';

// The common filters (DESIGN.md) apply to each outcome's deciding call, except those the
// outcome has itself: `status` is the outcome's, the time window (`from`/`to`, `days`/`hours`)
// is when the outcome was recorded, and `session_id` holds the outcomes on the session or on
// any of its calls. The call's own status and time take a `call_` prefix.
const OWN_KEYS = new Set(['target', 'target_type', 'session_id', 'name', 'status', 'from', 'to', 'days', 'hours', 'limit', 'offset']);
const TIME_KEYS = ['from', 'to', 'days', 'hours'] as const;
const CALL_PREFIXED = ['status', ...TIME_KEYS] as const;

export const outcomeListQuery = z.looseObject({
  ...filterQueryShape,
  call_status: filterQueryShape.status.describe('status of the deciding call: success | error | timeout | cancelled'),
  call_from: filterQueryShape.from.describe('deciding call started at or after (ISO-8601)'),
  call_to: filterQueryShape.to.describe('deciding call started before (ISO-8601)'),
  call_days: filterQueryShape.days.describe('deciding call started within this many days'),
  call_hours: filterQueryShape.hours.describe('deciding call started within this many hours'),
  target: z.string().max(256).optional().describe('a call id or a session id'),
  target_type: z.enum(['call', 'session']).optional(),
  session_id: z.string().max(256).optional().describe('outcomes on this session or on any of its calls'),
  name: z.string().max(128).optional(),
  status: z.string().max(64).optional().describe('open | win | loss | neutral, comma-separated'),
  from: z.string().max(64).optional().describe('recorded at or after (ISO-8601)'),
  to: z.string().max(64).optional().describe('recorded before (ISO-8601)'),
  days: filterQueryShape.days.describe('recorded within this many days'),
  hours: filterQueryShape.hours.describe('recorded within this many hours'),
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('default 100'),
  offset: z.coerce.number().int().min(0).max(10_000_000).optional(),
});

/** Parses the common filters of `query`, naming a refused parameter as the caller spelled it. */
function parseRenamed(query: Record<string, unknown>, projectId: string, spelled: (name: string) => string): CallFilters {
  try {
    return parseCallFilters(query, projectId);
  } catch (error) {
    if (error instanceof ApiError && error.field !== undefined && spelled(error.field) !== error.field) {
      throw badRequest(spelled(error.field), error.message.slice(error.field.length + 2));
    }
    throw error;
  }
}

/** The outcome's own time window and the filters of its deciding call (none given: null). */
export function parseOutcomeFilters(query: Record<string, unknown>, projectId: string): { from?: number; to?: number; decidingCall: CallFilters | null } {
  const own: Record<string, unknown> = {};
  for (const name of TIME_KEYS) if (query[name] !== undefined) own[name] = query[name];
  const { from, to } = parseCallFilters(own, projectId);
  const callQuery: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!OWN_KEYS.has(name) && !name.startsWith('call_')) callQuery[name] = value;
  }
  for (const name of CALL_PREFIXED) if (query[`call_${name}`] !== undefined) callQuery[name] = query[`call_${name}`];
  const unknown = Object.keys(query).find((name) => name.startsWith('call_') && !(CALL_PREFIXED as readonly string[]).includes(name.slice(5)));
  if (unknown !== undefined) throw badRequest(unknown, 'is not a known query parameter');
  const prefixed = new Set<string>(CALL_PREFIXED);
  const decidingCall = parseRenamed(callQuery, projectId, (name) => (prefixed.has(name) ? `call_${name}` : name));
  const aboutTheCall = Object.keys(decidingCall).some((name) => name !== 'projectId');
  return {
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    decidingCall: aboutTheCall ? decidingCall : null,
  };
}

export function parseOutcomeStatuses(raw: string | undefined): OutcomeStatus[] | undefined {
  if (raw === undefined) return undefined;
  const values = raw.split(',').map((value) => value.trim()).filter(Boolean);
  for (const value of values) {
    if (!(OUTCOME_STATUSES as readonly string[]).includes(value)) throw badRequest('status', `must be one of ${OUTCOME_STATUSES.join(', ')}`);
  }
  return values as OutcomeStatus[];
}
