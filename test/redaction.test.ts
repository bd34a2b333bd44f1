// Secrets are never stored: a key in a prompt, an answer or an error is redacted in what is
// written, on every way in (one record, a batch large enough for the ingestion workers, the
// gateway), while the provider still receives the request as the caller sent it and a search
// for the secret finds nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream, type FakeUpstream, openAiProviderAt } from './helpers/fake-upstream.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let upstream: FakeUpstream;
let server: TestServer;
const KEY = 'sk-proj-Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1';
const PROMPT = [{ role: 'user', content: `Why does ${KEY} fail with Bearer abcdefghijklmnop0123?` }];
const REDACTED_PROMPT = [{ role: 'user', content: 'Why does [REDACTED] fail with Bearer [REDACTED]?' }];

beforeAll(async () => {
  upstream = await startFakeUpstream();
  server = await startTestServer({ providers: [openAiProviderAt(upstream)] });
});
afterAll(async () => {
  await server?.close();
  await upstream?.close();
});

async function stored(id: string) {
  await server.recorder.settled();
  return (await server.request('GET', `/api/v1/logs/${encodeURIComponent(id)}`)).json() as Record<string, unknown>;
}

describe('secrets in calls', () => {
  it('redacts one ingested record\'s content and error', async () => {
    const response = await server.request('POST', '/api/v1/calls', {
      body: { id: 'secret-1', provider: 'google', model: 'gemini-2.0-flash', status: 'error', error_message: 'GET https://generativelanguage.googleapis.com/v1beta/models?key=AIzaSyA-1234567890abcdefghijklmnopqrstu&alt=json failed (403)', input: PROMPT, output: { role: 'assistant', content: `Rotate ${KEY}.` } },
    });
    expect(response.statusCode).toBe(201);
    expect(await stored('secret-1')).toMatchObject({
      input: REDACTED_PROMPT, output: { role: 'assistant', content: 'Rotate [REDACTED].' },
      error_message: 'GET https://generativelanguage.googleapis.com/v1beta/models?key=[REDACTED]&alt=json failed (403)',
    });
    // The same body again is the same record (the idempotency hash is of what was sent).
    const again = await server.request('POST', '/api/v1/calls', { body: { id: 'secret-1', provider: 'google', model: 'gemini-2.0-flash', status: 'error', error_message: 'GET https://generativelanguage.googleapis.com/v1beta/models?key=AIzaSyA-1234567890abcdefghijklmnopqrstu&alt=json failed (403)', input: PROMPT, output: { role: 'assistant', content: `Rotate ${KEY}.` } } });
    expect([again.statusCode, again.headers['idempotent-replayed']]).toEqual([201, 'true']);
  });

  it('redacts records of a batch prepared by the ingestion workers', async () => {
    const filler = 'x'.repeat(400);
    const batch = Array.from({ length: 200 }, (_, i) => ({ id: `secret-batch-${i}`, provider: 'openai', model: 'gpt-4o', prompt_tokens: 10, input: i === 123 ? PROMPT : [{ role: 'user', content: filler }] }));
    expect(JSON.stringify(batch).length).toBeGreaterThan(64 * 1024);
    const response = await server.request('POST', '/api/v1/calls', { body: batch });
    expect(response.json()).toMatchObject({ created: 200, failed: 0 });
    expect((await stored('secret-batch-123')).input).toEqual(REDACTED_PROMPT);
    expect((await stored('secret-batch-7')).input).toEqual([{ role: 'user', content: filler }]);
  });

  it('sends the gateway request upstream as written and stores it redacted', async () => {
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    const response = await server.request('POST', '/v1/chat/completions', { body: { model: 'gpt-4o', messages: PROMPT } });
    expect(response.statusCode).toBe(200);
    expect((upstream.requests.at(-1)!.json() as { messages: unknown }).messages).toEqual(PROMPT);
    const call = await stored(String(response.headers['x-loupe-call-id']));
    expect(call.input).toEqual(REDACTED_PROMPT);
    // The prompt's tokens are the provider's count of what it received.
    expect(call.prompt_tokens).toBe(1000);
  });

  it('finds nothing when the secret itself is searched for', async () => {
    await server.recorder.settled();
    const found = await server.request('GET', `/api/v1/logs?search=${encodeURIComponent(KEY.slice(0, 20))}`);
    expect(found.json().data).toEqual([]);
    const redacted = await server.request('GET', `/api/v1/logs?search=${encodeURIComponent('[REDACTED] fail')}`);
    expect(redacted.json().data.length).toBe(3);
  });
});
