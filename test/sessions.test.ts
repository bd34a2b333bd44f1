// Sessions (seed 002) against a known set of calls: list sorting and paging, filters,
// search, the Session Summary fields, messages with resent history removed, request
// details; each figure recomputed here from the inserted rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let otherKey: string;
const MINUTE = 60_000;
const BASE = Date.now() - 6 * 3_600_000;

interface Call {
  id: string; request_id?: string; attempt?: number; session_id: string; user_id: string | null; agent: string | null;
  conversation_name: string | null; provider: string; model: string; status: 'success' | 'error'; started_at: number;
  latency_ms: number; prompt_tokens: number; completion_tokens: number; cost_usd: number | null; tool_calls_count: number;
  cache_hit: boolean; input: unknown; output: unknown;
}

const SYSTEM = { role: 'system', content: 'You are a trading assistant.' };
const chat = (turns: number) => {
  const messages: { role: string; content: string }[] = [SYSTEM];
  for (let turn = 0; turn < turns; turn++) {
    messages.push({ role: 'user', content: `question ${turn}` });
    if (turn < turns - 1) messages.push({ role: 'assistant', content: `answer ${turn}` });
  }
  return messages;
};

/** Six sessions; sess-0 is a chat that resends its history on every call. */
const calls: Call[] = [];
for (let session = 0; session < 6; session++) {
  const size = 3 + (session % 3);
  for (let k = 0; k < size; k++) {
    const i = calls.length;
    calls.push({
      id: `s${session}-c${k}`,
      session_id: `sess-${session}`,
      user_id: k === 0 && session % 2 === 0 ? null : `user-${session % 3}`,
      agent: session === 5 ? null : ['planner', 'executor', 'critic'][(session + k) % 3]!,
      conversation_name: k === 1 ? `ticket-${session}` : null,
      provider: 'openai',
      // Calls without a reported cost use a model the catalog does not know, so they stay unpriced.
      model: session === 4 ? 'in-house-model' : ['gpt-4o', 'gpt-4o-mini', 'claude-haiku'][(i + session) % 3]!,
      status: session === 3 && k === 1 ? 'error' : 'success',
      started_at: BASE + session * 17 * MINUTE + k * (2 + session) * MINUTE,
      latency_ms: 300 + ((i * 137) % 2000),
      prompt_tokens: 100 + i * 3,
      completion_tokens: 20 + i,
      cost_usd: session === 4 ? null : Math.round((0.0005 + (i % 7) * 0.0011) * 1e7) / 1e7,
      tool_calls_count: (i % 4 === 1) ? 2 : 0,
      cache_hit: i % 5 === 0,
      input: session === 0 ? chat(k + 1) : [{ role: 'user', content: `task ${i}` }],
      output: session === 0 ? { role: 'assistant', content: `answer ${k}` } : { choices: [{ message: { role: 'assistant', content: `done ${i}` } }] },
    });
  }
}
// A fallback chain: two attempts of one request.
calls.push(
  { ...calls[calls.length - 1]!, id: 'fb-1', request_id: 'req-fallback', attempt: 1, status: 'error', session_id: 'sess-fb', started_at: BASE + 200 * MINUTE, cost_usd: null, model: 'in-house-model', input: [{ role: 'user', content: 'hello' }], output: null },
  { ...calls[calls.length - 1]!, id: 'fb-2', request_id: 'req-fallback', attempt: 2, status: 'success', session_id: 'sess-fb', started_at: BASE + 200 * MINUTE + 1000, cost_usd: 0.002, input: [{ role: 'user', content: 'hello' }], output: { role: 'assistant', content: 'hi there' } },
);

const sessionIds = [...new Set(calls.map((call) => call.session_id))];
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

function expectedSummary(sessionId: string) {
  const members = calls.filter((call) => call.session_id === sessionId).sort((a, b) => a.started_at - b.started_at);
  const first = <K extends keyof Call>(key: K) => members.find((call) => call[key] !== null)?.[key] ?? null;
  const start = Math.min(...members.map((call) => call.started_at));
  const end = Math.max(...members.map((call) => call.started_at + call.latency_ms));
  const priced = members.filter((call) => call.cost_usd !== null);
  return {
    session_id: sessionId,
    user_id: first('user_id'),
    agent_name: first('agent'),
    conversation_name: first('conversation_name'),
    total_messages: members.length,
    session_start: new Date(start).toISOString(),
    session_end: new Date(end).toISOString(),
    total_duration_seconds: (end - start) / 1000,
    total_tokens: sum(members.map((call) => call.prompt_tokens + call.completion_tokens)),
    total_cost: priced.length === 0 ? null : sum(priced.map((call) => call.cost_usd!)),
    avg_response_time: sum(members.map((call) => call.latency_ms)) / members.length / 1000,
    function_calls_count: sum(members.map((call) => call.tool_calls_count)),
    cache_hit_rate: members.filter((call) => call.cache_hit).length / members.length,
    models_used: [...new Set(members.map((call) => call.model))].sort(),
    total_calls: members.length,
    agents: [...new Set(members.flatMap((call) => (call.agent ? [call.agent] : [])))].sort(),
    error_count: members.filter((call) => call.status !== 'success').length,
    unpriced_calls: members.length - priced.length,
  };
}
type Summary = ReturnType<typeof expectedSummary>;

function expectSummary(actual: Summary, expected: Summary) {
  const { total_cost: cost, avg_response_time: avg, ...rest } = expected;
  expect(actual).toMatchObject(rest);
  if (cost === null) expect(actual.total_cost).toBeNull();
  else expect(actual.total_cost).toBeCloseTo(cost, 12);
  expect(actual.avg_response_time).toBeCloseTo(avg, 12);
}

beforeAll(async () => {
  server = await startTestServer();
  const body = calls.map((call) => ({ ...call, started_at: new Date(call.started_at).toISOString() }));
  const recorded = await server.request('POST', '/api/v1/calls', { body });
  expect(recorded.statusCode, recorded.body).toBe(200);
  otherKey = await server.createKey('other', ['admin']);
});
afterAll(async () => {
  await server.close();
});

async function get<T>(url: string, key?: string): Promise<T> {
  const response = await server.request('GET', url, key ? { key } : {});
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as T;
}

async function allPages(url: string): Promise<Summary[]> {
  const items: Summary[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: Summary[]; next_cursor: string | null } = await get(`${url}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    items.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

describe('GET /api/v1/sessions/{id}/summary', () => {
  it.each(sessionIds)('%s has the seed 002 Session Summary fields with the right values', async (sessionId) => {
    const summary = await get<Summary>(`/api/v1/sessions/${sessionId}/summary`);
    for (const field of ['session_id', 'user_id', 'agent_name', 'conversation_name', 'total_messages', 'session_start', 'session_end',
      'total_duration_seconds', 'total_tokens', 'total_cost', 'avg_response_time', 'function_calls_count', 'cache_hit_rate', 'models_used']) {
      expect(summary).toHaveProperty(field);
    }
    expectSummary(summary, expectedSummary(sessionId));
  });

  it('is 404 for an unknown session and for another project', async () => {
    expect((await server.request('GET', '/api/v1/sessions/nope/summary')).statusCode).toBe(404);
    expect((await server.request('GET', '/api/v1/sessions/sess-0/summary', { key: otherKey })).statusCode).toBe(404);
  });
});

describe('GET /api/v1/sessions', () => {
  const orderings: [string, (summary: Summary) => number][] = [
    ['start', (summary) => Date.parse(summary.session_start)],
    ['cost', (summary) => summary.total_cost ?? -1],
    ['duration', (summary) => summary.total_duration_seconds],
  ];
  it.each(orderings)('sorts by %s both ways across cursor pages', async (sort, key) => {
    const expected = sessionIds.map(expectedSummary);
    for (const order of ['asc', 'desc'] as const) {
      const items = await allPages(`/api/v1/sessions?sort=${sort}&order=${order}`);
      const sorted = [...expected].sort((a, b) => (key(a) - key(b) || a.session_id.localeCompare(b.session_id)) * (order === 'asc' ? 1 : -1));
      expect(items.map((item) => item.session_id)).toEqual(sorted.map((item) => item.session_id));
      items.forEach((item, index) => expectSummary(item, sorted[index]!));
    }
  });

  it('filters pick sessions with a matching call; the figures cover the whole session', async () => {
    const { data } = await get<{ data: Summary[] }>('/api/v1/sessions?agent=critic&model=gpt-4o');
    const expected = sessionIds.filter((id) => calls.some((call) => call.session_id === id && call.agent === 'critic' && call.model === 'gpt-4o'));
    expect(data.map((item) => item.session_id).sort()).toEqual(expected.sort());
    for (const item of data) expectSummary(item, expectedSummary(item.session_id));
  });

  it('min_cost and max_cost bound the session total', async () => {
    const { data } = await get<{ data: Summary[] }>('/api/v1/sessions?min_cost=0.005&max_cost=0.02&limit=100');
    const expected = sessionIds.filter((id) => {
      const cost = expectedSummary(id).total_cost ?? 0;
      return cost >= 0.005 && cost <= 0.02;
    });
    expect(data.map((item) => item.session_id).sort()).toEqual(expected.sort());
  });

  it('is empty for another project and for an empty range', async () => {
    expect((await get<{ data: Summary[] }>('/api/v1/sessions', otherKey)).data).toEqual([]);
    expect((await get<{ data: Summary[] }>(`/api/v1/sessions?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z`)).data).toEqual([]);
  });

  it.each([
    ['sort=price', 'sort'],
    ['min_cost=-1', 'min_cost'],
    ['limit=0', 'limit'],
    ['cursor=garbage', 'cursor'],
    ['colour=red', 'colour'],
  ])('%s is a 400 naming %s', async (query, field) => {
    const response = await server.request('GET', `/api/v1/sessions?${query}`);
    expect(response.statusCode, response.body).toBe(400);
    expect((response.json() as { error: { field: string } }).error.field).toBe(field);
  });
});

describe('POST /api/v1/sessions/search', () => {
  it("takes seed 002's filters", async () => {
    const response = await server.request('POST', '/api/v1/sessions/search', {
      body: { agent_name: 'planner', user_id: 'user-1', start_date: new Date(BASE).toISOString(), min_cost: 0.001 },
    });
    expect(response.statusCode, response.body).toBe(200);
    const expected = sessionIds.filter((id) => calls.some((call) => call.session_id === id && call.agent === 'planner' && call.user_id === 'user-1')
      && (expectedSummary(id).total_cost ?? 0) >= 0.001);
    expect(expected.length).toBeGreaterThan(0);
    expect((response.json() as { data: Summary[] }).data.map((item) => item.session_id).sort()).toEqual(expected.sort());
  });

  it.each([
    [{ agent: 'planner' }, 'agent'],
    [{ min_cost: 'cheap' }, 'min_cost'],
    [{ start_date: 'yesterday' }, 'start_date'],
  ])('refuses %j naming %s', async (body, field) => {
    const response = await server.request('POST', '/api/v1/sessions/search', { body });
    expect(response.statusCode, response.body).toBe(400);
    expect((response.json() as { error: { field: string } }).error.field).toBe(field);
  });
});

interface Message { call_id: string; role: string; content: unknown; source: string }

describe('GET /api/v1/sessions/{id}/messages', () => {
  it('lists a chat once: the history each call resends is skipped', async () => {
    const result = await get<{ messages: Message[]; calls: { repeated_history: number }[] }>('/api/v1/sessions/sess-0/messages');
    const turns = calls.filter((call) => call.session_id === 'sess-0').length;
    const expected: { role: string; content: string }[] = [SYSTEM];
    for (let turn = 0; turn < turns; turn++) expected.push({ role: 'user', content: `question ${turn}` }, { role: 'assistant', content: `answer ${turn}` });
    expect(result.messages.map(({ role, content }) => ({ role, content }))).toEqual(expected);
    expect(result.calls.map((call) => call.repeated_history)).toEqual(Array.from({ length: turns }, (_, k) => (k === 0 ? 0 : 2 * k + 1)));
  });

  it('with dedupe=false lists every message of every call, in order, with roles', async () => {
    const result = await get<{ messages: Message[] }>('/api/v1/sessions/sess-0/messages?dedupe=false');
    const expected = calls.filter((call) => call.session_id === 'sess-0').flatMap((call) => [
      ...(call.input as { role: string; content: string }[]).map((message) => ({ call_id: call.id, source: 'input', ...message })),
      { call_id: call.id, source: 'output', ...(call.output as { role: string; content: string }) },
    ]);
    expect(result.messages.map(({ call_id, source, role, content }) => ({ call_id, source, role, content }))).toEqual(expected);
  });

  it('pages by calls without repeating history across pages', async () => {
    const whole = await get<{ messages: Message[] }>('/api/v1/sessions/sess-0/messages');
    const paged: Message[] = [];
    let cursor: string | null = null;
    do {
      const page: { messages: Message[]; next_cursor: string | null } = await get(`/api/v1/sessions/sess-0/messages?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...page.messages);
      cursor = page.next_cursor;
    } while (cursor);
    expect(paged.map(({ role, content }) => ({ role, content }))).toEqual(whole.messages.map(({ role, content }) => ({ role, content })));
  });

  it('reads choices-shaped outputs, and is 404 for another project', async () => {
    const result = await get<{ messages: Message[] }>('/api/v1/sessions/sess-1/messages');
    const members = calls.filter((call) => call.session_id === 'sess-1');
    expect(result.messages.filter((message) => message.source === 'output').map((message) => message.content)).toEqual(members.map((call, index) => `done ${calls.indexOf(members[index]!)}`));
    expect((await server.request('GET', '/api/v1/sessions/sess-1/messages', { key: otherKey })).statusCode).toBe(404);
    const unknown = await server.request('GET', '/api/v1/sessions/sess-1/messages?dedup=false');
    expect(unknown.statusCode).toBe(400);
    expect((unknown.json() as { error: { field: string } }).error.field).toBe('dedup');
  });
});

describe('GET /api/v1/requests/{id}', () => {
  it('shows every attempt of a fallback chain with totals', async () => {
    const details = await get<{ attempts: number; status: string; total_cost: number; total_tokens: number; calls: { id: string; input: unknown }[] }>('/api/v1/requests/req-fallback');
    const attempts = calls.filter((call) => call.request_id === 'req-fallback');
    expect(details.attempts).toBe(2);
    expect(details.status).toBe('success');
    expect(details.calls.map((call) => call.id)).toEqual(['fb-1', 'fb-2']);
    expect(details.total_tokens).toBe(sum(attempts.map((call) => call.prompt_tokens + call.completion_tokens)));
    expect(details.total_cost).toBeCloseTo(0.002, 12);
    expect(details.calls[0]!.input).toEqual([{ role: 'user', content: 'hello' }]);
  });

  it("lists the final attempt's conversation", async () => {
    const result = await get<{ call_id: string; messages: Message[] }>('/api/v1/requests/req-fallback/messages');
    expect(result.call_id).toBe('fb-2');
    expect(result.messages.map(({ role, content }) => ({ role, content }))).toEqual([{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'hi there' }]);
  });

  it('accepts a call id, and is 404 for another project or an unknown id', async () => {
    expect((await get<{ calls: { id: string }[] }>('/api/v1/requests/s2-c1')).calls.map((call) => call.id)).toEqual(['s2-c1']);
    expect((await server.request('GET', '/api/v1/requests/req-fallback', { key: otherKey })).statusCode).toBe(404);
    expect((await server.request('GET', '/api/v1/requests/req-fallback/messages', { key: otherKey })).statusCode).toBe(404);
    expect((await server.request('GET', '/api/v1/requests/nope')).statusCode).toBe(404);
  });
});
