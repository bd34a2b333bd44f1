// The gateway over real HTTP: a client → Loupe → a fake OpenAI upstream replaying recorded
// wire formats. Asserts what the upstream received, what the client received byte for
// byte, and the call Loupe recorded.
import OpenAI from 'openai';
import { encode } from 'gpt-tokenizer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, sseFixture, startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';
import { ADMIN_KEY, startTestServer, type TestServer, listenOnLoopback } from './helpers/test-server.js';

let upstream: FakeUpstream;
let server: TestServer;
let base: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  server = await startTestServer({ providers: [{ name: 'openai', type: 'openai', base_url: upstream.baseUrl, api_key: 'sk-upstream-secret', models: ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'] }] });
  base = await listenOnLoopback(server);
});
afterAll(async () => {
  await server.close();
  await upstream.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function recorded(id: string) {
  await server.recorder.settled();
  const call = await server.store.calls.get('default', id);
  expect(call, `call ${id} recorded`).not.toBeNull();
  return call!;
}

const messages = [{ role: 'user', content: 'Describe the picture' }];

describe('non-streaming chat', () => {
  it('forwards the body untouched with the provider key, relays the answer byte for byte, and records usage and cost', async () => {
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    const raw = JSON.stringify({ model: 'gpt-4o', messages, temperature: 0.3 });
    const response = await post('/v1/chat/completions', raw, { 'x-loupe-session-id': 's-1', 'x-loupe-agent': 'describer', 'x-loupe-property-symbol': 'AAPL' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(fixture('openai/chat.json'));
    const sent = upstream.requests.at(-1)!;
    expect(sent.body).toBe(raw);
    expect(sent.headers.authorization).toBe('Bearer sk-upstream-secret');
    const call = await recorded(response.headers.get('x-loupe-call-id')!);
    expect(Number(response.headers.get('x-loupe-overhead-ms'))).toBeGreaterThanOrEqual(0);
    expect([call.prompt_tokens, call.cached_tokens, call.completion_tokens, call.reasoning_tokens, call.total_tokens]).toEqual([1000, 400, 200, 50, 1200]);
    expect(call.cost_usd).toBeCloseTo(600 * 2.5e-6 + 400 * 1.25e-6 + 200 * 10e-6, 12);
    expect([call.status, call.finish_reason, call.response_model, call.usage_source]).toEqual(['success', 'stop', 'gpt-4o-2024-08-06', 'provider']);
    expect([call.session_id, call.agent, call.properties]).toEqual(['s-1', 'describer', { symbol: 'AAPL' }]);
    expect(call.input).toEqual(messages);
    expect(call.params).toEqual({ temperature: 0.3 });
  });

  it('serves the same gateway under /proxy/v1 and routes provider/model to that provider', async () => {
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    const response = await post('/proxy/v1/chat/completions', { model: 'openai/gpt-4o', messages });
    expect(response.status).toBe(200);
    expect(JSON.parse(upstream.requests.at(-1)!.body).model).toBe('gpt-4o');
    const call = await recorded(response.headers.get('x-loupe-call-id')!);
    expect([call.provider, call.model]).toEqual(['openai', 'gpt-4o']);
  });

  it('passes an upstream 429 through with Retry-After and records a rate-limit error', async () => {
    upstream.respondWith({ kind: 'json', status: 429, body: '{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}', headers: { 'retry-after': '7' } });
    const response = await post('/v1/chat/completions', { model: 'gpt-4o', messages });
    expect([response.status, response.headers.get('retry-after')]).toEqual([429, '7']);
    expect((await response.json()).error.code).toBe('rate_limit_exceeded');
    const call = await recorded(response.headers.get('x-loupe-call-id')!);
    expect([call.status, call.error_type, call.http_status]).toEqual(['error', 'rate_limit', 429]);
  });

  it('answers 502 when the upstream says 200 with HTML, and records it', async () => {
    upstream.respondWith({ kind: 'json', body: '<html><body>Bad gateway</body></html>', headers: { 'content-type': 'text/html' } });
    const response = await post('/v1/chat/completions', { model: 'gpt-4o', messages });
    expect(response.status).toBe(502);
    expect((await response.json()).error.code).toBe('invalid_upstream_response');
    const call = await recorded(response.headers.get('x-loupe-call-id')!);
    expect([call.status, call.error_type]).toEqual(['error', 'invalid_upstream_response']);
  });
});

describe('streaming chat', () => {
  it('asks upstream for usage, hides the usage chunk from a client that did not ask, and records provider usage', async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseFixture('openai/chat-stream.chunks.txt') });
    const response = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages, stream: true });
    const text = await response.text();
    const expected = sseFixture('openai/chat-stream.chunks.txt').filter((chunk) => !chunk.includes('"choices":[],"usage"')).join('');
    expect(text).toBe(expected);
    expect(JSON.parse(upstream.requests.at(-1)!.body).stream_options).toEqual({ include_usage: true });
    const call = await recorded(response.headers.get('x-loupe-call-id')!);
    expect([call.prompt_tokens, call.completion_tokens, call.usage_source, call.is_streaming, call.finish_reason]).toEqual([19, 10, 'provider', true, 'stop']);
    expect(call.ttft_ms).not.toBeNull();
    expect(call.output).toEqual({ role: 'assistant', content: 'Hello! How can I help you today?' });
  });

  it('forwards the usage chunk to a client that asked for it', async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseFixture('openai/chat-stream.chunks.txt') });
    const response = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
    expect(await response.text()).toBe(sseFixture('openai/chat-stream.chunks.txt').join(''));
  });

  it('relays a stream that arrives in one read byte for byte', async () => {
    const wire = sseFixture('openai/chat-stream.chunks.txt').join('');
    upstream.respondWith({ kind: 'sse', chunks: [wire] });
    const response = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
    expect(await response.text()).toBe(wire);
  });

  it('honours include_usage false and estimates tokens with a tokenizer', async () => {
    const chunks = sseFixture('openai/chat-stream.chunks.txt').filter((chunk) => !chunk.includes('"choices":[],"usage"'));
    upstream.respondWith({ kind: 'sse', chunks });
    const response = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: false } });
    await response.text();
    expect(JSON.parse(upstream.requests.at(-1)!.body).stream_options).toEqual({ include_usage: false });
    const call = await recorded(response.headers.get('x-loupe-call-id')!);
    expect(call.usage_source).toBe('estimated');
    expect(call.completion_tokens).toBe(encode('Hello! How can I help you today?').length);
  });

  it('estimates a prompt that contains special-token text, counting it as text', async () => {
    const chunks = sseFixture('openai/chat-stream.chunks.txt').filter((chunk) => !chunk.includes('"choices":[],"usage"'));
    upstream.respondWith({ kind: 'sse', chunks });
    const tricky = [{ role: 'user', content: 'What does <|endoftext|> mean?' }];
    const response = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: tricky, stream: true, stream_options: { include_usage: false } });
    await response.text();
    const call = await recorded(response.headers.get('x-loupe-call-id')!);
    expect([call.status, call.usage_source]).toEqual(['success', 'estimated']);
    expect(call.prompt_tokens).toBe(encode(JSON.stringify(tricky), { disallowedSpecial: new Set() }).length);
  });

  it('counts streamed tool calls', async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseFixture('openai/chat-stream-tools.chunks.txt') });
    const response = await post('/v1/chat/completions', { model: 'gpt-4o', messages, stream: true });
    await response.text();
    const call = await recorded(response.headers.get('x-loupe-call-id')!);
    expect([call.tool_calls_count, call.finish_reason, call.prompt_tokens]).toEqual([1, 'tool_calls', 82]);
  });

  it('ends a stream that breaks off with a terminal error event and records an error', async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseFixture('openai/chat-stream-cut.chunks.txt') });
    const response = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages, stream: true });
    const text = await response.text();
    expect(text.trimEnd().split('\n\n').at(-1)).toContain('"error"');
    const call = await recorded(response.headers.get('x-loupe-call-id')!);
    expect([call.status, call.error_type]).toEqual(['error', 'stream_incomplete']);
  });

  it('ends the stream with an error event when the upstream connection drops, and records an error', async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseFixture('openai/chat-stream.chunks.txt'), dropAfter: 2 });
    const response = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages, stream: true });
    const text = await response.text();
    expect(text.startsWith(sseFixture('openai/chat-stream.chunks.txt').slice(0, 2).join(''))).toBe(true);
    expect(text.trimEnd().split('\n\n').at(-1)).toContain('"error"');
    const call = await recorded(response.headers.get('x-loupe-call-id')!);
    expect(call.status).toBe('error');
    expect(call.output).toEqual({ role: 'assistant', content: 'Hello' });
  });

  it('does not follow an upstream redirect (a redirect to a private address goes nowhere)', async () => {
    upstream.respondWith({ kind: 'json', status: 302, body: '', headers: { location: 'http://169.254.169.254/latest/meta-data/' } });
    const response = await post('/v1/chat/completions', { model: 'gpt-4o', messages });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBeNull();
  });

  it('aborts the upstream when the client disconnects and records the call cancelled', async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseFixture('openai/chat-stream.chunks.txt'), delayMs: 200 });
    const response = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages, stream: true });
    const id = response.headers.get('x-loupe-call-id')!;
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    expect(await upstream.lastStreamClosedEarly()).toBe(true);
    let call = await server.store.calls.get('default', id);
    for (let i = 0; i < 50 && !call; i++) {
      await server.recorder.settled();
      call = await server.store.calls.get('default', id);
      if (!call) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(call?.status).toBe('cancelled');
    // Tokens so far: what had been generated before the client left, counted with the tokenizer.
    expect(call?.completion_tokens).toBe(encode((call?.output as { content: string }).content).length);
    expect(call?.usage_source).toBe('estimated');
  });
});

describe('requests the gateway refuses', () => {
  it('refuses a body or a header that picks its own upstream, in any spelling, before calling anyone', async () => {
    const before = upstream.requests.length;
    for (const field of ['api_base', 'base_url', 'apiBase', 'API-BASE', 'baseURL', 'custom_llm_provider', 'customHost']) {
      const response = await post('/v1/chat/completions', { model: 'gpt-4o', messages, [field]: 'http://169.254.169.254/' });
      expect(response.status, field).toBe(400);
      expect((await response.json()).error.param).toBe(field);
    }
    for (const header of ['x-portkey-custom-host', 'helicone-target-url', 'x-api-base', 'helicone-openai-api-base', 'x-base-url']) {
      const response = await post('/v1/chat/completions', { model: 'gpt-4o', messages }, { [header]: 'http://169.254.169.254/' });
      expect(response.status, header).toBe(400);
      expect((await response.json()).error.param).toBe(header);
    }
    expect(upstream.requests.length).toBe(before);
    // A field or header that only contains such a word as part of another is not one.
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    const database = await post('/v1/chat/completions', { model: 'gpt-4o', messages, metadata: { database_url: 'x' } }, { 'x-forwarded-host': 'loupe.internal' });
    expect(database.status).toBe(200);
  });

  it('answers OpenAI-shaped errors for a missing model, an unknown model and a key without the gateway scope', async () => {
    const missing = await post('/v1/chat/completions', { messages });
    expect((await missing.json()).error).toMatchObject({ param: 'model', type: 'invalid_request_error' });
    const other = await startTestServer({ providers: [{ name: 'only', type: 'openai', base_url: upstream.baseUrl, models: ['m1'] }] });
    const unknown = await other.request('POST', '/v1/chat/completions', { body: { model: 'nope', messages } });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'model_not_found']);
    const readKey = await other.createKey('default', ['read']);
    expect((await other.request('POST', '/v1/chat/completions', { key: readKey, body: { model: 'm1', messages } })).statusCode).toBe(403);
    await other.close();
  });
});

describe('the official openai client pointed at Loupe', () => {
  it('works for chat, streaming and embeddings', async () => {
    const client = new OpenAI({ apiKey: ADMIN_KEY, baseURL: `${base}/v1` });
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.usage?.total_tokens).toBe(1200);
    upstream.respondWith({ kind: 'sse', chunks: sseFixture('openai/chat-stream.chunks.txt') });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Hello! How can I help you today?');
    // The client asks for base64 (its default) and decodes it.
    upstream.respondWith({ kind: 'json', body: fixture('openai/embeddings-base64.json') });
    const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    expect(embedding.data[0]?.embedding).toHaveLength(3);
    expect(upstream.requests.at(-1)!.path).toBe('/v1/embeddings');
    expect(JSON.parse(upstream.requests.at(-1)!.body).encoding_format).toBe('base64');
  });
});
