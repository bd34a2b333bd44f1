// LiteLLM spend-log import throughput: N rows written into a LiteLLM_SpendLogs table (LiteLLM's
// schema, on the test PostgreSQL) are imported by the sync into a file-backed DuckDB store. The
// baseline, measured in the same run on a fresh store, is ingestion of the very same mapped
// records without reading them from PostgreSQL; the ratio says what reading and paging cost.
// Both stores run without their background search indexer and rollup folder (which a server
// runs beside ingestion, not in its way).
// Usage: npx tsx bench/litellm-import.bench.ts [rows=100000]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ingestCalls } from '../src/ingest/ingest-calls.js';
import { LiteLlmSync } from '../src/ingest/litellm/litellm-sync.js';
import { SpendLogReader } from '../src/ingest/litellm/spend-log-reader.js';
import { spendLogToCall, type SpendLogRow } from '../src/ingest/litellm/spend-log-to-call.js';
import { Recorder } from '../src/recorder/recorder.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { LITELLM_SPEND_LOGS_DDL } from '../test/helpers/litellm-spend-logs.js';
import { createPgTestSchema } from '../test/helpers/pg-test-database.js';

const ROWS = Number(process.argv[2] ?? 100_000);
const BATCH = 2000;

// Rows as a proxy writes them (messages and responses stored).
const FILL = `INSERT INTO "LiteLLM_SpendLogs" (request_id, call_type, spend, total_tokens, prompt_tokens, completion_tokens, "startTime", "endTime", request_duration_ms,
    "completionStartTime", model, model_group, custom_llm_provider, end_user, metadata, request_tags, messages, response, session_id, status)
  SELECT 'req-' || i, 'acompletion', CASE WHEN i % 7 = 0 THEN 0 ELSE 0.0001 * (i % 50) END, 700, 500, 200,
    now() AT TIME ZONE 'UTC' - interval '2 days' + i * interval '1 second', now() AT TIME ZONE 'UTC' - interval '2 days' + i * interval '1 second' + interval '1200 milliseconds', 1200,
    now() AT TIME ZONE 'UTC' - interval '2 days' + i * interval '1 second' + interval '300 milliseconds',
    CASE WHEN i % 3 = 0 THEN 'gpt-4o-mini' ELSE 'gpt-4o' END, 'chat', 'openai', 'user-' || (i % 40),
    jsonb_build_object('spend_logs_metadata', jsonb_build_object('agent_name', 'agent-' || (i % 5)), 'user_api_key_alias', 'key-' || (i % 3)),
    '["prod"]'::jsonb,
    jsonb_build_array(jsonb_build_object('role', 'user', 'content', 'Summarize the quarterly report for team ' || (i % 97) || ' and list the main risks, costs and next steps in plain words.')),
    jsonb_build_object('choices', jsonb_build_array(jsonb_build_object('message', jsonb_build_object('role', 'assistant', 'content', 'The report shows revenue up, costs steady, and two risks to watch in the supply plan for team ' || (i % 97) || '.')))),
    'sess-' || (i / 8), CASE WHEN i % 50 = 0 THEN 'failure' ELSE 'success' END
  FROM generate_series(1, $1) AS i`;

async function withStore<T>(run: (store: Awaited<ReturnType<typeof openDuckDbStore>>, recorder: Recorder) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-litellm-bench-'));
  const store = await openDuckDbStore({ dataDir: dir, searchIndexIntervalMs: 0, rollupFoldIntervalMs: 0 });
  await store.projects.ensure('default', 'default');
  const recorder = new Recorder(store, { maxBatch: BATCH, flushIntervalMs: 5, maxQueue: 100_000 });
  try {
    return await run(store, recorder);
  } finally {
    await recorder.drain();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const schema = await createPgTestSchema();
const pool = new pg.Pool({ connectionString: schema.url, max: 2 });
try {
  await pool.query(LITELLM_SPEND_LOGS_DDL);
  await pool.query(FILL, [ROWS]);
  console.log(`LiteLLM spend-log import, ${ROWS.toLocaleString('en')} rows (load average ${loadavg().map((value) => value.toFixed(2)).join(' ')})`);
  const reader = new SpendLogReader(pool);

  // Baseline: the same rows, read and mapped first, then only ingested.
  const rows: SpendLogRow[] = [];
  for (let cursor = { time: 0, requestId: '' }; ;) {
    const page = await reader.page(cursor, 5000);
    rows.push(...page);
    if (page.length < 5000) break;
    cursor = { time: page.at(-1)!.start_time, requestId: page.at(-1)!.request_id };
  }
  const baseline = await withStore(async (_store, recorder) => {
    const started = performance.now();
    for (let at = 0; at < rows.length; at += BATCH) await ingestCalls(rows.slice(at, at + BATCH).map(spendLogToCall), { projectId: 'default', apiKeyId: null }, { recorder });
    return (performance.now() - started) / 1000;
  });

  const imported = await withStore(async (store, recorder) => {
    const sync = new LiteLlmSync(new SpendLogReader(pool), store, recorder, { projectId: 'default', pageRows: BATCH }, (error) => console.error(error));
    const started = performance.now();
    const run = await sync.run();
    const seconds = (performance.now() - started) / 1000;
    await recorder.drain();
    const stored = await store.calls.count('default');
    if (run.created !== ROWS || stored !== ROWS) throw new Error(`imported ${run.created}, stored ${stored}, of ${ROWS} rows`);
    return seconds;
  });

  console.log('| measure | seconds | rows/s |');
  console.log('|---|---|---|');
  console.log(`| ingestion of the mapped records (baseline) | ${baseline.toFixed(2)} | ${Math.round(ROWS / baseline).toLocaleString('en')} |`);
  console.log(`| import from PostgreSQL (read, map, ingest) | ${imported.toFixed(2)} | ${Math.round(ROWS / imported).toLocaleString('en')} |`);
  console.log(`ratio import / baseline: ${(baseline / imported).toFixed(2)}; every row stored once`);
} finally {
  await pool.end();
  await schema.drop();
}
