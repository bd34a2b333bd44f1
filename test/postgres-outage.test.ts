// PostgreSQL becoming unreachable under a running server (a TCP relay in front of it is cut):
// ingestion answers 503 with Retry-After, never an acknowledgement of what was not stored, and
// /health reports the store down; when the relay is back, the same request is stored once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgTestSchema, type PgTestSchema } from './helpers/pg-test-database.js';
import { TcpRelay } from './helpers/tcp-relay.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let schema: PgTestSchema;
let relay: TcpRelay;
let server: TestServer;

beforeAll(async () => {
  schema = await createPgTestSchema();
  relay = await TcpRelay.towards(schema.url);
  server = await startTestServer({ database_url: relay.through(schema.url) }, 'postgres');
});
afterAll(async () => {
  await server?.close().catch(() => undefined);
  await relay?.cut();
  await schema?.drop();
});

describe('PostgreSQL unreachable', () => {
  it('ingestion answers 503 with Retry-After, then stores the retried batch exactly once', async () => {
    const body = [{ id: 'outage-1', provider: 'openai', model: 'gpt-4o' }, { id: 'outage-2', provider: 'openai', model: 'gpt-4o' }];
    expect((await server.request('POST', '/api/v1/calls', { body: [{ id: 'before', provider: 'openai', model: 'gpt-4o' }] })).statusCode).toBe(200);
    await relay.cut();
    const refused = await server.request('POST', '/api/v1/calls', { body });
    expect(refused.statusCode, refused.body).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.json().error.code).toBe('store_unavailable');
    expect((await server.request('GET', '/health', { key: null })).statusCode).toBe(503);
    // Without a spool (an in-memory data dir) nothing could record gateway calls now.
    const gateway = await server.request('GET', '/health/gateway', { key: null });
    expect(gateway.statusCode).toBe(503);
    expect(gateway.json()).toMatchObject({ status: 'unavailable', recording: 'none', spool: null });
    await relay.open();
    const stored = await server.request('POST', '/api/v1/calls', { body });
    expect(stored.statusCode, stored.body).toBe(200);
    expect(stored.json().created).toBe(2);
    const again = await server.request('POST', '/api/v1/calls', { body });
    expect(again.json().duplicates).toBe(2);
    expect(await server.store.calls.count('default')).toBe(3);
  });
});
