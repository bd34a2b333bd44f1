// Every message of every call of a session (or of one request), in time order, with
// roles. Chat clients resend the whole history on each call; by default the part of a
// call's input already shown (a previous call's input + answer) is skipped, and counted.
import { SqlParams, sqlTimestamp } from '../analytics/sql-params.js';
import { decodeCursor, encodeCursor, InvalidCursorError } from '../store/call-row.js';
import type { SqlReader } from '../store/ports.js';
import { inputMessages, messageKey, outputMessages, type ChatMessage } from './extract-messages.js';
import { requestCalls } from './request-calls.js';

/** How many earlier calls are compared against for repeated history. */
const CONTEXT_CALLS = 20;

interface ContentRow {
  id: string;
  request_id: string;
  started_at: number;
  model: string;
  agent: string | null;
  status: string;
  input: unknown;
  output: unknown;
}

export interface SessionMessage extends ChatMessage {
  index: number;
  call_id: string;
  request_id: string;
  started_at: string;
  model: string;
  agent: string | null;
  source: 'input' | 'output';
}

export interface CallMessageCount {
  call_id: string;
  input_messages: number;
  repeated_history: number;
  output_messages: number;
}

const parse = (value: unknown) => {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
};

const CONTENT_COLUMNS = 'id, request_id, started_at, model, agent, status, CAST(input AS VARCHAR) AS input, CAST(output AS VARCHAR) AS output';

function commonPrefix(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/** Builds the message list; `context` holds earlier calls' (input + output) message keys. */
export function flattenMessages(rows: ContentRow[], dedupe: boolean, context: string[][] = [], startIndex = 0) {
  const messages: SessionMessage[] = [];
  const counts: CallMessageCount[] = [];
  const contexts = [...context];
  for (const row of rows) {
    const inputs = inputMessages(parse(row.input));
    const outputs = outputMessages(parse(row.output));
    const inputKeys = inputs.map(messageKey);
    let repeated = 0;
    if (dedupe) for (const earlier of contexts) repeated = Math.max(repeated, commonPrefix(inputKeys, earlier));
    const base = { call_id: row.id, request_id: row.request_id, started_at: new Date(row.started_at).toISOString(), model: row.model, agent: row.agent };
    for (const message of inputs.slice(repeated)) messages.push({ index: startIndex + messages.length, ...base, source: 'input', ...message });
    for (const message of outputs) messages.push({ index: startIndex + messages.length, ...base, source: 'output', ...message });
    counts.push({ call_id: row.id, input_messages: inputs.length, repeated_history: repeated, output_messages: outputs.length });
    contexts.push([...inputKeys, ...outputs.map(messageKey)]);
    if (contexts.length > CONTEXT_CALLS) contexts.shift();
  }
  return { messages, counts };
}

export interface SessionMessagesQuery {
  projectId: string;
  sessionId: string;
  dedupe: boolean;
  limit: number;
  cursor?: string;
}

/** One page of a session's messages, `limit` calls at a time; null when the session has no calls. */
export async function sessionMessages(reader: SqlReader, query: SessionMessagesQuery) {
  const params = new SqlParams();
  let where = `project_id = ${params.add(query.projectId)} AND session_id = ${params.add(query.sessionId)}`;
  let before = '';
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    if (!cursor || typeof cursor.v !== 'number') throw new InvalidCursorError('cursor is not a cursor returned by this API');
    const at = params.add(sqlTimestamp(cursor.v));
    const id = params.add(cursor.id);
    where += ` AND (started_at, id) > (${at}::TIMESTAMP, ${id})`;
    before = `project_id = $1 AND session_id = $2 AND (started_at, id) <= ($3::TIMESTAMP, $4)`;
  }
  const rows = await reader.query<ContentRow>(
    `SELECT ${CONTENT_COLUMNS} FROM calls WHERE ${where} ORDER BY started_at, id LIMIT ${query.limit + 1}`,
    params.values,
  );
  if (rows.length === 0 && !query.cursor) return null;
  const earlier = before
    ? (await reader.query<ContentRow>(`SELECT ${CONTENT_COLUMNS} FROM calls WHERE ${before} ORDER BY started_at DESC, id DESC LIMIT ${CONTEXT_CALLS}`, params.values)).reverse()
    : [];
  const context = earlier.map((row) => [...inputMessages(parse(row.input)).map(messageKey), ...outputMessages(parse(row.output)).map(messageKey)]);
  const hasMore = rows.length > query.limit;
  const page = hasMore ? rows.slice(0, query.limit) : rows;
  const { messages, counts } = flattenMessages(page, query.dedupe, context);
  const last = page[page.length - 1];
  return {
    session_id: query.sessionId,
    deduplicated: query.dedupe,
    total_calls: page.length,
    total_messages: messages.length,
    messages,
    calls: counts,
    next_cursor: hasMore && last ? encodeCursor(last.started_at, last.id) : null,
  };
}

/** The messages of one request: its final attempt's input and answer. */
export async function requestMessages(reader: SqlReader, projectId: string, id: string) {
  const rows = await requestCalls<ContentRow>(reader, projectId, id, `${CONTENT_COLUMNS}, attempt`, 'attempt DESC, started_at DESC, id DESC', 1);
  const final = rows[0];
  if (!final) return null;
  const { messages } = flattenMessages([final], false);
  return { request_id: final.request_id, call_id: final.id, model: final.model, status: final.status, messages };
}
