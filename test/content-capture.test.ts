// A project may keep no content: with capture off, calls recorded through any path keep their
// figures (tokens as counted, cost, latency, attribution) and lose their input and output; other
// projects are untouched; turning it on again keeps content from then on; an instance sharing
// the store follows on its next refresh.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentCapture } from '../src/recorder/content-capture.js';
import { fixture, startFakeUpstream, type FakeUpstream, openAiProviderAt } from './helpers/fake-upstream.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let upstream: FakeUpstream;
let server: TestServer;
const PROMPT = [{ role: 'user', content: 'quarterly numbers for the board' }];

beforeAll(async () => {
  upstream = await startFakeUpstream();
  server = await startTestServer({ providers: [openAiProviderAt(upstream)] });
});
afterAll(async () => {
  await server?.close();
  await upstream?.close();
});

async function stored(id: string, key?: string) {
  await server.recorder.settled();
  return (await server.request('GET', `/api/v1/logs/${encodeURIComponent(id)}`, key ? { key } : {})).json() as Record<string, unknown>;
}

describe('content capture per project', () => {
  it('tells the project and its setting, and refuses bad changes by name', async () => {
    const project = await server.request('GET', '/api/v1/project');
    expect(project.json()).toMatchObject({ id: 'default', capture_content: true });
    expect(Number.isNaN(Date.parse(project.json().created_at))).toBe(false);
    const cases: [unknown, string][] = [[{ capture_content: 'no' }, 'capture_content'], [{ capture_content: false, name: 'x' }, 'name'], [{}, 'capture_content']];
    for (const [body, field] of cases) {
      const response = await server.request('PATCH', '/api/v1/project', { body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.field).toBe(field);
    }
    const reader = await server.createKey('default', ['read']);
    expect((await server.request('PATCH', '/api/v1/project', { key: reader, body: { capture_content: false } })).statusCode).toBe(403);
    expect((await server.request('GET', '/api/v1/project', { key: reader })).statusCode).toBe(200);
  });

  it('keeps figures and drops content while capture is off, on every path, for this project only', async () => {
    const off = await server.request('PATCH', '/api/v1/project', { body: { capture_content: false } });
    expect(off.json()).toMatchObject({ id: 'default', capture_content: false });

    const ingested = await server.request('POST', '/api/v1/calls', { body: { id: 'no-capture-1', provider: 'openai', model: 'gpt-4o', prompt_tokens: 120, completion_tokens: 30, input: PROMPT, output: { role: 'assistant', content: 'Revenue rose.' }, session_id: 's-1' } });
    expect(ingested.statusCode).toBe(201);
    expect(await stored('no-capture-1')).toMatchObject({ input: null, output: null, prompt_tokens: 120, completion_tokens: 30, session_id: 's-1', price_source: 'catalog' });

    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    const proxied = await server.request('POST', '/v1/chat/completions', { body: { model: 'gpt-4o', messages: PROMPT } });
    expect(proxied.statusCode).toBe(200);
    expect((upstream.requests.at(-1)!.json() as { messages: unknown }).messages).toEqual(PROMPT);
    const gatewayCall = await stored(String(proxied.headers['x-loupe-call-id']));
    expect(gatewayCall).toMatchObject({ input: null, output: null, prompt_tokens: 1000, completion_tokens: 200, status: 'success' });
    expect(gatewayCall.cost_usd).toBeCloseTo(600 * 2.5e-6 + 400 * 1.25e-6 + 200 * 10e-6, 12);

    const other = await server.createKey('capture-other', ['ingest', 'read']);
    expect((await server.request('POST', '/api/v1/calls', { key: other, body: { id: 'other-capture', provider: 'openai', model: 'gpt-4o', input: PROMPT } })).statusCode).toBe(201);
    expect((await stored('other-capture', other)).input).toEqual(PROMPT);

    const search = await server.request('GET', '/api/v1/logs?search=quarterly');
    expect(search.json().data).toEqual([]);
  });

  it('keeps content again once capture is back on', async () => {
    expect((await server.request('PATCH', '/api/v1/project', { body: { capture_content: true } })).json().capture_content).toBe(true);
    await server.request('POST', '/api/v1/calls', { body: { id: 'capture-again', provider: 'openai', model: 'gpt-4o', input: PROMPT } });
    expect((await stored('capture-again')).input).toEqual(PROMPT);
    // Calls stored while it was off stay without content.
    expect((await stored('no-capture-1')).input).toBeNull();
  });

  it('reaches an instance sharing the store on its next refresh', async () => {
    const here = await ContentCapture.load(server.store.projects);
    const there = await ContentCapture.load(server.store.projects);
    await server.store.projects.ensure('shared', 'shared');
    expect(await here.set('shared', false)).toBe(true);
    expect([here.captures('shared'), there.captures('shared')]).toEqual([false, true]);
    await there.refresh();
    expect(there.captures('shared')).toBe(false);
    expect(await here.set('no-such-project', false)).toBe(false);
    expect(here.captures('no-such-project')).toBe(true);
  });
});
