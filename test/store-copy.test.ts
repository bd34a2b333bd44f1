// `loupe store copy`: an embedded store filled with demo data and every kind of setting is
// copied into a fresh PostgreSQL schema by the real command, killed once mid-copy and run
// again; the target then holds the same rows (counted, and sampled field by field), and the
// analytics overview answers the same on both stores.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../src/demo/generate-demo.js';
import { writeDemoToStore } from '../src/demo/write-demo.js';
import { SecretBox } from '../src/security/secret-box.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/ports.js';
import { createPgTestSchema, type PgTestSchema } from './helpers/pg-test-database.js';
import { spawnLoupe } from './helpers/spawn-server.js';
import { startTestServer } from './helpers/test-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CALLS = 4000;
const NOW = Date.now();

let schema: PgTestSchema;
let sourceDir: string;

beforeAll(async () => {
  schema = await createPgTestSchema();
  sourceDir = mkdtempSync(join(tmpdir(), 'loupe-spool-copy-'));
  const store = await openDuckDbStore({ dataDir: sourceDir, searchIndexIntervalMs: 0 });
  try {
    await writeDemoToStore(store, generateDemo({ calls: CALLS, days: 7, seed: 11, endMs: NOW }, 500), { projectId: 'default' });
    await fillSettings(store);
  } finally {
    await store.close();
  }
});
afterAll(async () => {
  await schema?.drop();
  rmSync(sourceDir, { recursive: true, force: true });
});

async function fillSettings(store: Store): Promise<void> {
  const at = Date.UTC(2026, 10, 1, 12);
  await store.projects.ensure('second', 'Second project', at);
  await store.apiKeys.insert({ id: 'key-live', project_id: 'default', name: 'ingest', prefix: 'lp_live', hash: 'hash-live', scopes: ['ingest'], created_at: at, revoked_at: null });
  await store.apiKeys.insert({ id: 'key-gone', project_id: 'second', name: 'old', prefix: 'lp_gone', hash: 'hash-gone', scopes: ['read', 'gateway'], created_at: at, revoked_at: null });
  await store.apiKeys.revoke('second', 'key-gone', at + 60_000);
  await store.budgets.insert({ id: 'budget-1', project_id: 'default', name: 'daily cap', budget_type: 'daily', amount: 12.5, scope: 'model', scope_value: 'gpt-4o', action: 'block', is_active: true, created_at: at, updated_at: at + 1000 });
  await store.priceOverrides.upsert({ project_id: 'default', model: 'llama3.2', cost_per_1k_input_tokens: null, cost_per_1k_output_tokens: null, electricity_cost_per_hour: 0.42, updated_at: at });
  await store.providers.upsert({
    name: 'local', display_name: 'Local', type: 'ollama', provider_type: 'local', base_url: 'http://127.0.0.1:11434', api_key_sealed: SecretBox.forDataDir(sourceDir).seal('sk-local'), models: ['llama3.2'],
    priority: 3, timeout_seconds: 60, circuit_breaker_threshold: 5, circuit_breaker_timeout: 30, max_retries: 1, is_enabled: true, allow_client_key: true, source: 'api', created_at: at, updated_at: at,
  });
  await store.providers.saveHealth({ name: 'local', circuit_state: 'open', failure_count: 5, total_requests: 40, successful_requests: 35, failed_requests: 5, avg_response_time_ms: 812.5, last_success_at: at, last_failure_at: at + 5000, updated_at: at + 5000 });
  await store.researchConfig.put('default', { objective: 'cheaper answers', budget_usd: 3 }, at);
  await store.alerts.putRule({ id: 'rule-1', project_id: 'default', name: 'slow', metric: 'p95_latency', operator: 'gt', threshold: 2500, window_minutes: 15, provider: null, model: 'gpt-4o', is_active: true, webhook_url: null, webhook_secret_sealed: null, created_at: at, updated_at: at });
  await store.suggestions.put({ id: 'sug-1', project_id: 'default', key: 'cost:gpt-4o', suggestion_type: 'cost', model_name: 'gpt-4o', title: 'Cheaper Model Available', description: 'gpt-4o-mini costs less', priority: 'medium', potential_improvement: '94% lower cost per call', is_implemented: true, created_at: at, updated_at: at + 5, implemented_at: at + 5 });
  await store.alerts.openEvent({ id: 'event-1', project_id: 'default', rule_id: 'rule-1', rule_name: 'slow', metric: 'p95_latency', operator: 'gt', threshold: 2500, metric_value: 3100, message: 'slow: p95_latency (3100.0) gt 2500.0', triggered_at: at + 1000, resolved_at: null, resolved_value: null, webhook_status: null });
}

function runCopy(): { done: Promise<{ code: number | null; stdout: string; stderr: string }>; kill(): void } {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'store', 'copy', '--from', sourceDir, '--to', schema.url, '--chunk-size', '200'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    done: new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr }))),
    kill: () => child.kill('SIGKILL'),
  };
}

async function targetCalls(client: pg.Client): Promise<number> {
  const exists = (await client.query<{ present: boolean }>("SELECT to_regclass('calls') IS NOT NULL AS present")).rows[0]!.present;
  return exists ? Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM calls')).rows[0]!.n) : 0;
}

describe('loupe store copy', () => {
  it('copies everything, survives being killed mid-copy, and verifies the counts', async () => {
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      const first = runCopy();
      const deadline = Date.now() + 60_000;
      while ((await targetCalls(client)) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      first.kill();
      await first.done;
      const partial = await targetCalls(client);
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(CALLS);
    } finally {
      await client.end();
    }

    const second = await runCopy().done;
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('resumed and finished');
    expect(second.stdout).toMatch(/calls\s+4,000\n/);
    // Not a terminal: plain progress lines, ending at 100 %.
    expect(second.stderr).toMatch(/calls\s+100%\s+4,000 \/ 4,000/);
    expect(second.stderr).not.toContain('\r');

    const again = await runCopy().done;
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('the target already holds data');

    const source = await openDuckDbStore({ dataDir: sourceDir, searchIndexIntervalMs: 0 });
    const target = await openPostgresStore({ databaseUrl: schema.url });
    try {
      expect(await target.calls.count('default')).toBe(CALLS);
      const ids = (await source.sql.query<{ id: string }>('SELECT id FROM calls ORDER BY id')).map((row) => row.id);
      for (const id of ids.filter((_, index) => index % 97 === 0)) {
        expect(await target.calls.get('default', id), id).toEqual(await source.calls.get('default', id));
      }
      const outcomeIds = (await source.sql.query<{ id: string }>('SELECT id FROM outcomes ORDER BY id')).map((row) => row.id);
      expect(outcomeIds.length).toBeGreaterThan(0);
      expect(Number((await target.sql.query<{ n: string }>('SELECT count(*) AS n FROM outcomes'))[0]!.n)).toBe(outcomeIds.length);
      for (const id of outcomeIds.filter((_, index) => index % 23 === 0)) {
        expect(await target.outcomes.get('default', id), id).toEqual(await source.outcomes.get('default', id));
      }
      expect(await target.projects.list()).toEqual(await source.projects.list());
      for (const project of ['default', 'second']) expect(await target.apiKeys.list(project)).toEqual(await source.apiKeys.list(project));
      expect((await target.apiKeys.get('second', 'key-gone'))?.revoked_at).toBe(Date.UTC(2026, 10, 1, 12) + 60_000);
      expect(await target.budgets.list()).toEqual(await source.budgets.list());
      expect(await target.alerts.listRules()).toEqual(await source.alerts.listRules());
      expect(await target.suggestions.list()).toEqual(await source.suggestions.list());
      expect(await target.alerts.listEvents({ limit: 10 })).toEqual(await source.alerts.listEvents({ limit: 10 }));
      expect(await target.priceOverrides.all()).toEqual(await source.priceOverrides.all());
      expect(await target.providers.list()).toEqual(await source.providers.list());
      expect(await target.providers.listHealth()).toEqual(await source.providers.listHealth());
      expect(await target.researchConfig.get('default')).toEqual(await source.researchConfig.get('default'));
    } finally {
      await source.close();
      await target.close();
    }

    const embedded = await startTestServer({ data_dir: sourceDir }, 'duckdb');
    // Provider keys were sealed with the source's generated secret: the PostgreSQL instance is given it.
    const scaled = await startTestServer({ database_url: schema.url, secret_key: readFileSync(join(sourceDir, 'secret.key'), 'utf8').trim() }, 'postgres');
    try {
      const range = `from=${new Date(NOW - 8 * 86_400_000).toISOString()}&to=${new Date(NOW + 3_600_000).toISOString()}`;
      const before = await embedded.request('GET', `/api/v1/analytics/overview?${range}`);
      const after = await scaled.request('GET', `/api/v1/analytics/overview?${range}`);
      expect(before.statusCode, before.body).toBe(200);
      expect(after.statusCode, after.body).toBe(200);
      expect(before.json().current.requests).toBe(CALLS);
      expectSameFigures(after.json(), before.json(), 'overview');
    } finally {
      await embedded.close();
      await scaled.close();
    }
  }, 180_000);
});

describe('loupe store copy from a store a server holds', () => {
  it('refuses, naming the lock and what to do', async () => {
    const server = await spawnLoupe({ LOUPE_DATA_DIR: sourceDir });
    try {
      const refused = await runCopy().done;
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`the store in ${sourceDir} is locked by a running Loupe server; stop it first`);
    } finally {
      server.process.kill('SIGTERM');
      await server.exited;
    }
  }, 60_000);
});

/** Equal structure and values; floating-point figures may differ in the last digits between engines. */
function expectSameFigures(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(Math.abs(actual - expected), `${path}: ${actual} against ${expected}`).toBeLessThanOrEqual(Math.abs(expected) * 1e-9 + 1e-12);
    return;
  }
  if (expected && typeof expected === 'object' && actual && typeof actual === 'object') {
    expect(Object.keys(actual).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) expectSameFigures((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}
