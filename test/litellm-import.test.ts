// Seed 002 reads a LiteLLM proxy's spend logs: a LiteLLM_SpendLogs table as LiteLLM's schema
// defines it (PostgreSQL, from the test database), rows written as the proxy writes them, and a
// Loupe server importing them: each field where Loupe keeps it, the cost reported or priced
// here, rows read again never stored twice, a late row picked up, and a restart resuming.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiteLlmSync } from '../src/ingest/litellm/litellm-sync.js';
import { SpendLogReader } from '../src/ingest/litellm/spend-log-reader.js';
import { LITELLM_SPEND_LOGS_DDL } from './helpers/litellm-spend-logs.js';
import { connectedPgTestSchema, closePgTestSchema, type PgTestSchema } from './helpers/pg-test-database.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let schema: PgTestSchema;
let client: pg.Client;
let server: TestServer;
const NOW = Date.now();
const at = (minutesAgo: number, plusMs = 0) => new Date(NOW - minutesAgo * 60_000 + plusMs);

interface Row {
  request_id: string; call_type?: string; spend?: number; prompt_tokens?: number; completion_tokens?: number; start: Date; duration?: number; first_token_after?: number;
  model: string; model_group?: string; custom_llm_provider?: string; user?: string; end_user?: string; team_id?: string; metadata?: unknown; request_tags?: unknown;
  messages?: unknown; response?: unknown; session_id?: string; status?: string;
}

async function insert(row: Row) {
  const end = new Date(row.start.getTime() + (row.duration ?? 1000));
  await client.query(
    `INSERT INTO "LiteLLM_SpendLogs" (request_id, call_type, spend, total_tokens, prompt_tokens, completion_tokens, "startTime", "endTime", request_duration_ms,
       "completionStartTime", model, model_group, custom_llm_provider, "user", end_user, team_id, metadata, request_tags, messages, response, session_id, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7 AT TIME ZONE 'UTC', $8 AT TIME ZONE 'UTC', $9, $10 AT TIME ZONE 'UTC', $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`,
    [row.request_id, row.call_type ?? 'acompletion', row.spend ?? 0, (row.prompt_tokens ?? 0) + (row.completion_tokens ?? 0), row.prompt_tokens ?? 0, row.completion_tokens ?? 0,
      row.start.toISOString(), end.toISOString(), row.duration ?? null, row.first_token_after === undefined ? end.toISOString() : new Date(row.start.getTime() + row.first_token_after).toISOString(),
      row.model, row.model_group ?? '', row.custom_llm_provider ?? '', row.user ?? '', row.end_user ?? null, row.team_id ?? null,
      JSON.stringify(row.metadata ?? {}), JSON.stringify(row.request_tags ?? []), JSON.stringify(row.messages ?? {}), JSON.stringify(row.response ?? {}), row.session_id ?? null, row.status ?? 'success'],
  );
}

beforeAll(async () => {
  ({ schema, client } = await connectedPgTestSchema());
  await client.query(LITELLM_SPEND_LOGS_DDL);
  await insert({
    request_id: 'chatcmpl-1', spend: 0.0125, prompt_tokens: 1000, completion_tokens: 200, start: at(10), duration: 1500, first_token_after: 400,
    model: 'gpt-4o', model_group: 'gpt-4o', custom_llm_provider: 'openai', user: 'internal-user', end_user: 'user-a', team_id: 'team-1',
    metadata: { user_api_key_alias: 'ci-key', spend_logs_metadata: { agent_name: 'planner' }, usage_object: { prompt_tokens_details: { cached_tokens: 400 }, completion_tokens_details: { reasoning_tokens: 50 } } },
    request_tags: ['prod'], messages: [{ role: 'user', content: 'hi' }], response: { id: 'chatcmpl-1', choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }] },
    session_id: 'sess-1',
  });
  await insert({
    request_id: 'chatcmpl-2', start: at(9), duration: 300, model: 'claude-sonnet-4-20250514', custom_llm_provider: 'anthropic', session_id: 'sess-1', status: 'failure',
    metadata: { error_information: { error_code: '429', error_class: 'RateLimitError', error_message: 'Rate limit reached for requests' } },
  });
  // LiteLLM logs a spend of 0 when it has no price: Loupe prices what it can, and says "unpriced" otherwise.
  await insert({ request_id: 'chatcmpl-3', prompt_tokens: 50, completion_tokens: 5, start: at(8), model: 'my-finetune', custom_llm_provider: 'openai' });
  await insert({ request_id: 'chatcmpl-4', prompt_tokens: 100, completion_tokens: 10, start: at(5), model: 'gpt-4o-mini', custom_llm_provider: 'openai' });
  server = await startTestServer({ litellm_database_url: schema.url, litellm_sync_seconds: 3600 });
});
afterAll(async () => {
  await server?.close();
  await closePgTestSchema(schema, client);
});

const call = async (requestId: string) => {
  const response = await server.request('GET', `/api/v1/logs/${encodeURIComponent(`litellm:${requestId}`)}`);
  expect(response.statusCode, requestId).toBe(200);
  return response.json();
};

describe('LiteLLM spend-log import', () => {
  it('imports every row with its timings, tokens, cost, attribution and content', async () => {
    await server.request('POST', '/api/v1/import/litellm/run');
    await server.recorder.settled();
    const first = await call('chatcmpl-1');
    expect(first).toMatchObject({
      request_id: 'chatcmpl-1', provider: 'openai', model: 'gpt-4o', endpoint: '/v1/chat/completions', status: 'success', latency_ms: 1500, ttft_ms: 400,
      prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200, cached_tokens: 400, reasoning_tokens: 50, cost_usd: 0.0125, price_source: 'reported',
      user_id: 'user-a', session_id: 'sess-1', agent: 'planner', tags: ['litellm', 'prod'],
      properties: { team_id: 'team-1', model_group: 'gpt-4o', key_alias: 'ci-key', call_type: 'acompletion' },
      input: [{ role: 'user', content: 'hi' }], output: { role: 'assistant', content: 'hello' },
    });
    expect(first.started_at).toBe(at(10).toISOString());
    const failed = await call('chatcmpl-2');
    expect(failed).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-20250514', status: 'error', http_status: 429, error_type: 'RateLimitError', error_message: 'Rate limit reached for requests', session_id: 'sess-1' });
    // A non-streamed answer: LiteLLM sets its first token at the end, which is no time to first token.
    expect(failed.ttft_ms).toBeNull();
    expect(await call('chatcmpl-3')).toMatchObject({ cost_usd: null, price_source: 'unpriced' });
    const mini = await call('chatcmpl-4');
    expect(mini.price_source).toBe('catalog');
    // gpt-4o-mini: $0.15 in, $0.60 out per 1M tokens.
    expect(mini.cost_usd).toBeCloseTo(100 * 0.15e-6 + 10 * 0.6e-6, 12);

    // Seed 002's session summary over the imported calls.
    const summary = (await server.request('GET', '/api/v1/sessions/sess-1/summary')).json();
    expect(summary).toMatchObject({ session_id: 'sess-1', total_calls: 2, total_messages: 2, error_count: 1, agent_name: 'planner', user_id: 'user-a', models_used: ['claude-sonnet-4-20250514', 'gpt-4o'], total_cost: 0.0125 });
    const status = (await server.request('GET', '/api/v1/import/litellm')).json();
    expect(status).toMatchObject({ enabled: true, project_id: 'default', imported_total: 4, last_error: null, newest_row_at: at(5).toISOString() });
  });

  it('never stores a row twice, and picks up a row written late with an earlier start', async () => {
    const again = (await server.request('POST', '/api/v1/import/litellm/run')).json();
    expect(again.created).toBe(0);
    // Written after chatcmpl-4 but started a minute before it (LiteLLM writes its logs in batches).
    await insert({ request_id: 'chatcmpl-late', prompt_tokens: 10, completion_tokens: 2, start: at(6), model: 'gpt-4o-mini', custom_llm_provider: 'openai' });
    const late = (await server.request('POST', '/api/v1/import/litellm/run')).json();
    expect([late.created, late.invalid]).toEqual([1, 0]);
    await server.recorder.settled();
    await call('chatcmpl-late');
    const count = (await server.request('GET', '/api/v1/logs?days=1&tag=litellm&limit=100')).json().data.length;
    expect(count).toBe(5);
  });

  it('resumes after a restart from the newest call imported, not from the first row', async () => {
    const pool = new pg.Pool({ connectionString: schema.url, max: 1 });
    try {
      const restarted = new LiteLlmSync(new SpendLogReader(pool), server.store, server.recorder, { projectId: 'default' }, () => undefined);
      const run = await restarted.run();
      // Only the rows of the two minutes before the newest imported call are read again (the
      // late one and chatcmpl-4), and they are duplicates.
      expect(run).toEqual({ read: 2, created: 0, duplicates: 2, invalid: 0, first_invalid: null });
    } finally {
      await pool.end();
    }
  });

  it('is not there for another project, and says what to set', async () => {
    const other = await server.createKey('elsewhere', ['admin']);
    expect((await server.request('GET', '/api/v1/import/litellm', { key: other })).json()).toMatchObject({ enabled: false });
    const refused = await server.request('POST', '/api/v1/import/litellm/run', { key: other });
    expect(refused.statusCode).toBe(404);
    expect(refused.json().error.message).toContain('LOUPE_LITELLM_DATABASE_URL');
    const reader = await server.createKey('default', ['read']);
    expect((await server.request('POST', '/api/v1/import/litellm/run', { key: reader })).statusCode).toBe(403);
  });
});
