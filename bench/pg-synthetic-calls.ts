// Synthetic calls for PostgreSQL benchmarks: the same rows as bench/synthetic-calls.ts (no
// content, 30 days up to now), generated inside PostgreSQL in 100,000-row statements.
import type { Store } from '../src/store/ports.js';

const DAY = 86_400_000;
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'claude-3-5-haiku', 'mistral-large-latest', 'llama3.1:8b'];
const PROVIDERS = ['openai', 'anthropic', 'mistral', 'ollama'];

/** The same rows as bench/synthetic-calls.ts (no content), generated inside PostgreSQL. */
export async function loadPostgresCalls(store: Store, calls: number): Promise<void> {
  const now = Date.now();
  const span = 30 * DAY;
  await store.sql.query(`SELECT ensure_calls_partition(d::date) FROM generate_series(to_timestamp(${(now - span) / 1000})::date, to_timestamp(${now / 1000})::date, '1 day') AS d`);
  const arr = (items: string[]) => `(ARRAY[${items.map((item) => `'${item}'`).join(',')}])`;
  const sql = `
    INSERT INTO calls (id, request_id, project_id, started_at, ended_at, latency_ms, ttft_ms, tokens_per_second, provider, model, endpoint, is_streaming, finish_reason,
      status, http_status, prompt_tokens, completion_tokens, total_tokens, cached_tokens, cache_write_tokens, reasoning_tokens, usage_source, cost_usd, price_source,
      is_fallback, attempt, cache_hit, tool_calls_count, user_id, session_id, agent, tags, properties, body_hash)
    SELECT 'syn-' || i, 'syn-' || i, 'default', ts, ts + interval '800 milliseconds', 200 + (h % 3000), 50 + ((h >> 3) % 400), 20 + ((h >> 5) % 80),
      ${arr(PROVIDERS)}[1 + i % 4], ${arr(MODELS)}[1 + i % 6], '/v1/chat/completions', i % 3 = 0, 'stop',
      CASE WHEN (h >> 7) % 10 = 9 THEN 'error' ELSE 'success' END, 200, 300 + i % 900, 80 + i % 300, 380 + i % 900 + i % 300, 0, 0, 0, 'provider',
      ((300 + i % 900) * 2.5 + (80 + i % 300) * 10.0) / 1e6, 'catalog', false, 1, false, 0, 'user-' || (i % 500), 'session-' || (i / 8),
      ${arr(['researcher', 'analyst', 'trader'])}[1 + i % 3], ARRAY['demo'], json_build_object('symbol', ${arr(['AAPL', 'TSLA', 'BTC-USD', 'EURUSD'])}[1 + i % 4]), 'synthetic'
    FROM generate_series(:start, :end) AS i,
      LATERAL (SELECT abs(hashint8(i)) AS h, to_timestamp((${now - span} + i * ${span}::bigint / ${calls}) / 1000.0) AT TIME ZONE 'UTC' AS ts) AS derived`;
  for (let start = 0; start < calls; start += 100_000) {
    await store.sql.query(sql.replace(':start', String(start)).replace(':end', String(Math.min(calls, start + 100_000) - 1)));
    process.stderr.write(`  postgres: ${Math.min(calls, start + 100_000).toLocaleString('en')} calls\n`);
  }
  await store.sql.query('ANALYZE calls');
}
