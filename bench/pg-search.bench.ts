// Logs search on PostgreSQL: N calls with content written through insertBatch (2,000 per
// batch), then a page of the newest 50 matches for a rare term, a common term and a term no
// call holds, with the text indexed and, where the store has a search queue, with the last
// `queued` calls still queued. Uses only the store's public API, so the same file runs against
// an older version for a before/after comparison (the queued case is skipped there). The
// baseline printed is the unfiltered newest-50 page of the same run.
// Usage: npx tsx bench/pg-search.bench.ts [calls=200000] [queued=20000]
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import type { CallRecord } from '../src/domain/call-record.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { CallWrite, LogQuery, Store } from '../src/store/ports.js';
import { createPgTestSchema } from '../test/helpers/pg-test-database.js';
import { percentile, timeRuns } from './timing.js';

const CALLS = Number(process.argv[2] ?? 200_000);
const QUEUED = Number(process.argv[3] ?? 20_000);
const BATCH = 2000;
const RUNS = 10;
const WORDS = ['revenue', 'forecast', 'quarterly', 'risk', 'summary', 'guidance', 'margin', 'churn'];

function record(i: number, now: number): CallWrite {
  // One call in 10,000 holds the rare term; every call holds "forecast".
  const rare = i % 10_000 === 7 ? ' zebrafinch' : '';
  const call: CallRecord = {
    id: `s-${i}`, request_id: `s-${i}`, project_id: 'search', trace_id: null, parent_id: null, started_at: now - (CALLS - i) * 100, ended_at: null,
    latency_ms: 300, ttft_ms: null, tokens_per_second: null, provider: 'openai', model: 'gpt-4o', response_model: null, endpoint: null, is_streaming: false,
    finish_reason: 'stop', params: null, status: 'success', http_status: 200, error_type: null, error_message: null, prompt_tokens: 10, completion_tokens: 10,
    total_tokens: 20, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, usage_source: 'provider', cost_usd: 0.001, input_cost_usd: null,
    output_cost_usd: null, price_source: 'catalog', is_fallback: false, original_provider: null, attempt: 1, cache_hit: false, tool_calls_count: 0,
    api_key_id: null, user_id: `u-${i % 300}`, session_id: null, agent: null, conversation_name: null, account_id: null, tags: [], properties: {},
    confidence: null, signal: null,
    input: [{ role: 'user', content: `question ${i}: ${Array.from({ length: 40 }, (_, w) => WORDS[(i * 7 + w * 3) % WORDS.length]).join(' ')} forecast${rare}` }],
    output: { role: 'assistant', content: `answer ${i}: the ${WORDS[i % WORDS.length]} holds steady` },
  };
  return { call, bodyHash: `h${i}`, clientId: false };
}

async function write(store: Store, from: number, to: number, now: number): Promise<void> {
  for (let offset = from; offset < to; offset += BATCH) {
    const writes: CallWrite[] = [];
    for (let i = offset; i < Math.min(to, offset + BATCH); i++) writes.push(record(i, now));
    await store.calls.insertBatch(writes);
  }
}

async function hasQueue(store: Store): Promise<boolean> {
  return (await store.sql.query<{ t: string | null }>("SELECT to_regclass('call_search_pending')::text AS t"))[0]?.t != null;
}

async function queued(store: Store): Promise<number> {
  return Number((await store.sql.query<{ n: number }>('SELECT count(*) AS n FROM call_search_pending'))[0]?.n ?? 0);
}

async function timeCases(store: Store, label: string): Promise<void> {
  const page = (search?: string): LogQuery => ({ filters: { projectId: 'search', ...(search ? { search } : {}) }, sort: 'started_at', order: 'desc', limit: 50 });
  const base = await timeRuns(RUNS, () => store.calls.list(page()));
  const baseP50 = percentile(base, 0.5);
  console.log(`\n${label} (load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}; ms over ${RUNS} runs after a warm-up)`);
  console.log('| newest 50 | p50 | p95 | ratio to the unfiltered page (p50) |\n|---|---|---|---|');
  console.log(`| no search (baseline) | ${baseP50.toFixed(1)} | ${percentile(base, 0.95).toFixed(1)} | 1.00 |`);
  for (const [name, term] of [['rare term (1 in 10,000)', 'zebrafinch'], ['common term (every call)', 'forecast'], ['term in no call', 'okapi']] as const) {
    const times = await timeRuns(RUNS, () => store.calls.list(page(term)));
    console.log(`| ${name} | ${percentile(times, 0.5).toFixed(1)} | ${percentile(times, 0.95).toFixed(1)} | ${(percentile(times, 0.5) / baseP50).toFixed(2)} |`);
  }
}

async function main(): Promise<void> {
  if (!process.env.LOUPE_TEST_DATABASE_URL && !process.env.DATABASE_URL) {
    process.env.LOUPE_TEST_DATABASE_URL = execFileSync('bash', ['scripts/ensure-postgres.sh'], { encoding: 'utf8' }).trim();
  }
  const schema = await createPgTestSchema();
  const store = await openPostgresStore({ databaseUrl: schema.url });
  const now = Date.now();
  try {
    console.log(`load average at start: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
    const indexedCalls = CALLS - QUEUED;
    await write(store, 0, indexedCalls, now);
    const queue = await hasQueue(store);
    if (queue) while ((await queued(store)) > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    await store.sql.query('ANALYZE');
    await timeCases(store, `${indexedCalls.toLocaleString('en')} calls, all indexed`);
    if (queue) {
      // Stop this store's indexer so the last calls stay queued, then write them.
      await store.close();
      const writer = await openPostgresStore({ databaseUrl: schema.url, searchIndexIntervalMs: 0 });
      try {
        await write(writer, indexedCalls, CALLS, now);
        await timeCases(writer, `${CALLS.toLocaleString('en')} calls, the last ${QUEUED.toLocaleString('en')} queued (${await queued(writer)} batches)`);
      } finally {
        await writer.close();
      }
      return;
    }
    await write(store, indexedCalls, CALLS, now);
    await timeCases(store, `${CALLS.toLocaleString('en')} calls`);
  } finally {
    await store.close().catch(() => undefined);
    await schema.drop();
  }
}

await main();
