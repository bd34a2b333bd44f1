// DeepSeek through the gateway, from its recorded wire format: the prompt tokens it read from
// its cache (`prompt_cache_hit_tokens`, with or without OpenAI's `cached_tokens` beside it) are
// recorded as cached and priced at its cache-hit rate, whole and streamed; so are they when an
// application records its own DeepSeek calls with the SDK.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoupeClient, observeOpenAI } from '../src/sdk/index.js';
import { fixture, sseFixture, startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';
import { ADMIN_KEY, listenOnLoopback, startTestServer, type TestServer } from './helpers/test-server.js';

let upstream: FakeUpstream;
let server: TestServer;
let base: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  server = await startTestServer({ providers: [{ name: 'deepseek', type: 'deepseek', base_url: upstream.baseUrl, api_key: 'sk-deepseek', models: ['deepseek-chat'], max_retries: 0 }] });
  base = await listenOnLoopback(server);
});
afterAll(async () => {
  await server?.close();
  await upstream?.close();
});

/**
 * DeepSeek's published deepseek-chat prices, USD per million tokens: input (cache miss), input
 * (cache hit), output; half of each from 16:30 to 00:30 UTC.
 */
function deepseekCost(startedAt: number, prompt: number, cached: number, completion: number): number {
  const minute = new Date(startedAt).getUTCHours() * 60 + new Date(startedAt).getUTCMinutes();
  const [miss, hit, output] = minute >= 30 && minute < 990 ? [0.27, 0.07, 1.1] : [0.135, 0.035, 0.55];
  return ((prompt - cached) * miss + cached * hit + completion * output) / 1e6;
}

interface StoredCall { prompt_tokens: number; cached_tokens: number; completion_tokens: number; cost_usd: number; price_source: string; started_at: string }

async function stored(id: string): Promise<StoredCall> {
  await server.recorder.settled();
  return (await server.request('GET', `/api/v1/logs/${id}`)).json() as StoredCall;
}

describe("DeepSeek's cache hits", () => {
  it('are recorded as cached tokens and priced at the cache-hit rate, whole and streamed', async () => {
    upstream.respondWith({ kind: 'json', body: fixture('deepseek/chat.json') });
    const whole = await server.request('POST', '/v1/chat/completions', { body: { model: 'deepseek-chat', messages: [{ role: 'user', content: 'Summarize the report' }] } });
    expect(whole.statusCode).toBe(200);
    const call = await stored(String(whole.headers['x-loupe-call-id']));
    expect([call.prompt_tokens, call.cached_tokens, call.completion_tokens, call.price_source]).toEqual([1200, 1024, 80, 'catalog']);
    expect(call.cost_usd).toBeCloseTo(deepseekCost(Date.parse(call.started_at), 1200, 1024, 80), 12);

    // The stream's usage chunk carries only DeepSeek's own fields.
    upstream.respondWith({ kind: 'sse', chunks: sseFixture('deepseek/chat-stream.chunks.txt') });
    const streamed = await server.request('POST', '/v1/chat/completions', { body: { model: 'deepseek-chat', stream: true, messages: [{ role: 'user', content: 'Summarize the report' }] } });
    expect(streamed.statusCode).toBe(200);
    const streamCall = await stored(String(streamed.headers['x-loupe-call-id']));
    expect([streamCall.prompt_tokens, streamCall.cached_tokens, streamCall.completion_tokens]).toEqual([1200, 1024, 6]);
    expect(streamCall.cost_usd).toBeCloseTo(deepseekCost(Date.parse(streamCall.started_at), 1200, 1024, 6), 12);
    // The usage chunk was asked for, and not passed to a client that did not ask for it.
    expect((upstream.requests.at(-1)!.json() as { stream_options: unknown }).stream_options).toEqual({ include_usage: true });
    expect(streamed.body).not.toContain('prompt_cache_hit_tokens');
  });

  it('are read the same way by the SDK from an application calling DeepSeek itself', async () => {
    // The stream, whose usage has only DeepSeek's own count.
    upstream.respondWith({ kind: 'sse', chunks: sseFixture('deepseek/chat-stream.chunks.txt') });
    const loupe = new LoupeClient({ baseUrl: base, apiKey: ADMIN_KEY });
    const client = observeOpenAI(new OpenAI({ apiKey: 'sk-deepseek', baseURL: upstream.baseUrl, maxRetries: 0 }), loupe, { provider: 'deepseek', tags: ['sdk-deepseek'] });
    const stream = await client.chat.completions.create({ model: 'deepseek-chat', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Summarize the report' }] });
    for await (const chunk of stream) void chunk;
    await loupe.shutdown();
    await server.recorder.settled();
    const page = (await server.request('GET', '/api/v1/logs?tag=sdk-deepseek&limit=10')).json() as { data: { id: string }[] };
    expect(page.data).toHaveLength(1);
    const call = await stored(page.data[0]!.id);
    expect([call.prompt_tokens, call.cached_tokens, call.completion_tokens]).toEqual([1200, 1024, 6]);
    expect(call.cost_usd).toBeCloseTo(deepseekCost(Date.parse(call.started_at), 1200, 1024, 6), 12);
  });
});
