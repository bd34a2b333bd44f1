// Traces (calls grouped by trace_id) on both engines, against calls whose figures are
// recomputed here: one trace as a tree with offsets, the list sorted, filtered and paged, the
// logs filtered by trace, the gateway's trace and parent headers, and bad input by field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream, openAiProviderAt, type FakeUpstream } from './helpers/fake-upstream.js';
import { startTestServer, type TestEngine, type TestServer } from './helpers/test-server.js';

const ENGINES: TestEngine[] = ['duckdb', 'postgres'];
const BASE = Date.now() - 2 * 3_600_000;

interface Call {
  id: string; trace_id: string | null; parent_id: string | null; started_at: number; latency_ms: number; model: string;
  status: 'success' | 'error'; prompt_tokens: number; completion_tokens: number; cost_usd: number | null; agent: string | null;
  session_id: string | null; user_id: string | null; tool_calls_count: number;
}

const call = (id: string, trace: string | null, parent: string | null, offset: number, latency: number, extra: Partial<Call> = {}): Call => ({
  id, trace_id: trace, parent_id: parent, started_at: BASE + offset, latency_ms: latency, model: 'gpt-4o', status: 'success',
  prompt_tokens: 100 + offset % 97, completion_tokens: 10 + latency % 31, cost_usd: Math.round((0.001 + (offset % 13) * 0.00037) * 1e8) / 1e8,
  agent: null, session_id: null, user_id: null, tool_calls_count: 0, ...extra,
});

// trace-a: a planner call with a tool step under it (which failed) and a sub-call under that,
// a second step started later, and a call whose parent (an agent span) is not a call.
const calls: Call[] = [
  call('a-root', 'trace-a', null, 0, 1_200, { agent: 'planner', session_id: 'sess-1', user_id: 'u-1', tool_calls_count: 2 }),
  call('a-step2', 'trace-a', 'a-root', 800, 300, { agent: 'writer', model: 'gpt-4o-mini' }),
  call('a-tool', 'trace-a', 'a-root', 300, 400, { agent: 'executor', status: 'error' }),
  call('a-sub', 'trace-a', 'a-tool', 400, 200, { model: 'in-house-model', cost_usd: null }),
  call('a-orphan', 'trace-a', 'agent-span-7', 1_500, 100, { session_id: 'sess-2' }),
  // trace-b, later: two flat calls of another user.
  call('b-1', 'trace-b', null, 60_000, 500, { user_id: 'u-2', model: 'claude-haiku' }),
  call('b-2', 'trace-b', null, 61_000, 700, { user_id: 'u-2' }),
  // trace-c, earliest, entirely unpriced.
  call('c-1', 'trace-c', null, -60_000, 250, { model: 'in-house-model', cost_usd: null }),
  // Calls of no trace.
  call('n-1', null, null, 5_000, 100),
  call('n-2', null, null, 6_000, 100),
];

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
function expectedTrace(trace: string) {
  const members = calls.filter((c) => c.trace_id === trace).sort((a, b) => a.started_at - b.started_at);
  const start = Math.min(...members.map((c) => c.started_at));
  const end = Math.max(...members.map((c) => c.started_at + c.latency_ms));
  const priced = members.filter((c) => c.cost_usd !== null);
  return {
    trace_id: trace,
    session_id: members.find((c) => c.session_id)?.session_id ?? null,
    user_id: members.find((c) => c.user_id)?.user_id ?? null,
    agent: members.find((c) => c.agent)?.agent ?? null,
    started_at: new Date(start).toISOString(),
    ended_at: new Date(end).toISOString(),
    duration_ms: end - start,
    calls: members.length,
    errors: members.filter((c) => c.status !== 'success').length,
    total_tokens: sum(members.map((c) => c.prompt_tokens + c.completion_tokens)),
    total_cost: priced.length === 0 ? null : sum(priced.map((c) => c.cost_usd!)),
    unpriced_calls: members.length - priced.length,
    tool_calls: sum(members.map((c) => c.tool_calls_count)),
    models: [...new Set(members.map((c) => c.model))].sort(),
    agents: [...new Set(members.flatMap((c) => (c.agent ? [c.agent] : [])))].sort(),
  };
}
type Trace = ReturnType<typeof expectedTrace>;

function expectTrace(actual: Trace, expected: Trace) {
  const { total_cost: cost, ...rest } = expected;
  expect(actual).toMatchObject(rest);
  if (cost === null) expect(actual.total_cost).toBeNull();
  else expect(actual.total_cost).toBeCloseTo(cost, 12);
}

describe.each(ENGINES)('traces on %s', (engine) => {
  let server: TestServer;
  let upstream: FakeUpstream;
  let otherKey: string;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    server = await startTestServer({ providers: [openAiProviderAt(upstream, ['gpt-4o'])] }, engine);
    const body = calls.map((c) => ({
      ...c, started_at: new Date(c.started_at).toISOString(), ended_at: new Date(c.started_at + c.latency_ms).toISOString(), provider: 'openai',
      ...(c.trace_id === null ? { trace_id: undefined } : {}), ...(c.parent_id === null ? { parent_id: undefined } : {}),
    }));
    const recorded = await server.request('POST', '/api/v1/calls', { body });
    expect(recorded.statusCode, recorded.body).toBe(200);
    otherKey = await server.createKey('other', ['admin']);
    const elsewhere = await server.request('POST', '/api/v1/calls', { key: otherKey, body: [{ ...body[0], id: 'x-1', trace_id: 'trace-other' }] });
    expect(elsewhere.statusCode, elsewhere.body).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  async function get<T>(url: string, key?: string): Promise<T> {
    const response = await server.request('GET', url, key ? { key } : {});
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as T;
  }

  it('gives one trace as a tree: children under their parent by start, offsets and durations, figures over every call', async () => {
    const trace = await get<Trace & { truncated: boolean; spans: { id: string; depth: number; shown_under: string | null; offset_ms: number; duration_ms: number; status: string; cost_usd: number | null; price_source: string }[] }>('/api/v1/traces/trace-a');
    expectTrace(trace, expectedTrace('trace-a'));
    expect(trace.truncated).toBe(false);
    expect(trace.spans.map((span) => [span.id, span.depth, span.shown_under, span.offset_ms, span.duration_ms])).toEqual([
      ['a-root', 0, null, 0, 1_200],
      ['a-tool', 1, 'a-root', 300, 400],
      ['a-sub', 2, 'a-tool', 400, 200],
      ['a-step2', 1, 'a-root', 800, 300],
      ['a-orphan', 0, null, 1_500, 100],
    ]);
    const sub = trace.spans.find((span) => span.id === 'a-sub')!;
    expect([sub.cost_usd, sub.price_source]).toEqual([null, 'unpriced']);
    expect(trace.spans.find((span) => span.id === 'a-tool')!.status).toBe('error');
  });

  it('lists traces newest first with whole-trace figures, paged by cursor, filtered by their calls', async () => {
    const all = await get<{ data: Trace[]; has_more: boolean }>('/api/v1/traces?hours=24');
    expect(all.data.map((trace) => trace.trace_id)).toEqual(['trace-b', 'trace-a', 'trace-c']);
    for (const trace of all.data) expectTrace(trace, expectedTrace(trace.trace_id));
    expect(all.has_more).toBe(false);

    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Trace[]; next_cursor: string | null } = await get(`/api/v1/traces?hours=24&sort=cost&order=asc&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...page.data.map((trace) => trace.trace_id));
      cursor = page.next_cursor;
    } while (cursor);
    // By cost ascending, an unpriced trace (no cost) first.
    const byCost = ['trace-a', 'trace-b', 'trace-c'].sort((a, b) => (expectedTrace(a).total_cost ?? -1) - (expectedTrace(b).total_cost ?? -1));
    expect(paged).toEqual(byCost);

    // A filter picks the traces with a matching call; the figures still cover the whole trace.
    const mini = await get<{ data: Trace[] }>('/api/v1/traces?hours=24&model=gpt-4o-mini');
    expect(mini.data.map((trace) => trace.trace_id)).toEqual(['trace-a']);
    expectTrace(mini.data[0]!, expectedTrace('trace-a'));
    expect((await get<{ data: Trace[] }>('/api/v1/traces?hours=24&user_id=u-2')).data.map((trace) => trace.trace_id)).toEqual(['trace-b']);
    const cheap = expectedTrace('trace-b').total_cost!;
    expect((await get<{ data: Trace[] }>(`/api/v1/traces?hours=24&min_cost=${cheap}`)).data.map((trace) => trace.trace_id).sort()).toEqual(
      ['trace-a', 'trace-b'].filter((t) => expectedTrace(t).total_cost! >= cheap).sort(),
    );
  });

  it('filters logs and analytics by trace_id', async () => {
    const logs = await get<{ data: { id: string }[] }>('/api/v1/logs?trace_id=trace-a&hours=24&limit=100');
    expect(logs.data.map((row) => row.id).sort()).toEqual(calls.filter((c) => c.trace_id === 'trace-a').map((c) => c.id).sort());
    // 24 hours would read rollups, which know no trace: the filter makes the figures come from the calls.
    const overview = await get<{ current: { requests: number; total_tokens: number } }>('/api/v1/analytics/overview?trace_id=trace-b&hours=24');
    const b = calls.filter((c) => c.trace_id === 'trace-b');
    expect(overview.current).toMatchObject({ requests: b.length, total_tokens: sum(b.map((c) => c.prompt_tokens + c.completion_tokens)) });
  });

  it('stores the gateway\'s x-loupe-trace-id and x-loupe-parent-id headers', async () => {
    const answer = await server.request('POST', '/v1/chat/completions', {
      body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
      headers: { 'x-loupe-trace-id': 'trace-gw', 'x-loupe-parent-id': 'a-root' },
    });
    expect(answer.statusCode, answer.body).toBe(200);
    await server.recorder.settled();
    const trace = await get<{ calls: number; spans: { id: string; parent_id: string | null }[] }>('/api/v1/traces/trace-gw');
    expect(trace.calls).toBe(1);
    expect(trace.spans[0]).toMatchObject({ id: String(answer.headers['x-loupe-call-id']), parent_id: 'a-root' });
  });

  it('refuses bad input by field and keeps other projects out', async () => {
    expect((await server.request('GET', '/api/v1/traces/nope')).statusCode).toBe(404);
    expect((await server.request('GET', '/api/v1/traces/trace-a', { key: otherKey })).statusCode).toBe(404);
    expect((await get<{ data: Trace[] }>('/api/v1/traces?hours=24', otherKey)).data.map((trace) => trace.trace_id)).toEqual(['trace-other']);
    const cases: [string, string][] = [
      [`/api/v1/traces/${'x'.repeat(129)}`, 'id'],
      ['/api/v1/traces?cursor=not-a-cursor', 'cursor'],
      ['/api/v1/traces?limit=1001', 'limit'],
      ['/api/v1/traces?sort=name', 'sort'],
      ['/api/v1/traces?min_cost=2&max_cost=1', 'max_cost'],
      ['/api/v1/traces?trace=x', 'trace'],
      [`/api/v1/logs?trace_id=${'x'.repeat(257)}`, 'trace_id'],
    ];
    for (const [url, field] of cases) {
      const response = await server.request('GET', url);
      expect(response.statusCode, url).toBe(400);
      expect(JSON.stringify(response.json()), url).toContain(field);
    }
  });
});
