// Azure OpenAI through the gateway, from its recorded wire format: calls go to the resource's v1
// API with the key in `api-key`, the deployment named as the model; the content-filter
// annotations Azure adds pass through untouched; a deployment's calls are priced as the model
// that answered; a filtered prompt is the caller's 400, not a provider failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, sseFixture, startFakeUpstream, statusAnswer, type FakeUpstream } from './helpers/fake-upstream.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let upstream: FakeUpstream;
let server: TestServer;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  server = await startTestServer({
    upstream_allowlist: ['127.0.0.1'],
    // The resource endpoint alone, as Azure's portal gives it: the v1 API's path is added.
    providers: [{ name: 'azure', type: 'azure', base_url: upstream.origin, api_key: 'azure-resource-key', models: ['support-bot', 'fresh-bot'], max_retries: 1, allow_client_key: true }],
  });
});
afterAll(async () => {
  await server?.close();
  await upstream?.close();
});

interface StoredCall {
  model: string; response_model: string | null; status: string; finish_reason: string | null; usage_source: string; ttft_ms: number | null;
  prompt_tokens: number; cached_tokens: number; completion_tokens: number; cost_usd: number | null; price_source: string; error_message: string | null;
}

async function stored(id: string): Promise<StoredCall> {
  await server.recorder.settled();
  return (await server.request('GET', `/api/v1/logs/${id}`)).json() as StoredCall;
}

/** gpt-4o (Azure global deployments bill OpenAI's rates): $2.50/M input, $1.25/M cached input, $10/M output. */
const gpt4oCost = (prompt: number, cached: number, completion: number) => ((prompt - cached) * 2.5 + cached * 1.25 + completion * 10) / 1e6;

const chat = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  server.request('POST', '/v1/chat/completions', { headers, body: { model: 'support-bot', messages: [{ role: 'user', content: 'When does my order ship?' }], ...body } });

describe('Azure OpenAI', () => {
  it("answers from the resource's v1 API with its key in api-key, priced as the model that answered", async () => {
    upstream.respondWith({ kind: 'json', body: fixture('azure/chat.json') });
    const answer = await chat({});
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.body).toBe(fixture('azure/chat.json'));
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe('/openai/v1/chat/completions');
    expect(sent.headers['api-key']).toBe('azure-resource-key');
    expect(sent.headers.authorization).toBeUndefined();
    expect((sent.json() as { model: string }).model).toBe('support-bot');

    const call = await stored(String(answer.headers['x-loupe-call-id']));
    expect([call.model, call.response_model, call.prompt_tokens, call.cached_tokens, call.completion_tokens]).toEqual(['support-bot', 'gpt-4o-2024-11-20', 1850, 1536, 9]);
    expect(call.price_source).toBe('catalog');
    expect(call.cost_usd).toBeCloseTo(gpt4oCost(1850, 1536, 9), 12);
  });

  it("streams with the content-filter annotations passed through and the usage Loupe asked for kept from the client", async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseFixture('azure/chat-stream.chunks.txt') });
    const answer = await chat({ stream: true });
    expect(answer.statusCode, answer.body).toBe(200);
    expect((upstream.requests.at(-1)!.json() as { stream_options: unknown }).stream_options).toEqual({ include_usage: true });
    // The prompt annotation (no choices, no usage) reaches the client; the usage chunk does not.
    expect(answer.body).toContain('"prompt_filter_results"');
    expect(answer.body).not.toContain('"prompt_tokens"');
    expect(answer.body.trimEnd().endsWith('data: [DONE]')).toBe(true);

    const call = await stored(String(answer.headers['x-loupe-call-id']));
    expect([call.status, call.finish_reason, call.usage_source, call.response_model]).toEqual(['success', 'stop', 'provider', 'gpt-4o-2024-11-20']);
    expect([call.prompt_tokens, call.cached_tokens, call.completion_tokens]).toEqual([1850, 1536, 6]);
    expect(call.ttft_ms).not.toBeNull();
    expect(call.cost_usd).toBeCloseTo(gpt4oCost(1850, 1536, 6), 12);
  });

  it('records a stream its asynchronous filter stopped as finished by content_filter, with what was sent before', async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseFixture('azure/chat-stream-async-filter.chunks.txt') });
    const answer = await chat({ stream: true });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('"finish_reason":"content_filter"');
    const call = await stored(String(answer.headers['x-loupe-call-id']));
    expect([call.status, call.finish_reason, call.response_model]).toEqual(['success', 'content_filter', 'gpt-4o-2024-11-20']);
    // No usage came: the tokens are estimated, and the two streamed words were produced.
    expect(call.usage_source).toBe('estimated');
    expect(call.completion_tokens).toBeGreaterThan(0);
  });

  it("answers a filtered prompt with Azure's 400, not retried, and not held against the provider", async () => {
    const before = upstream.requests.length;
    upstream.respondWith(statusAnswer(400, fixture('azure/error-content-filter.json')));
    const answer = await chat({});
    expect(answer.statusCode).toBe(400);
    const error = (answer.json() as { error: { code: string; message: string; param: string } }).error;
    expect(error.code).toBe('content_filter');
    expect(error.param).toBe('prompt');
    expect(error.message).toContain('content management policy');
    // max_retries is 1: a retryable failure would have been sent twice.
    expect(upstream.requests.length - before).toBe(1);
    const call = await stored(String(answer.headers['x-loupe-call-id']));
    expect(call.status).toBe('error');
    const health = (await server.request('GET', '/api/v1/providers/azure')).json() as { health: { circuit_state: string; consecutive_failures: number } };
    expect(health.health.circuit_state).toBe('closed');
  });

  it("sends a caller's own key as its api-key", async () => {
    upstream.respondWith({ kind: 'json', body: fixture('azure/chat.json') });
    const answer = await chat({}, { 'x-loupe-provider-key': 'caller-azure-key' });
    expect(answer.statusCode).toBe(200);
    expect(upstream.requests.at(-1)!.headers['api-key']).toBe('caller-azure-key');
  });

  it("takes a resource endpoint through the API and refuses a deployment URL of Azure's dated API by name", async () => {
    const added = await server.request('POST', '/api/v1/providers', { body: { name: 'azure-eu', type: 'azure', base_url: `${upstream.origin}/`, api_key: 'eu-key', models: ['eu-bot'] } });
    expect(added.statusCode, added.body).toBe(201);
    expect((added.json() as { base_url: string }).base_url).toBe(`${upstream.origin}/openai/v1`);
    const dated = await server.request('POST', '/api/v1/providers', {
      body: { name: 'azure-old', type: 'azure', base_url: `${upstream.origin}/openai/deployments/eu-bot`, api_key: 'eu-key' },
    });
    expect(dated.statusCode).toBe(400);
    expect(dated.body).toMatch(/base_url/);
    expect(dated.body).toMatch(/deployment/);
    const garbled = await server.request('POST', '/api/v1/providers', { body: { name: 'azure-bad', type: 'azure', base_url: 'contoso openai azure', api_key: 'eu-key' } });
    expect(garbled.statusCode).toBe(400);
    expect(garbled.body).toMatch(/base_url/);
    const missing = await server.request('POST', '/api/v1/providers', { body: { name: 'azure-none', type: 'azure', api_key: 'eu-key' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toMatch(/base_url/);
  });

  it("holds a block budget's share for a deployment once an answer has named the model behind it", async () => {
    const budget = await server.request('POST', '/api/v1/budgets', { body: { name: 'deployment cap', budget_type: 'total', amount: 0.05, action: 'block', scope: 'tag', scope_value: 'capped' } });
    expect(budget.statusCode, budget.body).toBe(201);
    upstream.respondWith({ kind: 'json', body: fixture('azure/chat.json') });
    const ask = () => server.request('POST', '/v1/chat/completions', { headers: { 'x-loupe-tags': 'capped' }, body: { model: 'fresh-bot', max_tokens: 100_000, messages: [{ role: 'user', content: 'Hi' }] } });
    // Nothing is known of 'fresh-bot' yet: its worst case has no price, so nothing is held back.
    expect((await ask()).statusCode).toBe(200);
    await server.recorder.settled();
    // Its answer named gpt-4o: 100,000 output tokens at $10 per million can cost $1, past the $0.05.
    const sentBefore = upstream.requests.length;
    const refused = await ask();
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: { code: 'budget_exceeded' } });
    expect(upstream.requests.length).toBe(sentBefore);
  });
});
