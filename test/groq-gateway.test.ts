// Groq through the gateway (an OpenAI-compatible type with its own address and env shortcut):
// its recorded stream relayed without the usage chunk Loupe asked for, Groq's own `x_groq`
// fields passed through, the call priced at Groq's published rates; endpoints Groq does not
// serve refused before anything is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replay, startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let groq: FakeUpstream;
let server: TestServer;

beforeAll(async () => {
  groq = await startFakeUpstream();
  server = await startTestServer({ providers: [{ name: 'groq', type: 'groq', base_url: groq.baseUrl, api_key: 'gsk-test', models: ['llama-3.3-70b-versatile'], max_retries: 0 }] });
});
afterAll(async () => {
  await server?.close();
  await groq?.close();
});

describe('Groq', () => {
  it("streams Groq's chunks as sent, without the usage chunk asked for, and prices the call at Groq's rates", async () => {
    groq.respondWith(replay('groq/chat-stream.chunks.txt'));
    const answer = await server.request('POST', '/v1/chat/completions', { body: { model: 'llama-3.3-70b-versatile', stream: true, messages: [{ role: 'user', content: 'Why Groq?' }] } });
    expect(answer.statusCode, answer.body).toBe(200);
    const sent = groq.requests.at(-1)!;
    expect([sent.path, sent.headers.authorization, sent.json().stream_options]).toEqual(['/v1/chat/completions', 'Bearer gsk-test', { include_usage: true }]);
    const events = answer.body.split('\n\n').filter((event) => event.startsWith('data: '));
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(events.some((event) => event.includes('"choices":[]'))).toBe(false);
    expect(events.filter((event) => event.includes('"x_groq"')).length).toBe(2);

    await server.recorder.settled();
    const call = (await server.request('GET', `/api/v1/logs/${String(answer.headers['x-loupe-call-id'])}`)).json() as Record<string, unknown>;
    expect([call.provider, call.prompt_tokens, call.completion_tokens, call.usage_source, call.finish_reason]).toEqual(['groq', 42, 4, 'provider', 'stop']);
    // llama-3.3-70b-versatile on Groq: $0.59 per 1M input tokens, $0.79 per 1M output tokens.
    expect(call.cost_usd).toBeCloseTo(42 * 0.59e-6 + 4 * 0.79e-6, 12);
  });

  it('refuses embeddings and legacy completions, which Groq does not serve, before sending them', async () => {
    const before = groq.requests.length;
    const embeddings = await server.request('POST', '/v1/embeddings', { body: { model: 'llama-3.3-70b-versatile', input: 'x' } });
    const completions = await server.request('POST', '/v1/completions', { body: { model: 'llama-3.3-70b-versatile', prompt: 'x' } });
    expect([embeddings.statusCode, embeddings.json().error.code, completions.statusCode, completions.json().error.code]).toEqual([400, 'unsupported_endpoint', 400, 'unsupported_endpoint']);
    expect(groq.requests.length).toBe(before);
  });
});
