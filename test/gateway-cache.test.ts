// The gateway's answer cache through real HTTP to a fake OpenAI upstream: a request that asks
// for it is answered from the cache the second time, byte for byte, without calling the
// provider, and recorded as a free call tagged as a cache hit of the first; a finished stream is
// kept as the client got it; what differs (the body, the project, an error, a broken stream, an
// expired entry, a replay) goes to the provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream, statusAnswer, replay, type FakeUpstream, openAiProviderAt } from './helpers/fake-upstream.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let upstream: FakeUpstream;
let server: TestServer;
const BODY = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Describe the picture' }] };
// openai/chat.json: 1,000 prompt tokens (400 cached), 200 completion; gpt-4o $2.50 / $1.25 / $10 per 1M.
const GPT_4O_COST = 600 * 2.5e-6 + 400 * 1.25e-6 + 200 * 10e-6;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  server = await startTestServer({ providers: [openAiProviderAt(upstream, ['gpt-4o', 'gpt-4o-mini'])] });
  upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
});
afterAll(async () => {
  await server?.close();
  await upstream?.close();
});

const chat = (body: unknown, headers: Record<string, string> = {}, key?: string) => server.request('POST', '/v1/chat/completions', { body, headers, ...(key ? { key } : {}) });
async function stored(id: string) {
  await server.recorder.settled();
  return (await server.request('GET', `/api/v1/logs/${id}`)).json() as Record<string, unknown>;
}

describe('gateway answer cache', () => {
  let firstId: string;

  it('answers the same request again from the cache, byte for byte, and records it as a free hit', async () => {
    const sentBefore = upstream.requests.length;
    const first = await chat(BODY, { 'x-loupe-cache': 'true' });
    expect([first.statusCode, first.headers['x-loupe-cache']]).toEqual([200, 'MISS']);
    firstId = String(first.headers['x-loupe-call-id']);
    const second = await chat(BODY, { 'x-loupe-cache': 'true' });
    expect([second.statusCode, second.headers['x-loupe-cache']]).toEqual([200, 'HIT']);
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(second.headers['content-type']).toBe(first.headers['content-type']);
    expect(upstream.requests.length - sentBefore).toBe(1);

    const original = await stored(firstId);
    expect([original.cache_hit, original.price_source]).toEqual([false, 'catalog']);
    expect(original.cost_usd).toBeCloseTo(GPT_4O_COST, 12);
    const hit = await stored(String(second.headers['x-loupe-call-id']));
    expect(hit).toMatchObject({
      cache_hit: true, cost_usd: 0, input_cost_usd: 0, output_cost_usd: 0, price_source: 'cache', properties: { cache_of: firstId },
      provider: 'openai', model: 'gpt-4o', status: 'success', http_status: 200, prompt_tokens: 1000, completion_tokens: 200, cached_tokens: 400,
      finish_reason: 'stop', input: BODY.messages, output: original.output,
    });
  });

  it('goes to the provider for another body, another project, no header or an opt-out', async () => {
    const sentBefore = upstream.requests.length;
    expect((await chat({ ...BODY, temperature: 0.2 }, { 'x-loupe-cache': 'true' })).headers['x-loupe-cache']).toBe('MISS');
    const elsewhere = await server.createKey('cache-other', ['gateway']);
    expect((await chat(BODY, { 'x-loupe-cache': 'true' }, elsewhere)).headers['x-loupe-cache']).toBe('MISS');
    const plain = await chat(BODY);
    expect(plain.headers['x-loupe-cache']).toBeUndefined();
    expect((await chat(BODY, { 'x-loupe-cache': 'false' })).headers['x-loupe-cache']).toBeUndefined();
    expect(upstream.requests.length - sentBefore).toBe(4);
    expect((await stored(String(plain.headers['x-loupe-call-id']))).cache_hit).toBe(false);
  });

  it('keeps a finished stream as the client got it, and answers the same streamed request from it', async () => {
    const body = { ...BODY, stream: true, messages: [{ role: 'user', content: 'Stream the answer' }] };
    const sentBefore = upstream.requests.length;
    upstream.enqueue(replay('openai/chat-stream.chunks.txt'));
    const first = await chat(body, { 'x-loupe-cache': 'true' });
    expect([first.statusCode, first.headers['x-loupe-cache']]).toEqual([200, 'MISS']);
    // Loupe asked for the usage chunk, and the client, who did not, never got it.
    expect(first.body).toContain('data: [DONE]');
    expect(first.body).not.toContain('"usage":{');
    const second = await chat(body, { 'x-loupe-cache': 'true' });
    expect([second.statusCode, second.headers['x-loupe-cache'], second.headers['content-type']]).toEqual([200, 'HIT', 'text/event-stream; charset=utf-8']);
    expect(second.body).toBe(first.body);
    expect(upstream.requests.length - sentBefore).toBe(1);

    const original = await stored(String(first.headers['x-loupe-call-id']));
    // openai/chat-stream.chunks.txt reports 19 prompt and 10 completion tokens in its usage chunk.
    expect(original).toMatchObject({ is_streaming: true, cache_hit: false, prompt_tokens: 19, completion_tokens: 10, usage_source: 'provider', finish_reason: 'stop' });
    const hit = await stored(String(second.headers['x-loupe-call-id']));
    expect(hit).toMatchObject({
      is_streaming: true, cache_hit: true, price_source: 'cache', cost_usd: 0, properties: { cache_of: original.id }, prompt_tokens: 19, completion_tokens: 10,
      usage_source: 'provider', finish_reason: 'stop', output: original.output, tokens_per_second: null,
    });
    expect(hit.ttft_ms).toBeGreaterThanOrEqual(0);
    expect(hit.ttft_ms).toBeLessThanOrEqual(hit.latency_ms as number);
  });

  it('keeps no stream that broke off', async () => {
    const body = { ...BODY, stream: true, messages: [{ role: 'user', content: 'A stream that breaks' }] };
    const sentBefore = upstream.requests.length;
    upstream.enqueue(replay('openai/chat-stream.chunks.txt', { dropAfter: 2 }), replay('openai/chat-stream.chunks.txt'));
    const broken = await chat(body, { 'x-loupe-cache': 'true' });
    expect([broken.statusCode, broken.headers['x-loupe-cache']]).toEqual([200, 'MISS']);
    expect((await stored(String(broken.headers['x-loupe-call-id']))).status).toBe('error');
    const again = await chat(body, { 'x-loupe-cache': 'true' });
    expect(again.headers['x-loupe-cache']).toBe('MISS');
    expect(again.body).toContain('data: [DONE]');
    expect(upstream.requests.length - sentBefore).toBe(2);
  });

  it('keeps no error, and forgets an answer when its time to live is up', async () => {
    const body = { ...BODY, model: 'gpt-4o-mini' };
    upstream.enqueue(statusAnswer(500, '{"error":{"message":"boom","type":"server_error"}}'));
    expect((await chat(body, { 'x-loupe-cache': 'true', 'x-loupe-cache-ttl': '1' })).statusCode).toBe(500);
    expect((await chat(body, { 'x-loupe-cache': 'true', 'x-loupe-cache-ttl': '1' })).headers['x-loupe-cache']).toBe('MISS');
    expect((await chat(body, { 'x-loupe-cache': 'true' })).headers['x-loupe-cache']).toBe('HIT');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await chat(body, { 'x-loupe-cache': 'true' })).headers['x-loupe-cache']).toBe('MISS');
  });

  it('leaves hits free when the model is priced again', async () => {
    await server.request('POST', '/api/v1/cost-settings', { body: { model: 'gpt-4o', cost_per_1k_input_tokens: 1, cost_per_1k_output_tokens: 2 } });
    const repriced = await server.request('POST', '/api/v1/cost-settings/reprice', { body: { model: 'gpt-4o' } });
    expect(repriced.statusCode).toBe(200);
    const hit = await chat(BODY, { 'x-loupe-cache': 'true' });
    expect(hit.headers['x-loupe-cache']).toBe('HIT');
    await server.recorder.settled();
    const logs = (await server.request('GET', '/api/v1/logs?model=gpt-4o&limit=100')).json().data as { id: string; cache_hit: boolean; cost_usd: number; price_source: string }[];
    const hits = logs.filter((call) => call.cache_hit);
    expect(hits.length).toBeGreaterThanOrEqual(2);
    for (const call of hits) expect([call.cost_usd, call.price_source]).toEqual([0, 'cache']);
    expect(logs.find((call) => call.id === firstId)!.cost_usd).toBeCloseTo(1000 * 1e-3 + 200 * 2e-3, 12);
    await server.request('DELETE', '/api/v1/cost-settings/gpt-4o');
  });

  it('refuses header values it cannot read, naming the header', async () => {
    for (const [headers, param] of [[{ 'x-loupe-cache': 'sometimes' }, 'x-loupe-cache'], [{ 'x-loupe-cache': 'true', 'x-loupe-cache-ttl': '0' }, 'x-loupe-cache-ttl']] as const) {
      const response = await chat(BODY, headers);
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({ type: 'invalid_request_error', param });
    }
  });
});

describe('a server that caches by default', () => {
  let cached: TestServer;
  beforeAll(async () => {
    cached = await startTestServer({ gateway_cache: true, providers: [openAiProviderAt(upstream)] });
  });
  afterAll(async () => cached?.close());

  it('caches requests that say nothing, and never answers a replay from the cache', async () => {
    const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'cached by default' }] };
    const first = await cached.request('POST', '/v1/chat/completions', { body });
    expect(first.headers['x-loupe-cache']).toBe('MISS');
    expect((await cached.request('POST', '/v1/chat/completions', { body })).headers['x-loupe-cache']).toBe('HIT');
    const sentBefore = upstream.requests.length;
    await cached.recorder.settled();
    const replayed = await cached.request('POST', '/api/v1/replay', { body: { call_id: String(first.headers['x-loupe-call-id']) } });
    expect(replayed.statusCode).toBe(200);
    expect(upstream.requests.length - sentBefore).toBe(1);
  });
});
