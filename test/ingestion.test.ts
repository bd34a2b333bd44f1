// Ingestion through the real HTTP stack: single and batch records, idempotency, the seed
// 004 record endpoint, and every bad-input rule of the ingestion API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const base = { provider: 'openai', model: 'gpt-4o', prompt_tokens: 100, completion_tokens: 20 };

describe('POST /api/v1/calls', () => {
  it('stores one record and returns it through the logs API with its derived fields', async () => {
    const started = Date.parse('2026-01-02T03:04:05.000Z');
    const response = await server.request('POST', '/api/v1/calls', {
      body: { ...base, id: 'single-1', started_at: '2026-01-02T03:04:05.000Z', latency_ms: 250, input: [{ role: 'user', content: 'hi' }] },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ id: 'single-1', status: 'created' });
    const detail = (await server.request('GET', '/api/v1/logs/single-1')).json();
    expect(detail.total_tokens).toBe(120);
    expect(detail.started_at).toBe('2026-01-02T03:04:05.000Z');
    expect(detail.ended_at).toBe(new Date(started + 250).toISOString());
    expect(detail.input).toEqual([{ role: 'user', content: 'hi' }]);
    expect(detail.project_id).toBe('default');
    expect(detail.status).toBe('success');
  });

  it('answers 207 with a result per item when part of a batch is invalid', async () => {
    const response = await server.request('POST', '/api/v1/calls', {
      body: [{ ...base, id: 'batch-1' }, { ...base, prompt_tokens: -1 }, { ...base, id: 'batch-3' }],
    });
    expect(response.statusCode).toBe(207);
    const body = response.json();
    expect(body.created).toBe(2);
    expect(body.failed).toBe(1);
    expect(body.results[1]).toMatchObject({ index: 1, status: 'invalid', error: { field: 'prompt_tokens' } });
    expect((await server.request('GET', '/api/v1/logs/batch-3')).statusCode).toBe(200);
  });

  it('answers 200 when the whole batch is stored', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ ...base, id: `full-${i}` }));
    const response = await server.request('POST', '/api/v1/calls', { body: items });
    expect(response.statusCode).toBe(200);
    expect(response.json().created).toBe(1000);
  });

  it('refuses a batch over 1,000 items', async () => {
    const items = Array.from({ length: 1001 }, () => base);
    const response = await server.request('POST', '/api/v1/calls', { body: items });
    expect(response.statusCode).toBe(400);
  });

  it('makes a retry with the same id and body idempotent, and a different body a conflict', async () => {
    const record = { ...base, id: 'idem-1', started_at: '2026-02-01T00:00:00Z' };
    const first = await server.request('POST', '/api/v1/calls', { body: record });
    const again = await server.request('POST', '/api/v1/calls', { body: record });
    expect(again.statusCode).toBe(first.statusCode);
    expect(again.json()).toEqual(first.json());
    const batchAgain = await server.request('POST', '/api/v1/calls', { body: [record, record] });
    expect(batchAgain.json().results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'duplicate']);
    const conflict = await server.request('POST', '/api/v1/calls', { body: { ...record, completion_tokens: 99 } });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.field).toBe('id');
    const count = await server.store.sql.query<{ n: number }>("SELECT count(*) AS n FROM calls WHERE id = 'idem-1'");
    expect(count[0]!.n).toBe(1);
  });

  it('treats ids with quotes and SQL as data, idempotently', async () => {
    const id = "x'); DELETE FROM calls; --'";
    const record = { ...base, id, started_at: '2026-02-01T00:00:00Z' };
    const before = await server.store.calls.count('default');
    expect((await server.request('POST', '/api/v1/calls', { body: record })).statusCode).toBe(201);
    const mixed = await server.request('POST', '/api/v1/calls', { body: [record, { ...record, id: 'fresh-beside-a-repeat' }] });
    expect(mixed.json().results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'created']);
    expect(await server.store.calls.count('default')).toBe(before + 2);
    expect((await server.request('GET', `/api/v1/logs/${encodeURIComponent(id)}`)).json().id).toBe(id);
    const control = await server.request('POST', '/api/v1/calls', { body: { ...record, id: 'a\u0000b' } });
    expect(control.statusCode).toBe(400);
    expect(control.json().error.field).toBe('id');
  });

  it('prepares large batches in a worker thread with the same results', async () => {
    const text = 'lorem ipsum dolor '.repeat(60);
    const items = Array.from({ length: 120 }, (_, i) => ({ ...base, id: `big-${i}`, input: [{ role: 'user', content: `${text} ${i}` }] }));
    items[7] = { ...items[7]!, prompt_tokens: -1 };
    const body = JSON.stringify(items);
    expect(body.length).toBeGreaterThan(64 * 1024);
    const response = await server.request('POST', '/api/v1/calls', { body, headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(207);
    const answer = response.json();
    expect([answer.created, answer.failed]).toEqual([119, 1]);
    expect(answer.results[7]).toMatchObject({ index: 7, id: 'big-7', status: 'invalid', error: { field: 'prompt_tokens' } });
    const stored = await server.store.sql.query<{ n: number }>("SELECT count(*) AS n FROM calls WHERE id LIKE 'big-%'");
    expect(stored[0]!.n).toBe(119);
    const detail = (await server.request('GET', '/api/v1/logs/big-42')).json();
    expect(detail.input).toEqual([{ role: 'user', content: `${text} 42` }]);
    const broken = await server.request('POST', '/api/v1/calls', { body: `${body.slice(0, -10)}`, headers: { 'content-type': 'application/json' } });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.code).toBe('invalid_json');
    const again = await server.request('POST', '/api/v1/calls', { body, headers: { 'content-type': 'application/json' } });
    expect(again.json().duplicates).toBe(119);
  });

  it('drops __proto__ and constructor keys from properties and free JSON', async () => {
    const payload = `{"provider":"openai","model":"m","id":"proto-1","properties":{"symbol":"EURUSD","__proto__":{"polluted":"yes"},"constructor":"x"},"params":{"__proto__":{"a":1},"temperature":0.2}}`;
    const response = await server.request('POST', '/api/v1/calls', { body: payload, headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(201);
    const detail = (await server.request('GET', '/api/v1/logs/proto-1')).json();
    expect(detail.properties).toEqual({ symbol: 'EURUSD' });
    expect(detail.params).toEqual({ temperature: 0.2 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('bad input', () => {
  const cases: [string, unknown, string][] = [
    ['missing model', { provider: 'openai' }, 'model'],
    ['wrong type', { ...base, prompt_tokens: 'many' }, 'prompt_tokens'],
    ['unknown field', { ...base, colour: 'red' }, 'colour'],
    ['negative tokens', { ...base, completion_tokens: -5 }, 'completion_tokens'],
    ['confidence above 1', { ...base, confidence: 1.5 }, 'confidence'],
    ['confidence below 0', { ...base, confidence: -0.1 }, 'confidence'],
    ['unparseable timestamp', { ...base, started_at: 'yesterday-ish' }, 'started_at'],
    ['absurd timestamp', { ...base, started_at: '1970-01-01T00:00:00Z' }, 'started_at'],
    ['timestamp Date.parse would read as May 2001', { ...base, started_at: '-5' }, 'started_at'],
    ['day past the end of its month', { ...base, started_at: '2026-02-30T00:00:00Z' }, 'started_at'],
    ['future timestamp', { ...base, started_at: '2999-01-01T00:00:00Z' }, 'started_at'],
    ['cached above prompt', { ...base, cached_tokens: 500 }, 'cached_tokens'],
    // prompt_tokens defaults to 0, so cached tokens alone are more than the prompt.
    ['cached without prompt', { provider: 'openai', model: 'gpt-4o', cached_tokens: 5 }, 'cached_tokens'],
    ['reasoning above completion', { ...base, reasoning_tokens: 500 }, 'reasoning_tokens'],
    ['unknown status', { ...base, status: 'meh' }, 'status'],
    ['overlong model', { ...base, model: 'x'.repeat(300) }, 'model'],
  ];
  it.each(cases)('%s → 400 naming the field', async (_name, body, field) => {
    const response = await server.request('POST', '/api/v1/calls', { body, headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(400);
    const error = response.json().error;
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(response.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('an unknown field in a schema-validated body → 400 naming that field', async () => {
    const response = await server.request('POST', '/api/v1/keys', { body: { name: 'k', scopes: ['read'], colour: 'blue' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_error', field: 'colour' });
  });

  it('malformed JSON → 400 invalid_json', async () => {
    const response = await server.request('POST', '/api/v1/calls', { body: '{"provider": "openai", ', headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_json');
  });

  it('a body over the limit → 413', async () => {
    const huge = JSON.stringify({ ...base, input: 'x'.repeat(6 * 1024 * 1024) });
    const response = await server.request('POST', '/api/v1/calls', { body: huge, headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('payload_too_large');
  });

  it('a body that is neither an object nor an array → 400', async () => {
    const response = await server.request('POST', '/api/v1/calls', { body: '"just a string"', headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(400);
  });
});

describe('auth and scoping', () => {
  it('refuses a missing, unknown or revoked key with 401', async () => {
    expect((await server.request('GET', '/api/v1/logs', { key: null })).statusCode).toBe(401);
    expect((await server.request('GET', '/api/v1/logs', { key: 'lp_unknown_key_abcdefghijklmnop' })).statusCode).toBe(401);
    const created = (await server.request('POST', '/api/v1/keys', { body: { name: 'temp', scopes: ['read'] } })).json();
    expect((await server.request('GET', '/api/v1/logs', { key: created.key })).statusCode).toBe(200);
    expect((await server.request('DELETE', `/api/v1/keys/${created.id}`)).statusCode).toBe(200);
    expect((await server.request('GET', '/api/v1/logs', { key: created.key })).statusCode).toBe(401);
  });

  it('accepts X-API-Key as well as Bearer', async () => {
    const response = await server.request('GET', '/api/v1/logs', { key: null, headers: { 'x-api-key': (await import('./helpers/test-server.js')).ADMIN_KEY } });
    expect(response.statusCode).toBe(200);
  });

  it('refuses a read key on a write route with 403', async () => {
    const readKey = await server.createKey('default', ['read']);
    const response = await server.request('POST', '/api/v1/calls', { key: readKey, body: base });
    expect(response.statusCode).toBe(403);
    expect((await server.request('POST', '/api/v1/keys', { key: readKey, body: { name: 'x', scopes: ['read'] } })).statusCode).toBe(403);
  });

  it("hides another project's calls (404) and never lists them", async () => {
    const otherKey = await server.createKey('other-project', ['admin']);
    await server.request('POST', '/api/v1/calls', { key: otherKey, body: { ...base, id: 'other-1' } });
    expect((await server.request('GET', '/api/v1/logs/other-1')).statusCode).toBe(404);
    expect((await server.request('DELETE', '/api/v1/logs/other-1')).statusCode).toBe(404);
    const list = (await server.request('GET', '/api/v1/logs?limit=1000')).json();
    expect(list.data.some((call: { id: string }) => call.id === 'other-1')).toBe(false);
    expect((await server.request('GET', '/api/v1/logs/other-1', { key: otherKey })).statusCode).toBe(200);
  });

  it('keeps /health and /openapi.json public', async () => {
    expect((await server.request('GET', '/health', { key: null })).statusCode).toBe(200);
    const openapi = await server.request('GET', '/openapi.json', { key: null });
    expect(openapi.statusCode).toBe(200);
    expect(Object.keys(openapi.json().paths)).toContain('/api/v1/logs');
  });
});

describe('POST /api/llm/record (seed 004)', () => {
  it('records a request and answers exactly as the seed documents', async () => {
    const response = await server.request('POST', '/api/llm/record', {
      body: {
        provider: 'ollama', model: 'llama3.2', status: 'success', prompt_tokens: 150, completion_tokens: 300, duration_seconds: 0.52,
        error_message: null, is_fallback: false, original_provider: null, session_id: 'session-123', endpoint: '/api/generate',
        user_id: 'user-1', metadata: { temperature: 0.7, max_tokens: 500 },
      },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ success: true, message: 'Request recorded' });
    const list = (await server.request('GET', '/api/v1/logs?session_id=session-123')).json();
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ provider: 'ollama', model: 'llama3.2', latency_ms: 520, total_tokens: 450, user_id: 'user-1', endpoint: '/api/generate' });
  });

  it('maps failed to error and answers the seed error shape for a missing provider', async () => {
    const failed = await server.request('POST', '/api/llm/record', { body: { provider: 'claude', model: 'claude-sonnet-4-5', status: 'failed', error_message: 'boom', session_id: 's-failed' } });
    expect(failed.json()).toEqual({ success: true, message: 'Request recorded' });
    const list = (await server.request('GET', '/api/v1/logs?session_id=s-failed')).json();
    expect(list.data[0].status).toBe('error');
    const missing = await server.request('POST', '/api/llm/record', { body: { model: 'x', status: 'success' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ success: false, error: 'Provider name required' });
  });
});
