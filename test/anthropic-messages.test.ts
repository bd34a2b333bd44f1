// Anthropic's Messages API at /v1/messages: the official `@anthropic-ai/sdk` client pointed at a
// real Loupe over HTTP, Loupe relaying to a fake Anthropic server that replays recorded answers
// and events. Checked: the client gets Anthropic's bytes as sent, the upstream gets the request
// with the provider's key in place of the Loupe key, each call is recorded and priced by
// Anthropic's usage rule, failures reach the client once in Anthropic's error shape, and routes
// and keys apply as on the OpenAI routes.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, sseWireFixture, startFakeUpstream, statusAnswer, type FakeUpstream } from './helpers/fake-upstream.js';
import { ADMIN_KEY, listenOnLoopback, startTestServer, type TestServer } from './helpers/test-server.js';

const SONNET = 'claude-sonnet-4-20250514';
let anthropicUpstream: FakeUpstream;
let openaiUpstream: FakeUpstream;
let server: TestServer;
let client: Anthropic;
let base: string;

beforeAll(async () => {
  [anthropicUpstream, openaiUpstream] = await Promise.all([startFakeUpstream(), startFakeUpstream()]);
  server = await startTestServer({
    providers: [
      { name: 'anthropic', type: 'anthropic', base_url: anthropicUpstream.baseUrl, api_key: 'sk-ant-provider', models: [SONNET], max_retries: 0 },
      { name: 'openai', type: 'openai', base_url: openaiUpstream.baseUrl, api_key: 'sk-openai', models: ['gpt-4o'], max_retries: 0 },
    ],
    routes: [{ name: 'house-claude', targets: [{ provider: 'anthropic', model: SONNET }] }],
  });
  base = await listenOnLoopback(server);
  // As Anthropic's SDKs and tools are pointed at a gateway: the base URL without /v1, the Loupe key as the API key.
  client = new Anthropic({ apiKey: ADMIN_KEY, baseURL: base, maxRetries: 0 });
});
afterAll(async () => {
  await server?.close();
  await Promise.all([anthropicUpstream?.close(), openaiUpstream?.close()]);
});

/** The call a response's `x-loupe-call-id` names, once recorded. */
async function recorded(id: string | null | undefined): Promise<Record<string, unknown>> {
  await server.recorder.settled();
  const detail = await server.request('GET', `/api/v1/logs/${id}`);
  expect(detail.statusCode, detail.body).toBe(200);
  return detail.json() as Record<string, unknown>;
}

// claude-sonnet-4: $3 per million input tokens, $0.30 cache reads, $3.75 cache writes, $15 output.
const sonnetCost = (input: number, cacheRead: number, cacheWrite: number, output: number) => input * 3e-6 + cacheRead * 0.3e-6 + cacheWrite * 3.75e-6 + output * 15e-6;

const raw = (body: Record<string, unknown> | string, headers: Record<string, string> = {}, path = '/v1/messages') =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('the Messages API', () => {
  it("answers the SDK with Anthropic's bytes, sends the provider's key upstream, and records the call by Anthropic's usage", async () => {
    anthropicUpstream.respondWith({ kind: 'json', body: fixture('anthropic/message.json') });
    const { data: message, response } = await client.messages.create({ model: SONNET, max_tokens: 256, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    expect(message).toEqual(JSON.parse(fixture('anthropic/message.json')));
    const sent = anthropicUpstream.requests.at(-1)!;
    expect(sent.path).toBe('/v1/messages');
    expect([sent.headers['x-api-key'], sent.headers.authorization]).toEqual(['sk-ant-provider', undefined]);
    // The API version the SDK asked for (a date) goes upstream with it.
    expect(sent.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sent.json()).toEqual({ model: SONNET, max_tokens: 256, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] });

    const call = await recorded(response.headers.get('x-loupe-call-id'));
    // message.json: 12 input tokens, 3,000 read from the cache, 500 written to it, 6 output.
    expect(call).toMatchObject({ provider: 'anthropic', model: SONNET, endpoint: '/v1/messages', status: 'success', http_status: 200, is_streaming: false, finish_reason: 'stop', response_model: SONNET });
    expect([call.prompt_tokens, call.cached_tokens, call.cache_write_tokens, call.completion_tokens, call.usage_source]).toEqual([3512, 3000, 500, 6, 'provider']);
    expect(call.cost_usd).toBeCloseTo(sonnetCost(12, 3000, 500, 6), 12);
    expect(call.input).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }]);
    expect(call.output).toMatchObject({ role: 'assistant', content: 'Hello!' });
  });

  it('relays the event stream byte for byte and records its usage and time to first token', async () => {
    anthropicUpstream.respondWith({ kind: 'sse', chunks: sseWireFixture('anthropic/stream-cache.sse') });
    const response = await raw({ model: SONNET, max_tokens: 256, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(await response.text()).toBe(sseWireFixture('anthropic/stream-cache.sse').join(''));
    const call = await recorded(response.headers.get('x-loupe-call-id'));
    // stream-cache.sse: message_start 25 input, 2,000 cache reads, 100 cache writes; the last message_delta 15 output.
    expect([call.prompt_tokens, call.cached_tokens, call.cache_write_tokens, call.completion_tokens, call.finish_reason, call.status, call.is_streaming]).toEqual([2125, 2000, 100, 15, 'stop', 'success', true]);
    expect(call.cost_usd).toBeCloseTo(sonnetCost(25, 2000, 100, 15), 12);
    expect(call.ttft_ms).toEqual(expect.any(Number));
    expect(call.output).toMatchObject({ role: 'assistant', content: 'Hello!' });

    // The SDK's stream helper reads the same events into its final message.
    const final = await client.messages.stream({ model: SONNET, max_tokens: 256, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Hello!' }]);
    expect(final.usage).toMatchObject({ input_tokens: 25, output_tokens: 15, cache_read_input_tokens: 2000, cache_creation_input_tokens: 100 });
  });

  it('ends a stream that failed upstream with one error event in Anthropic\'s shape, which the SDK raises', async () => {
    anthropicUpstream.respondWith({ kind: 'sse', chunks: sseWireFixture('anthropic/stream-overloaded.sse') });
    const response = await raw({ model: SONNET, max_tokens: 256, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    const text = await response.text();
    const events = sseWireFixture('anthropic/stream-overloaded.sse');
    // The events before the upstream's error as sent, then Loupe's one terminal error event.
    expect(text.startsWith(events.slice(0, 3).join(''))).toBe(true);
    const rest = text.slice(events.slice(0, 3).join('').length);
    expect(rest.match(/event: error/g)).toHaveLength(1);
    expect(rest.startsWith('event: error\ndata: ')).toBe(true);
    const payload = JSON.parse(rest.slice('event: error\ndata: '.length)) as { type: string; error: { type: string; message: string } };
    // The upstream's own error type and message.
    expect(payload).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    const call = await recorded(response.headers.get('x-loupe-call-id'));
    expect(call).toMatchObject({ status: 'error', is_streaming: true });

    const stream = await client.messages.create({ model: SONNET, max_tokens: 256, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    await expect((async () => {
      for await (const event of stream) void event;
    })()).rejects.toThrow(/Overloaded/);
  });

  it('relays only whole events of a stream cut off mid-event, then one error event', async () => {
    const wire = fixture('anthropic/stream-cut.sse');
    anthropicUpstream.respondWith({ kind: 'sse', chunks: [wire] });
    const response = await raw({ model: SONNET, max_tokens: 256, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    const text = await response.text();
    const whole = wire.slice(0, wire.lastIndexOf('\n\n') + 2);
    expect(text.startsWith(whole)).toBe(true);
    const rest = text.slice(whole.length);
    expect(rest.startsWith('event: error\ndata: {"type":"error","error":{"type":')).toBe(true);
    expect(rest.endsWith('\n\n')).toBe(true);
    expect(rest.match(/\n\n/g)).toHaveLength(1);
    const call = await recorded(response.headers.get('x-loupe-call-id'));
    // The text received before the cut is counted: "Half a sen" was relayed and recorded.
    expect(call).toMatchObject({ status: 'error', error_type: 'stream_incomplete' });
    expect((call.output as { content: string }).content).toBe('Half a sen');
  });

  it("relays the upstream's own error answer, status and body, to the client", async () => {
    anthropicUpstream.enqueue(statusAnswer(529, fixture('anthropic/error-529.json')));
    const response = await raw({ model: SONNET, max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    expect(response.status).toBe(529);
    expect(await response.text()).toBe(fixture('anthropic/error-529.json'));
    const call = await recorded(response.headers.get('x-loupe-call-id'));
    expect(call).toMatchObject({ status: 'error', http_status: 529, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 });
  });

  it("answers Loupe's own refusals in Anthropic's error shape", async () => {
    const unknown = await raw({ model: 'claude-unknown', max_tokens: 16, messages: [] });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ type: 'error', error: { type: 'not_found_error', message: "no enabled provider serves the model 'claude-unknown' through the Messages API (a provider of type anthropic or of an OpenAI-compatible type)" } });

    const broken = await raw('{"model": ');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'the body is not valid JSON' } });
    const noModel = await raw({ max_tokens: 16, messages: [] });
    expect(((await noModel.json()) as { error: { type: string; message: string } }).error).toEqual({ type: 'invalid_request_error', message: "'model' is required" });

    // A key without the gateway scope is refused before anything else.
    const reader = await server.createKey('default', ['read']);
    const refused = await raw({ model: SONNET, max_tokens: 16, messages: [] }, { 'x-api-key': reader });
    expect(refused.status).toBe(403);
    await expect(new Anthropic({ apiKey: reader, baseURL: base, maxRetries: 0 }).messages.create({ model: SONNET, max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] })).rejects.toMatchObject({ status: 403 });
  });

  it("sends a route's calls to its Anthropic target under the target's model, with the client's beta flags, also under /proxy", async () => {
    anthropicUpstream.respondWith({ kind: 'json', body: fixture('anthropic/message.json') });
      const response = await raw({ model: 'house-claude', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] }, { 'anthropic-beta': 'prompt-caching-2024-07-31' }, '/proxy/v1/messages');
    expect(response.status).toBe(200);
    const sent = anthropicUpstream.requests.at(-1)!;
    expect((sent.json() as { model: string }).model).toBe(SONNET);
    expect([sent.headers['anthropic-beta'], sent.headers['anthropic-version']]).toEqual(['prompt-caching-2024-07-31', '2023-06-01']);
    // A client that names no version gets the one Loupe speaks.
    expect((await raw({ model: SONNET, max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] }, { 'anthropic-version': '' })).status).toBe(200);
    expect(anthropicUpstream.requests.at(-1)!.headers['anthropic-version']).toBe('2023-06-01');
    expect(anthropicUpstream.requests.at(-1)!.headers['anthropic-beta']).toBeUndefined();
    const call = await recorded(response.headers.get('x-loupe-call-id'));
    expect(call).toMatchObject({ model: SONNET, properties: { route: 'house-claude' } });
  });

  it('relays token counting to the Anthropic provider, without recording a call', async () => {
    await server.recorder.settled();
    const total = async () => ((await server.request('GET', '/api/v1/logs?limit=1&include_total=true')).json() as { total: number }).total;
    const before = await total();
    expect(before).toBeGreaterThan(0);
    anthropicUpstream.enqueue({ kind: 'json', body: '{"input_tokens":2095}' });
    const counted = await client.messages.countTokens({ model: SONNET, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] });
    expect(counted).toEqual({ input_tokens: 2095 });
    const sent = anthropicUpstream.requests.at(-1)!;
    expect([sent.path, sent.headers['x-api-key']]).toEqual(['/v1/messages/count_tokens', 'sk-ant-provider']);
    expect(sent.json()).toEqual({ model: SONNET, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] });

    // Through a route: the target's model.
    anthropicUpstream.enqueue({ kind: 'json', body: '{"input_tokens":9}' });
    expect((await raw({ model: 'house-claude', messages: [{ role: 'user', content: 'Hi' }] }, {}, '/v1/messages/count_tokens')).status).toBe(200);
    expect((anthropicUpstream.requests.at(-1)!.json() as { model: string }).model).toBe(SONNET);

    const unknown = await raw({ model: 'claude-unknown', messages: [] }, {}, '/v1/messages/count_tokens');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { type: string; error: { type: string } })).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    const created = await server.request('POST', '/api/v1/keys', { body: { name: 'gpt only', scopes: ['gateway'], allowed_models: ['gpt-4o'] } });
    const limited = await raw({ model: SONNET, messages: [] }, { 'x-api-key': (created.json() as { key: string }).key }, '/v1/messages/count_tokens');
    expect(limited.status).toBe(403);
    expect(((await limited.json()) as { error: { type: string } }).error.type).toBe('permission_error');

    await server.recorder.settled();
    expect(await total()).toBe(before);
  });
});
