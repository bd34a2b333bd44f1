// Validates and stores outcomes posted by clients: each item is checked on its own (errors
// name the item and field), its target resolved to a call or a session of the caller's
// project, and the whole batch stored in one transaction (all or nothing).
import { uuidv7 } from 'uuidv7';
import { ApiError, badRequest, describeZodIssue } from '../api/errors.js';
import { outcomeInputSchema, type OutcomeInput, type OutcomePatchInput, type OutcomeRecord } from '../domain/outcome.js';
import { SqlParams } from '../analytics/sql-params.js';
import type { Store } from '../store/ports.js';

export const MAX_OUTCOME_BATCH = 1000;

interface KnownTargets {
  /** Call id → the call's session id. */
  calls: Map<string, string | null>;
  sessions: Set<string>;
}

/** Which of the given ids are call ids (with their sessions), and which are session ids, in the project. */
async function knownTargets(store: Store, projectId: string, targets: string[]): Promise<KnownTargets> {
  const unique = [...new Set(targets)];
  if (unique.length === 0) return { calls: new Map(), sessions: new Set() };
  const callParams = new SqlParams();
  const callProject = callParams.add(projectId);
  const callList = unique.map((id) => callParams.add(id)).join(', ');
  const sessionParams = new SqlParams();
  const sessionProject = sessionParams.add(projectId);
  const sessionList = unique.map((id) => sessionParams.add(id)).join(', ');
  const [callRows, sessionRows] = await Promise.all([
    store.sql.query<{ id: string; session_id: string | null }>(
      `SELECT id, session_id FROM calls WHERE project_id = ${callProject} AND id IN (${callList})`,
      callParams.values,
    ),
    store.sql.query<{ session_id: string }>(
      `SELECT DISTINCT session_id FROM calls WHERE project_id = ${sessionProject} AND session_id IN (${sessionList})`,
      sessionParams.values,
    ),
  ]);
  return { calls: new Map(callRows.map((row) => [row.id, row.session_id])), sessions: new Set(sessionRows.map((row) => row.session_id)) };
}

function parseItem(item: unknown, field: string): OutcomeInput {
  const parsed = outcomeInputSchema.safeParse(item);
  if (!parsed.success) {
    const described = describeZodIssue(parsed.error.issues, field);
    throw badRequest(described.field, described.message);
  }
  const input = parsed.data;
  if (input.status === 'open' && input.closed_at != null) throw badRequest(joinField(field, 'closed_at'), 'an open outcome has no closed_at');
  return input;
}

function joinField(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

/** The stored form of a validated outcome whose target has been resolved (`sessionId`: the
 * target call's session; a session target is its own). */
export function toRecord(input: OutcomeInput, targetType: 'call' | 'session', sessionId: string | null, projectId: string, now: number): OutcomeRecord {
  const closed = input.status !== 'open';
  return {
    id: input.id ?? uuidv7(),
    project_id: projectId,
    target: input.target,
    target_type: targetType,
    session_id: targetType === 'session' ? input.target : sessionId,
    name: input.name,
    status: input.status,
    value: input.value ?? null,
    // A closed outcome without a time closed when it was reported.
    closed_at: closed ? (input.closed_at ?? now) : null,
    lesson: input.lesson ?? null,
    properties: input.properties ?? {},
    created_at: now,
    updated_at: now,
  };
}

/** Validates every item, resolves targets, refuses taken ids, and stores the batch. */
export async function recordOutcomes(store: Store, projectId: string, items: unknown[], single: boolean): Promise<OutcomeRecord[]> {
  if (items.length > MAX_OUTCOME_BATCH) throw badRequest('(body)', `at most ${MAX_OUTCOME_BATCH} outcomes per request`);
  if (items.length === 0) throw badRequest('(body)', 'give at least one outcome');
  const prefix = (index: number) => (single ? '' : `[${index}]`);
  const inputs = items.map((item, index) => parseItem(item, prefix(index)));
  const targets = await knownTargets(store, projectId, inputs.map((input) => input.target));
  const now = Date.now();
  const records = inputs.map((input, index) => {
    const targetType = resolveTargetType(input, targets, joinField(prefix(index), 'target'));
    return toRecord(input, targetType, targets.calls.get(input.target) ?? null, projectId, now);
  });
  const seen = new Set<string>();
  records.forEach((record, index) => {
    if (seen.has(record.id)) throw badRequest(joinField(prefix(index), 'id'), 'is repeated in this request');
    seen.add(record.id);
  });
  const clientIds = inputs.flatMap((input) => (input.id ? [input.id] : []));
  const taken = new Set(await store.outcomes.existingIds(clientIds));
  const clash = records.findIndex((record) => taken.has(record.id));
  if (clash >= 0) throw new ApiError(409, 'conflict', `outcome ${records[clash]!.id} already exists; PATCH it instead`, joinField(prefix(clash), 'id'));
  await store.outcomes.insertMany(records);
  return records;
}

function resolveTargetType(input: OutcomeInput, targets: KnownTargets, field: string): 'call' | 'session' {
  const isCall = targets.calls.has(input.target);
  const isSession = targets.sessions.has(input.target);
  if (input.target_type === 'call') {
    if (!isCall) throw badRequest(field, 'no call with this id in the project');
    return 'call';
  }
  if (input.target_type === 'session') {
    if (!isSession) throw badRequest(field, 'no session with this id in the project');
    return 'session';
  }
  // Unstated type: a call id wins, since call ids are unique and session ids are caller-chosen.
  if (isCall) return 'call';
  if (isSession) return 'session';
  throw badRequest(field, 'no call or session with this id in the project');
}

/** Closes an open outcome or corrects a closed one; reopening or re-closing is refused. */
export async function patchOutcome(store: Store, projectId: string, id: string, patch: OutcomePatchInput): Promise<OutcomeRecord> {
  const current = await store.outcomes.get(projectId, id);
  if (!current) throw new ApiError(404, 'not_found', 'outcome not found');
  if (patch.status !== undefined && patch.status !== current.status && current.status !== 'open') {
    throw new ApiError(409, 'conflict', `the outcome is already closed as ${current.status}`, 'status');
  }
  const status = patch.status ?? current.status;
  if (status === 'open' && patch.closed_at != null) throw badRequest('closed_at', 'an open outcome has no closed_at');
  const closing = current.status === 'open' && status !== 'open';
  const closedAt = patch.closed_at !== undefined ? patch.closed_at : closing ? Date.now() : undefined;
  if (closedAt === null && status !== 'open') throw badRequest('closed_at', 'a closed outcome keeps its closed_at');
  const updated = await store.outcomes.update(projectId, id, {
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    ...(patch.value !== undefined ? { value: patch.value } : {}),
    ...(closedAt !== undefined ? { closed_at: closedAt } : {}),
    ...(patch.lesson !== undefined ? { lesson: patch.lesson } : {}),
    ...(patch.properties !== undefined ? { properties: patch.properties } : {}),
  });
  if (!updated) throw new ApiError(404, 'not_found', 'outcome not found');
  return updated;
}
