// Where an insert batch's time goes on PostgreSQL: N records with ~0.6 KB of content written
// through CallRepository.insertBatch in 2,000-record batches into a fresh schema (the search
// indexer stopped, so only the insert path runs), each statement timed on the client from send
// to its last result (a COPY until its stream has finished). Prints ms per batch by statement
// and its share of the whole batch, measured in the same run.
// Usage: npx tsx bench/pg-insert-statements.bench.ts [records=40000]
import { execFileSync } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { loadavg } from 'node:os';
import pg from 'pg';
import type { CallRecord } from '../src/domain/call-record.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { CallWrite } from '../src/store/ports.js';
import { createPgTestSchema } from '../test/helpers/pg-test-database.js';

const RECORDS = Number(process.argv[2] ?? 40_000);
const BATCH = 2000;
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'claude-3-5-haiku', 'mistral-large-latest', 'llama3.1:8b'];
const PROVIDERS = ['openai', 'anthropic', 'mistral', 'ollama'];

/** The same gateway-like record as bench/postgres-store.bench.ts. */
function record(i: number, now: number): CallWrite {
  const call: CallRecord = {
    id: `ing-${i}`, request_id: `ing-${i}`, project_id: 'ingest', trace_id: null, parent_id: null, started_at: now - (RECORDS - i) * 10, ended_at: now - (RECORDS - i) * 10 + 800,
    latency_ms: 200 + (i % 3000), ttft_ms: 50 + (i % 400), tokens_per_second: 20 + (i % 80), provider: PROVIDERS[i % 4]!, model: MODELS[i % 6]!, response_model: null,
    endpoint: '/v1/chat/completions', is_streaming: i % 3 === 0, finish_reason: 'stop', params: { temperature: 0.2 }, status: i % 10 === 9 ? 'error' : 'success',
    http_status: 200, error_type: null, error_message: null, prompt_tokens: 300 + (i % 900), completion_tokens: 80 + (i % 300), total_tokens: 380 + (i % 900) + (i % 300),
    cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, usage_source: 'provider', cost_usd: 0.001 + (i % 100) / 1e5, input_cost_usd: null, output_cost_usd: null,
    price_source: 'catalog', is_fallback: false, original_provider: null, attempt: 1, cache_hit: false, tool_calls_count: 0, api_key_id: null, user_id: `user-${i % 500}`,
    session_id: `session-${Math.floor(i / 8)}`, agent: 'analyst', conversation_name: null, account_id: null, tags: ['demo'], properties: { symbol: 'AAPL' }, confidence: null, signal: null,
    input: [{ role: 'user', content: `question ${i}: ${'summarize the quarterly report risk and revenue forecast '.repeat(6)}` }],
    output: { role: 'assistant', content: `answer ${i}: ${'the forecast holds steady '.repeat(6)}` },
  };
  return { call, bodyHash: `h${i}`, clientId: false };
}

const spent = new Map<string, number>();

/** Times every query of every pg client by the first words of its SQL. */
function timeEveryQuery(): void {
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = prototype.query;
  prototype.query = function timed(this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string }).text ?? 'COPY calls FROM STDIN');
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 60);
    const started = performance.now();
    const add = () => spent.set(key, (spent.get(key) ?? 0) + performance.now() - started);
    const result = query.apply(this, args);
    if (result instanceof Promise) result.then(add, add);
    else if (result && typeof (result as EventEmitter).on === 'function') (result as EventEmitter).on('finish', add);
    return result;
  };
}

async function main(): Promise<void> {
  if (!process.env.LOUPE_TEST_DATABASE_URL && !process.env.DATABASE_URL) {
    process.env.LOUPE_TEST_DATABASE_URL = execFileSync('bash', ['scripts/ensure-postgres.sh'], { encoding: 'utf8' }).trim();
  }
  const schema = await createPgTestSchema();
  const store = await openPostgresStore({ databaseUrl: schema.url, searchIndexIntervalMs: 0 });
  try {
    const now = Date.now();
    await store.calls.insertBatch([record(RECORDS, now)]);
    timeEveryQuery();
    console.log(`load average at start: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
    const started = performance.now();
    for (let offset = 0; offset < RECORDS; offset += BATCH) {
      const writes: CallWrite[] = [];
      for (let i = offset; i < Math.min(RECORDS, offset + BATCH); i++) writes.push(record(i, now));
      await store.calls.insertBatch(writes);
    }
    const batchMs = (performance.now() - started) / (RECORDS / BATCH);
    console.log(`\n${RECORDS.toLocaleString('en')} records: ${(RECORDS / (batchMs * (RECORDS / BATCH) / 1000)).toFixed(0)} records/s, ${batchMs.toFixed(1)} ms per ${BATCH}-record batch (load average ${loadavg().map((n) => n.toFixed(2)).join(' ')})`);
    console.log('| statement | ms per batch | share of the batch |\n|---|---|---|');
    let statements = 0;
    for (const [key, ms] of [...spent].sort((a, b) => b[1] - a[1])) {
      const perBatch = ms / (RECORDS / BATCH);
      statements += perBatch;
      console.log(`| \`${key}\` | ${perBatch.toFixed(1)} | ${(perBatch / batchMs).toFixed(2)} |`);
    }
    console.log(`| (in Loupe, between statements) | ${(batchMs - statements).toFixed(1)} | ${((batchMs - statements) / batchMs).toFixed(2)} |`);
  } finally {
    await store.close();
    await schema.drop();
  }
}

await main();
