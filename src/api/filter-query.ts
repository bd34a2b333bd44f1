// Parses the common filters every list and analytics route accepts (DESIGN.md, API
// conventions) from a query string into CallFilters, refusing unknown parameters by name.
import { z } from 'zod';
import { CALL_STATUSES, type CallStatus } from '../domain/call-record.js';
import type { CallFilters } from '../store/ports.js';
import { badRequest } from './errors.js';
import { parseQueryTime } from './query-time.js';

const MAX_VALUE_LENGTH = 256;
const HOUR_MS = 3_600_000;

/** The documented filter parameters (for OpenAPI); `property.<name>` is accepted as well. */
export const filterQueryShape = {
  days: z.coerce.number().positive().max(3650).optional().describe('look back this many days'),
  hours: z.coerce.number().positive().max(87_600).optional().describe('look back this many hours'),
  from: z.string().optional().describe('ISO-8601 start (inclusive)'),
  to: z.string().optional().describe('ISO-8601 end (exclusive)'),
  project: z.string().optional().describe("must be the key's own project"),
  provider: z.union([z.string(), z.array(z.string())]).optional().describe('one or more, comma-separated'),
  model: z.union([z.string(), z.array(z.string())]).optional(),
  status: z.union([z.string(), z.array(z.string())]).optional().describe('success | error | timeout | cancelled'),
  user_id: z.string().optional(),
  session_id: z.string().optional(),
  trace_id: z.string().optional(),
  endpoint: z.string().optional().describe('the API path of the call, e.g. /v1/messages'),
  agent: z.string().optional(),
  tag: z.string().optional(),
  account_id: z.string().optional(),
  api_key_id: z.string().optional().describe('the Loupe key that made or recorded the call (its id, as GET /api/v1/keys lists it)'),
};

export const FILTER_KEYS = new Set(Object.keys(filterQueryShape));

function listValue(name: string, raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).flatMap((value) => String(value).split(',')).map((v) => v.trim()).filter(Boolean);
  for (const value of values) if (value.length > MAX_VALUE_LENGTH) throw badRequest(name, `values are limited to ${MAX_VALUE_LENGTH} characters`);
  return values.length > 0 ? values : undefined;
}

/** An empty value (`?agent=`, as a form sends an empty field) is the same as none given. */
function singleValue(name: string, raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw badRequest(name, 'must be given once');
  const value = String(raw);
  if (value.length > MAX_VALUE_LENGTH) throw badRequest(name, `is limited to ${MAX_VALUE_LENGTH} characters`);
  return value === '' ? undefined : value;
}

function timeValue(name: string, raw: unknown): number | undefined {
  const value = singleValue(name, raw);
  return value === undefined ? undefined : parseQueryTime(name, value);
}

function positiveNumber(name: string, raw: unknown, max: number): number | undefined {
  const value = singleValue(name, raw);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || number > max) throw badRequest(name, `must be a number in (0, ${max}]`);
  return number;
}

export interface FilterDefaults {
  /** Window applied when the query names none, in hours. */
  defaultHours?: number;
  now?: number;
}

/**
 * Reads the common filters. `allowed` lists the route's own extra parameters; any other
 * unknown parameter is refused so that a typo never silently widens a query.
 */
export function parseCallFilters(
  query: Record<string, unknown>,
  projectId: string,
  allowed: ReadonlySet<string> = new Set(),
  defaults: FilterDefaults = {},
): CallFilters {
  for (const key of Object.keys(query)) {
    if (FILTER_KEYS.has(key) || allowed.has(key) || key.startsWith('property.')) continue;
    throw badRequest(key, 'is not a known query parameter');
  }
  const project = singleValue('project', query.project);
  if (project !== undefined && project !== projectId) throw badRequest('project', "must be the API key's own project");

  const now = defaults.now ?? Date.now();
  const filters: CallFilters = { projectId };
  const days = positiveNumber('days', query.days, 3650);
  const hours = positiveNumber('hours', query.hours, 87_600);
  const from = timeValue('from', query.from);
  const to = timeValue('to', query.to);
  if (days !== undefined && hours !== undefined) throw badRequest('hours', 'give either days or hours, not both');
  if ((days !== undefined || hours !== undefined) && from !== undefined) throw badRequest('from', 'give either from/to or days/hours');
  if (from !== undefined) filters.from = from;
  if (to !== undefined) filters.to = to;
  if (from !== undefined && to !== undefined && to <= from) throw badRequest('to', 'must be after from');
  const windowHours = days !== undefined ? days * 24 : hours ?? (from === undefined ? defaults.defaultHours : undefined);
  if (windowHours !== undefined) filters.from = (to ?? now) - windowHours * HOUR_MS;

  const provider = listValue('provider', query.provider);
  if (provider) filters.provider = provider;
  const model = listValue('model', query.model);
  if (model) filters.model = model;
  const status = listValue('status', query.status);
  if (status) {
    for (const value of status) {
      if (!(CALL_STATUSES as readonly string[]).includes(value)) throw badRequest('status', `must be one of ${CALL_STATUSES.join(', ')}`);
    }
    filters.status = status as CallStatus[];
  }
  const userId = singleValue('user_id', query.user_id);
  if (userId !== undefined) filters.userId = userId;
  const sessionId = singleValue('session_id', query.session_id);
  if (sessionId !== undefined) filters.sessionId = sessionId;
  const traceId = singleValue('trace_id', query.trace_id);
  if (traceId !== undefined) filters.traceId = traceId;
  const endpoint = singleValue('endpoint', query.endpoint);
  if (endpoint !== undefined) filters.endpoint = endpoint;
  const agent = singleValue('agent', query.agent);
  if (agent !== undefined) filters.agent = agent;
  const tag = singleValue('tag', query.tag);
  if (tag !== undefined) filters.tag = tag;
  const accountId = singleValue('account_id', query.account_id);
  if (accountId !== undefined) filters.accountId = accountId;
  const apiKeyId = singleValue('api_key_id', query.api_key_id);
  if (apiKeyId !== undefined) filters.apiKeyId = apiKeyId;
  for (const key of Object.keys(query)) {
    if (!key.startsWith('property.')) continue;
    const name = key.slice('property.'.length);
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw badRequest(key, 'property names are letters, digits, _ . - (up to 64)');
    filters.properties = { ...filters.properties, [name]: singleValue(key, query[key]) ?? '' };
  }
  return filters;
}
