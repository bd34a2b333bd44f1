// The gateway in front of Ollama's native API: OpenAI requests become /api/chat requests,
// answers and NDJSON streams come back in OpenAI's format, with Ollama's own token counts
// and generation speed (eval_count / eval_duration).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, ndjsonFixture, startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let upstream: FakeUpstream;
let server: TestServer;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  // The fake serves under /v1; Ollama's native API lives at the root, which the registry derives.
  server = await startTestServer({ upstream_allowlist: ['127.0.0.1'], providers: [{ name: 'ollama', type: 'ollama', base_url: upstream.baseUrl, models: ['llama3.2'], max_retries: 0 }] });
});
afterAll(async () => {
  await server.close();
  await upstream.close();
});

async function recorded(id: string) {
  await server.recorder.settled();
  return (await server.store.calls.get('default', id))!;
}

describe('Ollama native through the gateway', () => {
  it('translates request and answer and records Ollama timings', async () => {
    upstream.respondWith({ kind: 'json', body: fixture('ollama/chat.json') });
    const response = await server.request('POST', '/v1/chat/completions', { body: { model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 300, temperature: 0.1 } });
    expect(response.statusCode).toBe(200);
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe('/api/chat');
    expect(JSON.parse(sent.body)).toEqual({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }], stream: false, options: { temperature: 0.1, num_predict: 300 } });
    expect(response.json().choices[0]).toMatchObject({ message: { content: 'Hello! How are you today?' }, finish_reason: 'stop' });
    const call = await recorded(response.headers['x-loupe-call-id'] as string);
    expect([call.prompt_tokens, call.completion_tokens, call.price_source, call.cost_usd]).toEqual([26, 298, 'local', 0]);
    expect(call.tokens_per_second).toBeCloseTo(298 / 4.799921, 9);
  });

  it('turns the NDJSON stream into OpenAI chunks and ends with [DONE]', async () => {
    upstream.respondWith({ kind: 'sse', chunks: ndjsonFixture('ollama/chat-stream.ndjson'), contentType: 'application/x-ndjson' });
    const response = await server.request('POST', '/v1/chat/completions', { body: { model: 'llama3.2', messages: [{ role: 'user', content: 'Why is the sky blue?' }], stream: true } });
    const events = response.body.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const text = events.slice(0, -1).map((event) => JSON.parse(event.slice(6)) as { choices: { delta: { content?: string } }[] }).map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('The sky is blue.');
    expect(response.body).not.toContain('"usage"');
    const call = await recorded(response.headers['x-loupe-call-id'] as string);
    expect([call.completion_tokens, call.usage_source, call.status]).toEqual([282, 'provider', 'success']);
    expect(call.tokens_per_second).toBeCloseTo(282 / 4.535599, 9);
  });
});
