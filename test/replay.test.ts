// Replays and comparisons through the real gateway path to fake upstreams that answer in the
// providers' recorded formats: what each upstream received, what the replay answered, and the
// calls recorded for it, with costs computed here from the published prices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream, statusAnswer, type FakeUpstream } from './helpers/fake-upstream.js';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server.js';

let openai: FakeUpstream;
let anthropic: FakeUpstream;
let house: FakeUpstream;
let server: TestServer;

beforeAll(async () => {
  [openai, anthropic, house] = await Promise.all([startFakeUpstream(), startFakeUpstream(), startFakeUpstream()]);
  server = await startTestServer({
    providers: [
      { name: 'openai', type: 'openai', base_url: openai.baseUrl, api_key: 'sk-openai', models: ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'], max_retries: 0 },
      { name: 'anthropic', type: 'anthropic', base_url: anthropic.baseUrl, api_key: 'sk-ant', models: ['claude-sonnet-4-20250514'], max_retries: 0 },
      { name: 'house', type: 'openai', base_url: house.baseUrl, models: ['house-model'], max_retries: 0 },
    ],
  });
});
afterAll(async () => {
  await server.close();
  await Promise.all([openai.close(), anthropic.close(), house.close()]);
});

// Published prices per token: gpt-4o $2.50 in, $1.25 cached in, $10 out per 1M; Claude Sonnet 4
// $3 in, $3.75 cache write, $0.30 cache read, $15 out per 1M.
// openai/chat.json: 1,000 prompt tokens of which 400 cached, 200 completion (50 reasoning).
const GPT_4O_COST = 600 * 2.5e-6 + 400 * 1.25e-6 + 200 * 10e-6;
// anthropic/message.json: 12 input, 500 cache write, 3,000 cache read, 6 output.
const SONNET_COST = 12 * 3e-6 + 500 * 3.75e-6 + 3000 * 0.3e-6 + 6 * 15e-6;
const GPT_ANSWER = 'The image shows a wooden boardwalk path running through a lush green field or meadow.';

async function recorded(id: string) {
  await server.recorder.settled();
  const call = await server.store.calls.get('default', id);
  expect(call, `call ${id} recorded`).not.toBeNull();
  return call!;
}

const lastBody = (upstream: FakeUpstream) => JSON.parse(upstream.requests.at(-1)!.body) as Record<string, unknown>;

describe('POST /api/v1/replay', () => {
  it('sends a prompt through the gateway and answers with the reply, its tokens, cost and latency as recorded', async () => {
    openai.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    const response = await server.request('POST', '/api/v1/replay', { body: { provider: 'openai', model: 'gpt-4o', system: 'Be brief.', prompt: 'Describe the picture', temperature: 0.5, max_tokens: 300 } });
    expect(response.statusCode).toBe(200);
    expect(lastBody(openai)).toEqual({ model: 'gpt-4o', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Describe the picture' }], temperature: 0.5, max_tokens: 300, stream: false });
    expect(openai.requests.at(-1)!.headers.authorization).toBe('Bearer sk-openai');
    const answer = response.json();
    expect(answer).toMatchObject({ provider: 'openai', model: 'gpt-4o', status: 'success', http_status: 200, response: GPT_ANSWER, finish_reason: 'stop', attempts: 1, error: null, replay_of: null, price_source: 'catalog' });
    expect(answer.usage).toEqual({ prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200, cached_tokens: 400, reasoning_tokens: 50, source: 'provider' });
    expect(answer.cost_usd).toBeCloseTo(GPT_4O_COST, 12);
    const call = await recorded(answer.call_id);
    expect([call.tags, call.status, call.cost_usd, call.latency_ms, call.prompt_tokens]).toEqual([['replay'], 'success', answer.cost_usd, answer.latency_ms, 1000]);
    expect(call.input).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Describe the picture' }]);
    expect(call.params).toEqual({ temperature: 0.5, max_tokens: 300 });
    expect(answer.latency_ms).toBeGreaterThan(0);
  });

  it('replays a stored call on another model with a parameter changed, carrying its messages and the rest of its parameters', async () => {
    openai.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    const messages = [{ role: 'user', content: 'Summarize the report' }, { role: 'assistant', content: 'Which one?' }, { role: 'user', content: 'Q3' }];
    const original = await server.request('POST', '/v1/chat/completions', { body: { model: 'gpt-4o', messages, temperature: 0.3, max_tokens: 100, seed: 7 }, headers: { 'x-loupe-session-id': 'sess-r', 'x-loupe-agent': 'summarizer' } });
    const originalId = String(original.headers['x-loupe-call-id']);
    await recorded(originalId);

    const replay = await server.request('POST', `/api/v1/logs/${originalId}/replay`, { body: { model: 'gpt-4o-mini', temperature: 0.9 } });
    expect(replay.statusCode).toBe(200);
    expect(lastBody(openai)).toEqual({ model: 'gpt-4o-mini', messages, temperature: 0.9, max_tokens: 100, seed: 7, stream: false });
    const answer = replay.json();
    expect([answer.replay_of, answer.model, answer.provider]).toEqual([originalId, 'gpt-4o-mini', 'openai']);
    const call = await recorded(answer.call_id);
    // A replay is its own call: it names what it replays and joins no session or agent.
    expect([call.properties, call.tags, call.session_id, call.agent, call.model]).toEqual([{ replay_of: originalId }, ['replay'], null, null, 'gpt-4o-mini']);

    // On its own model, through the provider that served it.
    const again = await server.request('POST', '/api/v1/replay', { body: { call_id: originalId } });
    expect(again.statusCode).toBe(200);
    expect(lastBody(openai)).toEqual({ model: 'gpt-4o', messages, temperature: 0.3, max_tokens: 100, seed: 7, stream: false });
    expect(again.json().replay_of).toBe(originalId);
  });

  it('offers a replayed call the tools the original was offered', async () => {
    openai.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
    const messages = [{ role: 'user', content: 'Weather in Paris?' }];
    const original = await server.request('POST', '/v1/chat/completions', { body: { model: 'gpt-4o', messages, tools, tool_choice: 'auto' } });
    const originalId = String(original.headers['x-loupe-call-id']);
    expect((await recorded(originalId)).params).toEqual({ tools, tool_choice: 'auto' });
    const replay = await server.request('POST', `/api/v1/logs/${originalId}/replay`, { body: { model: 'gpt-4o-mini' } });
    expect(replay.statusCode).toBe(200);
    expect(lastBody(openai)).toEqual({ model: 'gpt-4o-mini', messages, tools, tool_choice: 'auto', stream: false });
  });

  it('answers with the gateway status and the error when the provider fails, and records the failed call', async () => {
    house.respondWith(statusAnswer(503, '{"error":{"message":"model is loading","type":"server_error","code":"overloaded"}}'));
    const response = await server.request('POST', '/api/v1/replay', { body: { model: 'house-model', prompt: 'hello' } });
    expect(response.statusCode).toBe(503);
    const answer = response.json();
    expect([answer.status, answer.http_status, answer.response, answer.error.code]).toEqual(['error', 503, null, 'http_503']);
    expect(answer.error.message).toContain('model is loading');
    const call = await recorded(answer.call_id);
    expect([call.status, call.tags, call.http_status]).toEqual(['error', ['replay'], 503]);
  });

  it('refuses what cannot be replayed, naming the field', async () => {
    const ingested = await server.request('POST', '/api/v1/calls', { body: { id: 'no-content', provider: 'openai', model: 'gpt-4o', prompt_tokens: 5 } });
    expect(ingested.statusCode).toBe(201);
    const embedding = await server.request('POST', '/api/v1/calls', { body: { id: 'an-embedding', provider: 'openai', model: 'text-embedding-3-small', endpoint: '/v1/embeddings', input: [{ role: 'user', content: 'x' }] } });
    expect(embedding.statusCode).toBe(201);
    const otherKey = await server.createKey('other', ['admin']);
    const cases: [Record<string, unknown>, number, string][] = [
      [{ model: 'gpt-4o' }, 400, 'prompt'],
      [{ model: 'gpt-4o', prompt: 'a', messages: [{ role: 'user', content: 'b' }] }, 400, 'messages'],
      [{ model: 'gpt-4o', messages: [{ role: 'user', content: 'b' }], system: 's' }, 400, 'system'],
      [{ call_id: 'no-content', prompt: 'a' }, 400, 'prompt'],
      [{ call_id: 'no-content' }, 422, 'call_id'],
      [{ call_id: 'an-embedding' }, 422, 'call_id'],
      [{ prompt: 'a' }, 400, 'model'],
      [{ model: 'no-such-model', prompt: 'a' }, 400, 'model'],
      [{ provider: 'nope', model: 'gpt-4o', prompt: 'a' }, 400, 'provider'],
      [{ model: 'gpt-4o', prompt: 'a', temperature: 3 }, 400, 'temperature'],
      [{ model: 'gpt-4o', prompt: 'a', stream: true }, 400, 'stream'],
      [{ model: 'gpt-4o', messages: [{ role: 'wizard', content: 'x' }] }, 400, 'messages.0.role'],
      [{ model: 'gpt-4o', prompt: '' }, 400, 'prompt'],
    ];
    for (const [body, status, field] of cases) {
      const response = await server.request('POST', '/api/v1/replay', { body });
      expect([JSON.stringify(body), response.statusCode, response.json().error?.field]).toEqual([JSON.stringify(body), status, field]);
    }
    expect((await server.request('POST', '/api/v1/replay', { body: { call_id: 'does-not-exist' } })).statusCode).toBe(404);
    // Another project's call is not found, by either route.
    expect((await server.request('POST', '/api/v1/replay', { key: otherKey, body: { call_id: 'no-content' } })).statusCode).toBe(404);
    expect((await server.request('POST', '/api/v1/logs/no-content/replay', { key: otherKey, body: {} })).statusCode).toBe(404);
  });

  it('needs the gateway scope: a read key is refused, an admin session may replay, a read-only session may not', async () => {
    openai.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    const body = { model: 'gpt-4o', prompt: 'hi' };
    const readKey = await server.createKey('default', ['read']);
    expect((await server.request('POST', '/api/v1/replay', { key: readKey, body })).statusCode).toBe(403);
    const gatewayKey = await server.createKey('default', ['gateway']);
    expect((await server.request('POST', '/api/v1/replay', { key: gatewayKey, body })).statusCode).toBe(200);
    const sessionOf = async (key: string) => String((await server.request('POST', '/api/v1/session/login', { key: null, body: { key } })).headers['set-cookie']).split(';')[0]!;
    expect((await server.request('POST', '/api/v1/replay', { key: null, headers: { cookie: await sessionOf(ADMIN_KEY) }, body })).statusCode).toBe(200);
    expect((await server.request('POST', '/api/v1/replay', { key: null, headers: { cookie: await sessionOf(readKey) }, body })).statusCode).toBe(403);
  });
});

interface ComparisonAnswer {
  comparison_id: string;
  results: { call_id: string; response: string | null; status: string }[];
  summary: Record<string, unknown>;
}
const comparisons: ComparisonAnswer[] = [];

describe('POST /api/v1/replay/compare', () => {
  it('runs the request on every target at once and names the fastest and the cheapest answer', async () => {
    openai.respondWith({ kind: 'json', body: fixture('openai/chat.json'), delayMs: 150 });
    anthropic.respondWith({ kind: 'json', body: fixture('anthropic/message.json'), delayMs: 250 });
    const response = await server.request('POST', '/api/v1/replay/compare', {
      body: { name: 'gpt vs sonnet', prompt: 'What is the capital of France?', max_tokens: 100, targets: [{ provider: 'openai', model: 'gpt-4o' }, { provider: 'anthropic', model: 'claude-sonnet-4-20250514' }] },
    });
    expect(response.statusCode).toBe(200);
    const answer = response.json();
    comparisons.push(answer);
    // The answer comes once its calls are stored: they are read back at once.
    const [newest] = (await server.request('GET', '/api/v1/replay/comparisons?limit=1')).json().comparisons;
    expect(newest.comparison_id).toBe(answer.comparison_id);
    const [gpt, sonnet] = answer.results;
    expect([gpt.target, gpt.status, gpt.response]).toEqual([{ provider: 'openai', model: 'gpt-4o', reasoning_effort: null }, 'success', GPT_ANSWER]);
    expect([sonnet.target, sonnet.status, sonnet.response]).toEqual([{ provider: 'anthropic', model: 'claude-sonnet-4-20250514', reasoning_effort: null }, 'success', 'Hello!']);
    expect(gpt.cost_usd).toBeCloseTo(GPT_4O_COST, 12);
    expect(sonnet.cost_usd).toBeCloseTo(SONNET_COST, 12);
    expect(sonnet.usage).toMatchObject({ prompt_tokens: 3512, completion_tokens: 6, cached_tokens: 3000 });
    expect([gpt.latency_ms >= 150, sonnet.latency_ms >= 250]).toEqual([true, true]);
    expect(answer.summary).toMatchObject({
      answered: 2, failed: 0, unpriced_results: 0,
      fastest: { provider: 'openai', model: 'gpt-4o', latency_ms: gpt.latency_ms },
      cheapest: { provider: 'anthropic', model: 'claude-sonnet-4-20250514' },
    });
    expect(answer.summary.cheapest.cost_usd).toBeCloseTo(SONNET_COST, 12);
    expect(answer.summary.total_cost_usd).toBeCloseTo(GPT_4O_COST + SONNET_COST, 12);
    expect(answer.summary.average_latency_ms).toBeCloseTo((gpt.latency_ms + sonnet.latency_ms) / 2, 9);
    expect(JSON.parse(anthropic.requests.at(-1)!.body)).toMatchObject({ model: 'claude-sonnet-4-20250514', max_tokens: 100, messages: [{ role: 'user', content: [{ type: 'text', text: 'What is the capital of France?' }] }] });

    // The comparison's calls are found by its id among the logs.
    await server.recorder.settled();
    const logs = await server.request('GET', `/api/v1/logs?days=1&property.comparison_id=${answer.comparison_id}`);
    expect(logs.json().data.map((row: { id: string }) => row.id).sort()).toEqual([gpt.call_id, sonnet.call_id].sort());
    const call = await recorded(gpt.call_id);
    expect([call.tags, call.properties]).toEqual([['replay', 'compare'], { comparison_id: answer.comparison_id, comparison_name: 'gpt vs sonnet' }]);
    // Sent at once: the second did not wait for the first's 150 ms.
    const sonnetCall = await recorded(sonnet.call_id);
    expect(Math.abs(sonnetCall.started_at - call.started_at)).toBeLessThan(100);
  });

  it('keeps a failed target and an unpriced answer in the comparison without calling either the cheapest', async () => {
    // gpt-4o-mini answers as its snapshot; the house model under its own name, which no catalog prices.
    openai.respondWith({ kind: 'json', body: fixture('openai/chat.json').replace('"gpt-4o-2024-08-06"', '"gpt-4o-mini-2024-07-18"') });
    house.respondWith({ kind: 'json', body: fixture('openai/chat.json').replace('"gpt-4o-2024-08-06"', '"house-model-v2"') });
    anthropic.respondWith(statusAnswer(529, fixture('anthropic/error-529.json')));
    const response = await server.request('POST', '/api/v1/replay/compare', { body: { messages: [{ role: 'user', content: 'hi' }], targets: [{ model: 'house-model' }, { model: 'gpt-4o-mini' }, { provider: 'anthropic', model: 'claude-sonnet-4-20250514' }] } });
    expect(response.statusCode).toBe(200);
    comparisons.push(response.json());
    const { results, summary } = response.json();
    expect(results.map((result: { status: string; price_source: string | null }) => [result.status, result.price_source])).toEqual([['success', 'unpriced'], ['success', 'catalog'], ['error', results[2].price_source]]);
    expect(results[0].cost_usd).toBeNull();
    expect(results[2].error.code).toBe('http_529');
    // gpt-4o-mini: $0.15 in, $0.075 cached, $0.60 out per 1M.
    const mini = 600 * 0.15e-6 + 400 * 0.075e-6 + 200 * 0.6e-6;
    expect(results[1].cost_usd).toBeCloseTo(mini, 12);
    expect(summary).toMatchObject({ answered: 2, failed: 1, cheapest: { provider: 'openai', model: 'gpt-4o-mini' } });
    expect(summary.unpriced_results).toBe(results.filter((result: { cost_usd: number | null }) => result.cost_usd === null).length);
  });

  it('refuses fewer than two or more than eight targets, and names the target it cannot route', async () => {
    const one = await server.request('POST', '/api/v1/replay/compare', { body: { prompt: 'a', targets: [{ model: 'gpt-4o' }] } });
    expect([one.statusCode, one.json().error.field]).toEqual([400, 'targets']);
    const nine = await server.request('POST', '/api/v1/replay/compare', { body: { prompt: 'a', targets: Array.from({ length: 9 }, () => ({ model: 'gpt-4o' })) } });
    expect([nine.statusCode, nine.json().error.field]).toEqual([400, 'targets']);
    const sent = openai.requests.length;
    const unknown = await server.request('POST', '/api/v1/replay/compare', { body: { prompt: 'a', targets: [{ model: 'gpt-4o' }, { model: 'no-such-model' }] } });
    expect([unknown.statusCode, unknown.json().error.field]).toEqual([400, 'targets.1.model']);
    // Nothing was sent for a comparison refused as a whole.
    expect(openai.requests.length).toBe(sent);
  });
});

describe('comparisons read back', () => {
  it('lists past comparisons newest first with the results and summary they answered', async () => {
    const [first, second] = comparisons as [ComparisonAnswer, ComparisonAnswer];
    const listed = (await server.request('GET', '/api/v1/replay/comparisons?days=1')).json().comparisons as ComparisonAnswer[];
    expect(listed.map((comparison) => comparison.comparison_id)).toEqual([second.comparison_id, first.comparison_id]);
    for (const [stored, answered] of [[listed[0]!, second], [listed[1]!, first]] as const) {
      expect(stored.results.map((result) => [result.call_id, result.status])).toEqual(answered.results.map((result) => [result.call_id, result.status]));
      expect(stored.summary).toEqual(answered.summary);
    }
    expect(listed[1]).toMatchObject({ name: 'gpt vs sonnet', replay_of: null });
    const newest = (await server.request('GET', '/api/v1/replay/comparisons?limit=1')).json().comparisons;
    expect(newest.map((comparison: ComparisonAnswer) => comparison.comparison_id)).toEqual([second.comparison_id]);
    expect(newest[0].results.map((result: { call_id: string }) => result.call_id)).toEqual(second.results.map((result) => result.call_id));
    const elsewhere = await server.createKey('elsewhere', ['read']);
    expect((await server.request('GET', '/api/v1/replay/comparisons', { key: elsewhere })).json()).toEqual({ comparisons: [] });
  });

  it('shows one comparison with the messages sent and each answer', async () => {
    const first = comparisons[0]!;
    const shown = await server.request('GET', `/api/v1/replay/comparisons/${first.comparison_id}`);
    expect(shown.statusCode).toBe(200);
    const comparison = shown.json();
    expect(comparison.messages).toEqual([{ role: 'user', content: 'What is the capital of France?' }]);
    expect(comparison.results.map((result: { response: string | null }) => result.response)).toEqual([GPT_ANSWER, 'Hello!']);
    expect(comparison.summary).toEqual(first.summary);
    const elsewhere = await server.createKey('elsewhere-2', ['read']);
    expect((await server.request('GET', `/api/v1/replay/comparisons/${first.comparison_id}`, { key: elsewhere })).statusCode).toBe(404);
    expect((await server.request('GET', '/api/v1/replay/comparisons/not-a-comparison')).statusCode).toBe(404);
    expect((await server.request('GET', '/api/v1/replay/comparisons/01890a5d-ac96-774b-bcce-b302099a8057')).statusCode).toBe(404);
  });
});

describe('GET /api/v1/replay/models', () => {
  it('lists the models of each enabled provider, or of one', async () => {
    expect((await server.request('GET', '/api/v1/replay/models')).json()).toEqual({ models: { openai: ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'], anthropic: ['claude-sonnet-4-20250514'], house: ['house-model'] }, routes: [] });
    expect((await server.request('GET', '/api/v1/replay/models?provider=anthropic')).json()).toEqual({ models: { anthropic: ['claude-sonnet-4-20250514'] }, routes: [] });
    expect((await server.request('GET', '/api/v1/replay/models?provider=nope')).statusCode).toBe(404);
  });
});

describe('reasoning effort in replays and comparisons', () => {
  it('compares one model with itself at two efforts, a target without its own taking the request’s, and reads the efforts back', async () => {
    openai.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    anthropic.respondWith({ kind: 'json', body: fixture('anthropic/message.json') });
    const sentBefore = openai.requests.length;
    const response = await server.request('POST', '/api/v1/replay/compare', {
      body: {
        prompt: 'Plan the migration', reasoning_effort: 'medium',
        targets: [{ provider: 'openai', model: 'gpt-4o', reasoning_effort: 'low' }, { provider: 'openai', model: 'gpt-4o', reasoning_effort: 'high' }, { provider: 'anthropic', model: 'claude-sonnet-4-20250514' }],
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json();
    expect(answer.results.map((result: { target: unknown }) => result.target)).toEqual([
      { provider: 'openai', model: 'gpt-4o', reasoning_effort: 'low' },
      { provider: 'openai', model: 'gpt-4o', reasoning_effort: 'high' },
      { provider: 'anthropic', model: 'claude-sonnet-4-20250514', reasoning_effort: 'medium' },
    ]);
    // Sent at once, so in either order: each with its own effort.
    const efforts = openai.requests.slice(sentBefore).map((request) => (JSON.parse(request.body) as { reasoning_effort?: string }).reasoning_effort).sort();
    expect(efforts).toEqual(['high', 'low']);
    expect(lastBody(anthropic)).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 8192 }, max_tokens: 4096 + 8192 });
    expect(answer.summary.fastest.reasoning_effort).toBe(answer.results.find((result: { latency_ms: number }) => result.latency_ms === answer.summary.fastest.latency_ms).target.reasoning_effort);

    const shown = (await server.request('GET', `/api/v1/replay/comparisons/${answer.comparison_id}`)).json();
    expect(shown.results.map((result: { target: { reasoning_effort: string | null } }) => result.target.reasoning_effort)).toEqual(['low', 'high', 'medium']);
    const call = await recorded(answer.results[1].call_id);
    expect([call.params, call.properties.reasoning_effort]).toEqual([{ reasoning_effort: 'high' }, 'high']);
  });

  it('carries a stored call’s effort into its replay, and drops it when the replay says null', async () => {
    openai.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    const original = await server.request('POST', '/v1/chat/completions', { body: { model: 'gpt-4o', reasoning_effort: 'high', messages: [{ role: 'user', content: 'Why?' }] } });
    const id = String(original.headers['x-loupe-call-id']);
    expect((await recorded(id)).params).toEqual({ reasoning_effort: 'high' });
    expect((await server.request('POST', `/api/v1/logs/${id}/replay`, { body: {} })).statusCode).toBe(200);
    expect(lastBody(openai)).toMatchObject({ reasoning_effort: 'high' });
    expect((await server.request('POST', `/api/v1/logs/${id}/replay`, { body: { reasoning_effort: 'low' } })).statusCode).toBe(200);
    expect(lastBody(openai)).toMatchObject({ reasoning_effort: 'low' });
    expect((await server.request('POST', `/api/v1/logs/${id}/replay`, { body: { reasoning_effort: null } })).statusCode).toBe(200);
    expect(lastBody(openai)).not.toHaveProperty('reasoning_effort');
    const refused = await server.request('POST', `/api/v1/logs/${id}/replay`, { body: { reasoning_effort: 'maximum' } });
    expect([refused.statusCode, refused.json().error.field]).toEqual([400, 'reasoning_effort']);
  });
});
