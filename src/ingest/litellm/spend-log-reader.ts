// Reads a LiteLLM proxy's spend logs from its PostgreSQL database, oldest first, in pages keyed
// by (startTime, request_id). Columns added by newer proxies are read only where the table has
// them, so older proxies' databases work too.
import type pg from 'pg';
import type { SpendLogRow } from './spend-log-to-call.js';

const TABLE = '"LiteLLM_SpendLogs"';

/** Each row field and the SQL that reads it; `column` is the one it needs, when optional. */
const FIELDS: { field: keyof SpendLogRow; sql: string; column?: string }[] = [
  { field: 'request_id', sql: 'request_id' },
  { field: 'call_type', sql: 'call_type' },
  { field: 'spend', sql: 'spend' },
  { field: 'total_tokens', sql: 'total_tokens' },
  { field: 'prompt_tokens', sql: 'prompt_tokens' },
  { field: 'completion_tokens', sql: 'completion_tokens' },
  { field: 'start_time', sql: '(extract(epoch FROM "startTime") * 1000)::float8' },
  { field: 'end_time', sql: '(extract(epoch FROM "endTime") * 1000)::float8' },
  { field: 'completion_start_time', sql: '(extract(epoch FROM "completionStartTime") * 1000)::float8', column: 'completionStartTime' },
  { field: 'request_duration_ms', sql: 'request_duration_ms', column: 'request_duration_ms' },
  { field: 'model', sql: 'model' },
  { field: 'model_group', sql: 'model_group', column: 'model_group' },
  { field: 'custom_llm_provider', sql: 'custom_llm_provider', column: 'custom_llm_provider' },
  { field: 'user', sql: '"user"' },
  { field: 'end_user', sql: 'end_user', column: 'end_user' },
  { field: 'team_id', sql: 'team_id', column: 'team_id' },
  { field: 'metadata', sql: 'metadata' },
  { field: 'cache_hit', sql: 'cache_hit' },
  { field: 'request_tags', sql: 'request_tags' },
  { field: 'messages', sql: 'messages', column: 'messages' },
  { field: 'response', sql: 'response', column: 'response' },
  { field: 'session_id', sql: 'session_id', column: 'session_id' },
  { field: 'status', sql: 'status', column: 'status' },
  { field: 'agent_id', sql: 'agent_id', column: 'agent_id' },
];

export interface SpendLogCursor {
  /** Epoch ms of the last row read. */
  time: number;
  requestId: string;
}

export class SpendLogReader {
  private select: string | null = null;

  constructor(private readonly pool: pg.Pool) {}

  private async selectList(): Promise<string> {
    if (this.select !== null) return this.select;
    const rows = (await this.pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'LiteLLM_SpendLogs' AND table_schema = ANY (current_schemas(false))`,
    )).rows;
    if (rows.length === 0) throw new Error('the database has no LiteLLM_SpendLogs table (is it the LiteLLM proxy\'s database?)');
    const columns = new Set(rows.map((row) => row.column_name));
    this.select = FIELDS.map(({ field, sql, column }) => `${column === undefined || columns.has(column) ? sql : 'NULL'} AS ${field === 'user' ? '"user"' : field}`).join(', ');
    return this.select;
  }

  /** Up to `limit` rows after `after`, oldest first. */
  async page(after: SpendLogCursor, limit: number): Promise<SpendLogRow[]> {
    const result = await this.pool.query<SpendLogRow>(
      `SELECT ${await this.selectList()} FROM ${TABLE}
       WHERE ("startTime", request_id) > (to_timestamp($1::float8 / 1000) AT TIME ZONE 'UTC', $2)
       ORDER BY "startTime", request_id LIMIT $3`,
      [after.time, after.requestId, limit],
    );
    return result.rows;
  }
}
