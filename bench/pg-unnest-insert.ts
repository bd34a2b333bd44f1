// The multi-row insert that COPY replaced in the PostgreSQL calls repository (one
// INSERT ... SELECT FROM unnest(column arrays) per batch), kept as the same-run reference of
// bench/postgres-store.bench.ts.
import { CALL_COLUMNS } from '../src/domain/call-record.js';
import { sqlTimestamp } from '../src/analytics/sql-params.js';
import type { CallWrite } from '../src/store/ports.js';

type Column = (typeof CALL_COLUMNS)[number];

/** The array type each column travels as; tags go as JSON text (unnest would flatten a 2-D array). */
const ARRAY_TYPES: Record<Column, string> = {
  id: 'text', request_id: 'text', project_id: 'text', trace_id: 'text', parent_id: 'text',
  started_at: 'timestamp', ended_at: 'timestamp', latency_ms: 'float8', ttft_ms: 'float8', tokens_per_second: 'float8',
  provider: 'text', model: 'text', response_model: 'text', endpoint: 'text', is_streaming: 'bool', finish_reason: 'text', params: 'json',
  status: 'text', http_status: 'int4', error_type: 'text', error_message: 'text',
  prompt_tokens: 'int8', completion_tokens: 'int8', total_tokens: 'int8', cached_tokens: 'int8', cache_write_tokens: 'int8',
  reasoning_tokens: 'int8', usage_source: 'text',
  cost_usd: 'float8', input_cost_usd: 'float8', output_cost_usd: 'float8', price_source: 'text',
  is_fallback: 'bool', original_provider: 'text', attempt: 'int4', cache_hit: 'bool', tool_calls_count: 'int4', api_key_id: 'text',
  user_id: 'text', session_id: 'text', agent: 'text', conversation_name: 'text', account_id: 'text', tags: 'jsonb', properties: 'json',
  confidence: 'float8', signal: 'text', input: 'json', output: 'json',
};

const INSERT_COLUMNS = [...CALL_COLUMNS, 'body_hash'] as const;
export const UNNEST_INSERT_SQL = (() => {
  const arrays = INSERT_COLUMNS.map((column, i) => `$${i + 1}::${column === 'body_hash' ? 'text' : ARRAY_TYPES[column]}[]`);
  const selected = INSERT_COLUMNS.map((column) => (column === 'tags' ? 'ARRAY(SELECT jsonb_array_elements_text(u.tags))' : `u.${column}`));
  return `INSERT INTO calls (${INSERT_COLUMNS.join(', ')}) SELECT ${selected.join(', ')} FROM unnest(${arrays.join(', ')}) AS u(${INSERT_COLUMNS.join(', ')})`;
})();

function jsonText(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export function unnestParameters(writes: CallWrite[]): unknown[][] {
  const arrays = INSERT_COLUMNS.map(() => new Array<unknown>(writes.length));
  writes.forEach((write, row) => {
    const call = write.call as unknown as Record<string, unknown>;
    INSERT_COLUMNS.forEach((column, i) => {
      let value: unknown;
      if (column === 'body_hash') value = write.bodyHash;
      else if (column === 'started_at' || column === 'ended_at') value = call[column] === null ? null : sqlTimestamp(call[column] as number);
      else if (column === 'input') value = write.inputJson !== undefined ? write.inputJson : jsonText(call.input);
      else if (column === 'output') value = write.outputJson !== undefined ? write.outputJson : jsonText(call.output);
      else if (column === 'params' || column === 'tags' || column === 'properties') value = jsonText(call[column]);
      else value = call[column] ?? null;
      arrays[i]![row] = value;
    });
  });
  return arrays;
}
