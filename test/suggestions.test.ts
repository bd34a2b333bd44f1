// Optimization suggestions (seed 001) generated from calls recorded here, whose figures the
// test knows: which model is slow, failing, costly or slow to stream, stated with its numbers;
// generating again keeps one suggestion per type and model, leaves an implemented one alone,
// and removes what no longer holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

async function record(count: number, call: (i: number) => Record<string, unknown>) {
  const response = await server.request('POST', '/api/v1/calls', { body: Array.from({ length: count }, (_, i) => ({ started_at: minutesAgo(30 + i), ...call(i) })) });
  expect(response.statusCode).toBe(200);
}

interface Shown { id: string; key: string; suggestion_type: string; model_name: string; priority: string; description: string; potential_improvement: string; is_implemented: boolean }

async function generate(): Promise<Shown[]> {
  const response = await server.request('POST', '/api/v1/suggestions/generate', { body: { days: 1 } });
  expect(response.statusCode).toBe(200);
  const body = response.json();
  expect(body.message).toBe(`Generated ${body.suggestions.length} optimization suggestion${body.suggestions.length === 1 ? '' : 's'}`);
  return body.suggestions;
}

describe('optimization suggestions', () => {
  it('name the slow, failing, costly and slow-streaming models with their figures', async () => {
    // 20 calls each. Mean latency over all 80: (20·5000 + 20·1000 + 20·800 + 20·900) / 80 = 1,925 ms.
    await record(20, () => ({ provider: 'acme', model: 'slow-model', latency_ms: 5000, tokens_per_second: 5, prompt_tokens: 100, completion_tokens: 20 }));
    // gpt-4o: $0.0035 a call (1,000 in at $2.50/M, 100 out at $10/M); gpt-4o-mini: $0.00021.
    await record(20, () => ({ provider: 'openai', model: 'gpt-4o', latency_ms: 1000, tokens_per_second: 100, prompt_tokens: 1000, completion_tokens: 100 }));
    await record(20, () => ({ provider: 'openai', model: 'gpt-4o-mini', latency_ms: 800, tokens_per_second: 100, prompt_tokens: 1000, completion_tokens: 100 }));
    // 3 of 20 failed: 15%.
    await record(20, (i) => ({ provider: 'mistral', model: 'mistral-large-latest', latency_ms: 900, tokens_per_second: 100, prompt_tokens: 10, completion_tokens: 10, ...(i < 3 ? { status: 'error', error_type: 'server_error' } : {}) }));

    const suggestions = await generate();
    const byKey = Object.fromEntries(suggestions.map((suggestion) => [suggestion.key, suggestion]));
    expect(Object.keys(byKey).sort()).toEqual(['cost:openai/gpt-4o', 'performance:acme/slow-model', 'reliability:mistral/mistral-large-latest', 'throughput:acme/slow-model']);
    expect(byKey['performance:acme/slow-model']).toMatchObject({
      suggestion_type: 'performance', model_name: 'slow-model', priority: 'high', is_implemented: false,
      potential_improvement: `${Math.round((1 - 1925 / 5000) * 100)}% lower average latency at the all-model average`,
    });
    expect(byKey['performance:acme/slow-model']!.description).toContain('Average latency is 5,000 ms against 1,925 ms over all models (2.6×)');
    expect(byKey['reliability:mistral/mistral-large-latest']).toMatchObject({ priority: 'high', potential_improvement: 'up to 15.0% fewer failed requests' });
    expect(byKey['cost:openai/gpt-4o']).toMatchObject({ priority: 'high', potential_improvement: `${Math.round((1 - 0.00021 / 0.0035) * 100)}% lower cost per call` });
    expect(byKey['cost:openai/gpt-4o']!.description).toContain('gpt-4o-mini costs $0.000210 per call against $0.003500 here (16.7×)');
    // Mean tokens/s over the calls: (20·5 + 60·100) / 80 = 76.25.
    expect(byKey['throughput:acme/slow-model']!.description).toContain('5.0 tokens/s against 76.3 over all models');
    const listed = (await server.request('GET', '/api/v1/suggestions?status=open')).json().suggestions as Shown[];
    expect(listed.map((suggestion) => suggestion.id).sort()).toEqual(suggestions.map((suggestion) => suggestion.id).sort());
  });

  it('keeps an implemented suggestion as it is, updates the others in place, and removes what no longer holds', async () => {
    const before = (await server.request('GET', '/api/v1/suggestions')).json().suggestions as Shown[];
    const cost = before.find((suggestion) => suggestion.key === 'cost:openai/gpt-4o')!;
    const implemented = await server.request('POST', `/api/v1/suggestions/${cost.id}/implement`);
    expect(implemented.json()).toMatchObject({ id: cost.id, is_implemented: true });
    expect(typeof implemented.json().implemented_at).toBe('string');

    const again = await generate();
    expect(again.map((suggestion) => suggestion.key).sort()).toEqual(['performance:acme/slow-model', 'reliability:mistral/mistral-large-latest', 'throughput:acme/slow-model']);
    // The same suggestions, not new ones.
    const idOf = (list: Shown[], key: string) => list.find((suggestion) => suggestion.key === key)?.id;
    expect(idOf(again, 'performance:acme/slow-model')).toBe(idOf(before, 'performance:acme/slow-model'));
    expect((await server.request('GET', '/api/v1/suggestions?status=implemented')).json().suggestions.map((suggestion: Shown) => suggestion.id)).toEqual([cost.id]);

    // 200 quicker calls of slow-model: its mean latency (20·5000 + 200·900) / 220 = 1,273 ms against
    // (154,000 + 200·900) / 280 = 1,193 over all models, and 91.4 tokens/s against 93.2.
    await record(200, () => ({ provider: 'acme', model: 'slow-model', latency_ms: 900, tokens_per_second: 100, prompt_tokens: 10, completion_tokens: 10 }));
    const after = await generate();
    expect(after.map((suggestion) => suggestion.key)).toEqual(['reliability:mistral/mistral-large-latest']);
    const all = (await server.request('GET', '/api/v1/suggestions')).json().suggestions as Shown[];
    expect(all.map((suggestion) => suggestion.key).sort()).toEqual(['cost:openai/gpt-4o', 'reliability:mistral/mistral-large-latest']);
  });

  it('refuses what it cannot do, naming the field, and keeps to the project', async () => {
    const zero = await server.request('POST', '/api/v1/suggestions/generate', { body: { days: 0 } });
    expect([zero.statusCode, zero.json().error.field]).toEqual([400, 'days']);
    expect((await server.request('POST', '/api/v1/suggestions/not-there/implement')).statusCode).toBe(404);
    const reader = await server.createKey('default', ['read']);
    expect((await server.request('POST', '/api/v1/suggestions/generate', { key: reader, body: {} })).statusCode).toBe(403);
    const elsewhere = await server.createKey('elsewhere', ['admin']);
    expect((await server.request('GET', '/api/v1/suggestions', { key: elsewhere })).json()).toEqual({ suggestions: [] });
    expect((await server.request('POST', '/api/v1/suggestions/generate', { key: elsewhere, body: {} })).json().suggestions).toEqual([]);
  });
});
