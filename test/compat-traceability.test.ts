// Seed 002 (Traceability) under /compat/traceability: every one of its routes answers exactly
// what the native route at the same path answers the same caller, errors included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
const PREFIX = '/compat/traceability';

beforeAll(async () => {
  server = await startTestServer();
  const started = Date.now() - 3600_000;
  const calls = [0, 1, 2].map((i) => ({
    id: `trace-${i}`, request_id: `req-${i}`, provider: 'openai', model: i === 2 ? 'gpt-4o-mini' : 'gpt-4o', started_at: new Date(started + i * 60_000).toISOString(),
    latency_ms: 1000 + i * 100, prompt_tokens: 100, completion_tokens: 20, session_id: 'sess-t', agent: 'customer_support', user_id: 'user-t',
    input: [{ role: 'user', content: `question ${i}` }], output: { role: 'assistant', content: `answer ${i}` },
  }));
  expect((await server.request('POST', '/api/v1/calls', { body: calls })).statusCode).toBe(200);
  await server.recorder.settled();
});
afterAll(async () => server.close());

describe('seed 002 at /compat/traceability', () => {
  it('answers every route as the native route at the same path does', async () => {
    // Fixed bounds: a range relative to now would differ by the milliseconds between the two asks.
    const range = `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/v1/sessions/sess-t/messages'],
      ['GET', '/api/v1/sessions/sess-t/summary'],
      ['POST', '/api/v1/sessions/search', { agent_name: 'customer_support', min_cost: 0.0001 }],
      ['GET', `/api/v1/analytics/overview?${range}`],
      ['GET', `/api/v1/analytics/agents?${range}`],
      ['GET', `/api/v1/analytics/models?${range}`],
      ['GET', `/api/v1/analytics/usage-trends?interval=hour&${range}`],
      ['GET', `/api/v1/analytics/cost-breakdown?by=model&${range}`],
      ['GET', '/api/v1/requests/req-1'],
      ['GET', '/api/v1/requests/req-1/messages'],
      ['GET', '/api/v1/sessions/no-such-session/summary'],
      ['POST', '/api/v1/sessions/search', { agent_name: 'x', min_cost: -1 }],
    ];
    for (const [method, path, body] of routes) {
      const native = await server.request(method, path, body === undefined ? {} : { body });
      const compat = await server.request(method, `${PREFIX}${path}`, body === undefined ? {} : { body });
      expect([path, compat.statusCode, compat.json()]).toEqual([path, native.statusCode, native.json()]);
    }
    const summary = (await server.request('GET', `${PREFIX}/api/v1/sessions/sess-t/summary`)).json();
    expect(summary).toMatchObject({ session_id: 'sess-t', agent_name: 'customer_support', user_id: 'user-t', total_messages: 3, total_tokens: 360, models_used: ['gpt-4o', 'gpt-4o-mini'] });
  });

  it('keeps the key rules, and serves its health and API info without one', async () => {
    expect((await server.request('GET', `${PREFIX}/api/v1/analytics/overview`, { key: null })).statusCode).toBe(401);
    const elsewhere = await server.createKey('elsewhere', ['read']);
    expect((await server.request('GET', `${PREFIX}/api/v1/sessions/sess-t/summary`, { key: elsewhere })).statusCode).toBe(404);
    expect((await server.request('GET', `${PREFIX}/health`, { key: null })).json()).toEqual((await server.request('GET', '/health', { key: null })).json());
    const info = (await server.request('GET', `${PREFIX}/`, { key: null })).json();
    expect(info.endpoints).toContain(`GET ${PREFIX}/api/v1/sessions/{id}/summary`);
  });
});
