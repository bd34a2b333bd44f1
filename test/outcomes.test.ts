// Outcomes API and the outcome analytics of seed 000, against a known set of calls and
// outcomes: every figure is recomputed here from the inserted rows and compared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let otherKey: string;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.now();
const BASE = Math.floor((NOW - 10 * DAY) / DAY) * DAY;

const MODELS = [
  { provider: 'anthropic', model: 'claude-x' },
  { provider: 'openai', model: 'gpt-y' },
  { provider: 'openai', model: 'gpt-z' },
];
const CONFIDENCES = [0.55, 0.62, 0.7, 0.75, 0.8, 0.91, 1.0, 0.3, 0.45, 0.68, 0.05];
const SIGNALS = ['BUY', 'SELL', 'HOLD'];
const AGENT_SETS = [['research', 'risk'], ['research'], ['research', 'risk', 'execution']];
const LESSONS = ['Buy the dip.', '  buy THE   dip ', 'Cut losses early!', 'cut losses   early'];
const STATUSES = ['win', 'loss', 'win', 'neutral', 'open'] as const;

interface Call {
  id: string; provider: string; model: string; session_id: string; agent: string; started_at: number;
  confidence: number | null; signal: string; cost_usd: number | null;
}
interface Outcome {
  id: string; target: string; target_type: 'call' | 'session'; status: (typeof STATUSES)[number];
  value: number | null; closed_at: number | null; lesson: string | null;
}

const calls: Call[] = Array.from({ length: 36 }, (_, i) => {
  const session = Math.floor(i / 4);
  const agents = AGENT_SETS[session % 3]!;
  return {
    id: `call-${String(i).padStart(2, '0')}`,
    ...MODELS[i % 3]!,
    session_id: `sess-${session}`,
    agent: agents[(i % 4) % agents.length]!,
    started_at: BASE + i * HOUR,
    confidence: i % 12 === 11 ? null : CONFIDENCES[i % CONFIDENCES.length]!,
    signal: SIGNALS[Math.floor(i / 2) % 3]!,
    cost_usd: i % 9 === 8 ? null : (i + 1) / 1000,
  };
});
const oldCall: Call = { ...calls[0]!, id: 'call-old', session_id: 'sess-old', started_at: NOW - 40 * DAY, confidence: 0.9 };

const outcomes: Outcome[] = [
  ...calls.flatMap((call, i): Outcome[] => {
    if (i % 4 === 3) return [];
    const status = STATUSES[i % 5]!;
    const value = status === 'open' ? null : status === 'win' ? (i + 1) * 2 : status === 'loss' ? -(i + 1) : 0.5;
    return [{
      id: `out-${call.id}`, target: call.id, target_type: 'call', status, value,
      closed_at: status === 'open' ? null : BASE + (i % 5) * DAY + 12 * HOUR,
      lesson: status !== 'open' && i % 2 === 0 ? LESSONS[(i / 2) % 4]! : null,
    }];
  }),
  ...[0, 2, 4, 6, 8].map((session): Outcome => ({
    id: `out-sess-${session}`, target: `sess-${session}`, target_type: 'session',
    status: session % 4 === 0 ? 'win' : 'loss', value: session % 4 === 0 ? 50 : -20,
    closed_at: BASE + session * (DAY / 2), lesson: null,
  })),
  { id: 'out-old', target: 'call-old', target_type: 'call', status: 'win', value: 1000, closed_at: NOW - 39 * DAY, lesson: 'Buy the dip' },
];

/** Each outcome with its deciding call: the call itself, or the session's last call. */
function allDecisions(): { call: Call; outcome: Outcome }[] {
  const all = [...calls, oldCall];
  return outcomes.map((outcome) => {
    if (outcome.target_type === 'call') return { outcome, call: all.find((call) => call.id === outcome.target)! };
    const members = all.filter((call) => call.session_id === outcome.target).sort((a, b) => a.started_at - b.started_at);
    return { outcome, call: members[members.length - 1]! };
  });
}

/** The decisions of the last 30 days (the analytics' default window). */
function decisions(): { call: Call; outcome: Outcome }[] {
  return allDecisions().filter((decision) => decision.call.id !== 'call-old');
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const mean = (values: number[]) => (values.length === 0 ? null : sum(values) / values.length);
const winRate = (items: { outcome: Outcome }[]) => {
  const wins = items.filter((item) => item.outcome.status === 'win').length;
  const losses = items.filter((item) => item.outcome.status === 'loss').length;
  return wins + losses === 0 ? null : wins / (wins + losses);
};
const closedValue = (items: { outcome: Outcome }[]) => sum(items.filter((item) => item.outcome.status !== 'open').map((item) => item.outcome.value ?? 0));

beforeAll(async () => {
  server = await startTestServer();
  const body = [...calls, oldCall].map((call) => ({ ...call, started_at: new Date(call.started_at).toISOString() }));
  const recorded = await server.request('POST', '/api/v1/calls', { body });
  expect(recorded.statusCode, recorded.body).toBe(200);
  const posted = await server.request('POST', '/api/v1/outcomes', {
    body: outcomes.map((outcome) => ({
      ...outcome, closed_at: outcome.closed_at === null ? undefined : new Date(outcome.closed_at).toISOString(),
      ...(outcome.status === 'open' ? { closed_at: undefined } : {}),
    })),
  });
  expect(posted.statusCode, posted.body).toBe(201);
  otherKey = await server.createKey('other', ['admin']);
  const otherCall = await server.request('POST', '/api/v1/calls', { key: otherKey, body: { id: 'other-call', provider: 'openai', model: 'gpt-y', confidence: 0.5 } });
  expect(otherCall.statusCode).toBe(201);
  const otherOutcome = await server.request('POST', '/api/v1/outcomes', { key: otherKey, body: { id: 'other-out', target: 'other-call', status: 'win', value: 7 } });
  expect(otherOutcome.statusCode, otherOutcome.body).toBe(201);
});
afterAll(async () => {
  await server.close();
});

async function get<T>(url: string, key?: string): Promise<T> {
  const response = await server.request('GET', url, key ? { key } : {});
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as T;
}

describe('POST /api/v1/outcomes', () => {
  it('stores one outcome, infers the target type and closes it now when closed_at is absent', async () => {
    const before = Date.now();
    const response = await server.request('POST', '/api/v1/outcomes', { body: { target: 'sess-1', status: 'neutral', name: 'review' } });
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json() as { id: string; target_type: string; closed_at: string; status: string };
    expect(created.target_type).toBe('session');
    expect(Date.parse(created.closed_at)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(created.closed_at)).toBeLessThanOrEqual(Date.now() + 1);
  });

  it.each([
    [[{ target: 'call-00', status: 'won' }], '[0].status'],
    [[{ target: 'call-00' }, { target: 'call-01', value: 'a lot' }], '[1].value'],
    [[{ target: 'call-00' }, { target: 'no-such-thing' }], '[1].target'],
    [[{ target: 'call-00', color: 'red' }], '[0].color'],
    [[{ target: 'call-00', status: 'open', closed_at: new Date().toISOString() }], '[0].closed_at'],
    [[{ target: 'sess-1', target_type: 'call' }], '[0].target'],
    [[{ id: 'dup', target: 'call-00' }, { id: 'dup', target: 'call-01' }], '[1].id'],
    [{ target: 'call-00', status: 'maybe' }, 'status'],
  ])('refuses %j naming %s, and stores nothing', async (body, field) => {
    const before = (await get<{ total: number }>('/api/v1/outcomes?limit=1')).total;
    const response = await server.request('POST', '/api/v1/outcomes', { body });
    expect(response.statusCode, response.body).toBe(400);
    expect((response.json() as { error: { field: string } }).error.field).toBe(field);
    expect((await get<{ total: number }>('/api/v1/outcomes?limit=1')).total).toBe(before);
  });

  it('refuses a taken id with 409, a call of another project as unknown, and more than 1,000 items', async () => {
    const taken = await server.request('POST', '/api/v1/outcomes', { body: { id: 'out-call-00', target: 'call-00' } });
    expect(taken.statusCode).toBe(409);
    const foreign = await server.request('POST', '/api/v1/outcomes', { key: otherKey, body: { target: 'call-00' } });
    expect(foreign.statusCode).toBe(400);
    expect((foreign.json() as { error: { field: string } }).error.field).toBe('target');
    const tooMany = await server.request('POST', '/api/v1/outcomes', { body: Array.from({ length: 1001 }, () => ({ target: 'call-00' })) });
    expect(tooMany.statusCode).toBe(400);
  });
});

describe('store.outcomes.insertMany (used by the demo generator)', () => {
  it('refuses a taken id unless upsert is set, and then replaces the row', async () => {
    const at = Date.now();
    const record = {
      id: 'repo-1', project_id: 'default', target: 'call-01', target_type: 'call' as const, session_id: 'sess-0', name: 'repo-test', status: 'open' as const,
      value: null, closed_at: null, lesson: null, properties: { symbol: 'EURUSD' }, created_at: at, updated_at: at,
    };
    await server.store.outcomes.insertMany([record]);
    await expect(server.store.outcomes.insertMany([record])).rejects.toThrow();
    await server.store.outcomes.insertMany([{ ...record, status: 'win', value: 3.25, closed_at: at }], { upsert: true });
    expect(await server.store.outcomes.get('default', 'repo-1')).toEqual({ ...record, status: 'win', value: 3.25, closed_at: at });
    expect(await server.store.outcomes.get('other', 'repo-1')).toBeNull();
  });
});

describe('PATCH and GET /api/v1/outcomes', () => {
  it('closes an open outcome, then refuses to re-close it', async () => {
    const created = await server.request('POST', '/api/v1/outcomes', { body: { id: 'to-close', target: 'call-05', name: 'patch-test' } });
    expect(created.statusCode).toBe(201);
    const closed = await server.request('PATCH', '/api/v1/outcomes/to-close', { body: { status: 'loss', value: -12.5, lesson: 'late entry', closed_at: '2026-01-02T03:04:05.000Z' } });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({ id: 'to-close', status: 'loss', value: -12.5, lesson: 'late entry', closed_at: '2026-01-02T03:04:05.000Z' });
    const again = await server.request('PATCH', '/api/v1/outcomes/to-close', { body: { status: 'win' } });
    expect(again.statusCode).toBe(409);
    expect((again.json() as { error: { field: string } }).error.field).toBe('status');
    const unknownField = await server.request('PATCH', '/api/v1/outcomes/to-close', { body: { colour: 'red' } });
    expect(unknownField.statusCode).toBe(400);
    expect((unknownField.json() as { error: { field: string } }).error.field).toBe('colour');
    const foreign = await server.request('PATCH', '/api/v1/outcomes/to-close', { key: otherKey, body: { value: 1 } });
    expect(foreign.statusCode).toBe(404);
  });

  it('lists with filters and offset paging, scoped to the project', async () => {
    const wins = outcomes.filter((outcome) => outcome.status === 'win' && outcome.target_type === 'call');
    const page1 = await get<{ data: { id: string; status: string }[]; total: number; has_more: boolean }>('/api/v1/outcomes?status=win&target_type=call&name=outcome&limit=5');
    expect(page1.total).toBe(wins.length);
    expect(page1.data).toHaveLength(5);
    expect(page1.has_more).toBe(true);
    const rest = await get<{ data: { id: string }[] }>(`/api/v1/outcomes?status=win&target_type=call&name=outcome&limit=1000&offset=5`);
    expect(new Set([...page1.data, ...rest.data].map((item) => item.id))).toEqual(new Set(wins.map((outcome) => outcome.id)));
    const byTarget = await get<{ data: { id: string }[] }>('/api/v1/outcomes?target=sess-4');
    expect(byTarget.data.map((item) => item.id)).toEqual(['out-sess-4']);
    const foreign = await get<{ data: { id: string }[] }>('/api/v1/outcomes', otherKey);
    expect(foreign.data.map((item) => item.id)).toEqual(['other-out']);
    const unknown = await server.request('GET', '/api/v1/outcomes?colour=red');
    expect((unknown.json() as { error: { field: string } }).error.field).toBe('colour');
    const bad = await server.request('GET', '/api/v1/outcomes?status=won');
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { error: { field: string } }).error.field).toBe('status');
  });

  it('lists by the deciding call\'s filters, matching what the outcome analytics count', async () => {
    type Page = { data: { id: string }[]; total: number };
    const ids = (items: { outcome: Outcome }[]) => items.map((item) => item.outcome.id).sort();
    const byModel = await get<Page>('/api/v1/outcomes?model=gpt-y&name=outcome&limit=1000');
    const gptY = allDecisions().filter((item) => item.call.model === 'gpt-y');
    expect(byModel.data.map((item) => item.id).sort()).toEqual(ids(gptY));
    expect(byModel.total).toBe(gptY.length);
    // A session's outcome follows its last call only: sess-0 holds a gpt-y call (call-01),
    // but its last (call-03) is claude-x.
    expect(calls.filter((call) => call.session_id === 'sess-0').map((call) => call.model)).toContain('gpt-y');
    expect(byModel.data.map((item) => item.id)).not.toContain('out-sess-0');
    expect((await get<Page>('/api/v1/outcomes?model=claude-x&target=sess-0')).data.map((item) => item.id)).toEqual(['out-sess-0']);
    const combined = await get<Page>('/api/v1/outcomes?provider=openai&agent=risk&status=win,loss&name=outcome&limit=1000');
    const openaiRisk = allDecisions().filter((item) => item.call.provider === 'openai' && item.call.agent === 'risk' && ['win', 'loss'].includes(item.outcome.status));
    expect(openaiRisk.length).toBeGreaterThan(0);
    expect(combined.data.map((item) => item.id).sort()).toEqual(ids(openaiRisk));
    // The same filters give the same wins as model-performance over the same calls.
    const performance = await get<{ data: { model: string; wins: number; losses: number }[] }>(`${A}/model-performance?days=60&${NAME}`);
    for (const row of performance.data) {
      expect((await get<Page>(`/api/v1/outcomes?model=${row.model}&status=win&name=outcome&limit=1`)).total, row.model).toBe(row.wins);
      expect((await get<Page>(`/api/v1/outcomes?model=${row.model}&status=loss&name=outcome&limit=1`)).total, row.model).toBe(row.losses);
    }
    // Every call here succeeded; days is the outcome's own window (all were recorded today),
    // call_days the deciding call's: the old call's outcome falls outside 30 days.
    expect((await get<Page>('/api/v1/outcomes?call_status=success&days=1&name=outcome&limit=1')).total).toBe(outcomes.length);
    expect((await get<Page>('/api/v1/outcomes?call_status=error,timeout&name=outcome&limit=1')).total).toBe(0);
    expect((await get<Page>(`/api/v1/outcomes?to=${new Date(NOW - DAY).toISOString()}&model=gpt-y&limit=1`)).total).toBe(0);
    expect((await get<Page>('/api/v1/outcomes?call_days=30&name=outcome&limit=1')).total).toBe(decisions().length);
    const eightHours = allDecisions().filter((item) => item.call.started_at >= BASE + 12 * HOUR && item.call.started_at < BASE + 20 * HOUR);
    expect(eightHours.length).toBeGreaterThan(0);
    const sliced = await get<Page>(`/api/v1/outcomes?call_from=${new Date(BASE + 12 * HOUR).toISOString()}&call_to=${new Date(BASE + 20 * HOUR).toISOString()}&name=outcome&limit=1000`);
    expect(sliced.data.map((item) => item.id).sort()).toEqual(ids(eightHours));
    for (const [query, field] of [
      ['call_status=won', 'call_status'], ['days=0', 'days'], ['days=2&from=2026-01-01T00:00:00Z', 'from'], ['call_days=2&call_from=2026-01-01T00:00:00Z', 'call_from'],
      ['call_to=yesterday', 'call_to'], ['call_colour=red', 'call_colour'], ['project=elsewhere', 'project'], ['property.b%20d=x', 'property.b d'],
    ] as const) {
      const response = await server.request('GET', `/api/v1/outcomes?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect((response.json() as { error: { field: string } }).error.field, query).toBe(field);
    }
  });

  it('keeps the session of each outcome and lists a session with its calls\' outcomes', async () => {
    const sessionOf = (outcome: Outcome) => (outcome.target_type === 'session' ? outcome.target : calls.find((call) => call.id === outcome.target)?.session_id);
    const expected = outcomes.filter((outcome) => sessionOf(outcome) === 'sess-4').map((outcome) => outcome.id).sort();
    expect(expected.length).toBeGreaterThan(2);
    const listed = await get<{ data: { id: string; session_id: string | null }[]; total: number }>('/api/v1/outcomes?session_id=sess-4&limit=1000');
    expect(listed.data.map((item) => item.id).sort()).toEqual(expected);
    expect(listed.total).toBe(expected.length);
    expect(new Set(listed.data.map((item) => item.session_id))).toEqual(new Set(['sess-4']));
    const onCall = await get<{ session_id: string | null; target_type: string }>(`/api/v1/outcomes/out-${calls[17]!.id}`);
    expect(onCall).toMatchObject({ target_type: 'call', session_id: calls[17]!.session_id });
    // A call recorded without a session gives its outcomes none (in a project of its own, so
    // that the analytics below see only the data above).
    const key = await server.createKey('lone', ['admin']);
    expect((await server.request('POST', '/api/v1/calls', { key, body: { id: 'lone-call', provider: 'openai', model: 'gpt-x' } })).statusCode).toBe(201);
    const lone = await server.request('POST', '/api/v1/outcomes', { key, body: { target: 'lone-call', status: 'win', value: 1 } });
    expect(lone.statusCode, lone.body).toBe(201);
    expect((lone.json() as { session_id: string | null }).session_id).toBeNull();
    expect((await get<{ total: number }>('/api/v1/outcomes?session_id=sess-4', key)).total).toBe(0);
  });
});

const A = '/api/v1/analytics/outcomes';
const NAME = 'outcome_name=outcome';

describe('outcome analytics', () => {
  it('model-performance: calls, confidence, cost, win rate and P&L per model', async () => {
    const { data } = await get<{ data: Record<string, unknown>[] }>(`${A}/model-performance?${NAME}`);
    expect(data.map((row) => row.model).sort()).toEqual(MODELS.map((entry) => entry.model).sort());
    for (const { provider, model } of MODELS) {
      const mine = calls.filter((call) => call.model === model);
      const decided = decisions().filter((decision) => decision.call.model === model);
      const row = data.find((item) => item.model === model)!;
      expect(row.provider).toBe(provider);
      expect(row.calls).toBe(mine.length);
      expect(row.avg_confidence).toBeCloseTo(mean(mine.flatMap((call) => (call.confidence === null ? [] : [call.confidence])))!, 12);
      expect(row.avg_cost_per_call).toBeCloseTo(mean(mine.flatMap((call) => (call.cost_usd === null ? [] : [call.cost_usd])))!, 12);
      expect(row.outcomes).toBe(decided.length);
      expect(row.wins).toBe(decided.filter((item) => item.outcome.status === 'win').length);
      expect(row.open).toBe(decided.filter((item) => item.outcome.status === 'open').length);
      expect(row.win_rate).toBeCloseTo(winRate(decided)!, 12);
      expect(row.total_pnl).toBeCloseTo(closedValue(decided), 9);
    }
  });

  it('pnl-timeline: realized value per day and model, cumulative', async () => {
    const result = await get<{ points: { bucket: string; model: string; value: number; cumulative_value: number; outcomes: number }[]; total: { bucket: string; value: number; cumulative_value: number }[] }>(
      `${A}/pnl-timeline?interval=day&${NAME}`,
    );
    const expected = new Map<string, number>();
    for (const { call, outcome } of decisions()) {
      if (outcome.status === 'open') continue;
      const day = new Date(Math.floor(outcome.closed_at! / DAY) * DAY).toISOString();
      expected.set(`${day}|${call.model}`, (expected.get(`${day}|${call.model}`) ?? 0) + (outcome.value ?? 0));
    }
    expect(result.points).toHaveLength(expected.size);
    const running = new Map<string, number>();
    for (const point of result.points) {
      expect(point.value).toBeCloseTo(expected.get(`${point.bucket}|${point.model}`)!, 9);
      running.set(point.model, (running.get(point.model) ?? 0) + expected.get(`${point.bucket}|${point.model}`)!);
      expect(point.cumulative_value).toBeCloseTo(running.get(point.model)!, 9);
    }
    expect(result.total[result.total.length - 1]!.cumulative_value).toBeCloseTo(closedValue(decisions()), 9);
  });

  it('cost-vs-return by agent: spend, realized return, net and ROI', async () => {
    const { data } = await get<{ data: Record<string, number | string | null>[] }>(`${A}/cost-vs-return?by=agent&${NAME}`);
    for (const agent of ['research', 'risk', 'execution']) {
      const row = data.find((item) => item.agent === agent)!;
      const cost = sum(calls.filter((call) => call.agent === agent).map((call) => call.cost_usd ?? 0));
      const value = closedValue(decisions().filter((decision) => decision.call.agent === agent));
      expect(row.total_cost).toBeCloseTo(cost, 12);
      expect(row.total_return).toBeCloseTo(value, 9);
      expect(row.net_return).toBeCloseTo(value - cost, 9);
      expect(row.roi).toBeCloseTo((value - cost) / cost, 9);
    }
  });

  it('pipelines: sessions grouped by their set of agents, with win rate and value', async () => {
    const { data } = await get<{ data: { pipeline: string; sessions: number; outcomes: number; win_rate: number | null; total_value: number; total_cost: number }[] }>(`${A}/pipelines?${NAME}`);
    const sessions = [...new Set(calls.map((call) => call.session_id))];
    const pipelineOf = (session: string) => [...new Set(calls.filter((call) => call.session_id === session).map((call) => call.agent))].sort().join(' + ');
    const byPipeline = new Map<string, string[]>();
    for (const session of sessions) byPipeline.set(pipelineOf(session), [...(byPipeline.get(pipelineOf(session)) ?? []), session]);
    expect(data.map((row) => row.pipeline).sort()).toEqual([...byPipeline.keys()].sort());
    expect(byPipeline.size).toBe(3);
    for (const [pipeline, members] of byPipeline) {
      const row = data.find((item) => item.pipeline === pipeline)!;
      const items = outcomes.filter((outcome) => {
        const session = outcome.target_type === 'session' ? outcome.target : calls.find((call) => call.id === outcome.target)?.session_id;
        return session !== undefined && members.includes(session);
      }).map((outcome) => ({ outcome }));
      expect(row.sessions).toBe(members.length);
      expect(row.total_cost).toBeCloseTo(sum(calls.filter((call) => members.includes(call.session_id)).map((call) => call.cost_usd ?? 0)), 12);
      expect(row.outcomes).toBe(items.length);
      expect(row.win_rate).toBeCloseTo(winRate(items)!, 12);
      expect(row.total_value).toBeCloseTo(closedValue(items), 9);
    }
  });

  it('calibration: buckets, expected calibration error and Brier score', async () => {
    const result = await get<{ buckets: { bucket: string; avg_confidence: number; actual_win_rate: number; count: number }[]; expected_calibration_error: number; brier_score: number; decided_outcomes: number }>(
      `${A}/calibration?buckets=10&${NAME}`,
    );
    const decided = decisions().filter((item) => item.call.confidence !== null && (item.outcome.status === 'win' || item.outcome.status === 'loss'));
    // Bucket by whole percent so the edges (0.7, 1.0) are exact here: 0.7 is in 0.70-0.80, 1.0 in the last.
    const bucketOf = (confidence: number) => Math.min(Math.floor(Math.round(confidence * 100) / 10), 9);
    const groups = new Map<number, typeof decided>();
    for (const item of decided) groups.set(bucketOf(item.call.confidence!), [...(groups.get(bucketOf(item.call.confidence!)) ?? []), item]);
    expect(result.decided_outcomes).toBe(decided.length);
    expect(groups.size).toBeGreaterThanOrEqual(6);
    expect(groups.has(7) && groups.has(9)).toBe(true);
    expect(result.buckets.map((bucket) => bucket.bucket)).toEqual([...groups.keys()].sort((a, b) => a - b).map((b) => `${(b / 10).toFixed(2)}-${((b + 1) / 10).toFixed(2)}`));
    let ece = 0;
    for (const bucket of result.buckets) {
      const items = groups.get(Math.round(Number(bucket.bucket.split('-')[0]) * 10))!;
      const confidence = mean(items.map((item) => item.call.confidence!))!;
      const rate = winRate(items)!;
      expect(bucket.count).toBe(items.length);
      expect(bucket.avg_confidence).toBeCloseTo(confidence, 12);
      expect(bucket.actual_win_rate).toBeCloseTo(rate, 12);
      ece += (items.length / decided.length) * Math.abs(confidence - rate);
    }
    const brier = mean(decided.map((item) => (item.call.confidence! - (item.outcome.status === 'win' ? 1 : 0)) ** 2))!;
    expect(result.expected_calibration_error).toBeCloseTo(ece, 12);
    expect(result.brier_score).toBeCloseTo(brier, 12);
  });

  it('signal-reliability: per signal calls, win rate and average value', async () => {
    const { data } = await get<{ data: { signal: string; calls: number; win_rate: number | null; avg_value: number | null; outcomes: number }[] }>(`${A}/signal-reliability?${NAME}`);
    for (const signal of SIGNALS) {
      const row = data.find((item) => item.signal === signal)!;
      const items = decisions().filter((item) => item.call.signal === signal);
      const closed = items.filter((item) => item.outcome.status !== 'open');
      expect(row.calls).toBe(calls.filter((call) => call.signal === signal).length);
      expect(row.outcomes).toBe(items.length);
      expect(row.win_rate).toBeCloseTo(winRate(items)!, 12);
      expect(row.avg_value).toBeCloseTo(mean(closed.map((item) => item.outcome.value!))!, 9);
    }
  });

  it('lessons: normalized text, frequency and average value impact', async () => {
    const { data } = await get<{ data: { lesson: string; frequency: number; avg_value_impact: number }[] }>(`${A}/lessons?${NAME}`);
    const normalize = (text: string) => text.trim().replace(/\s+/g, ' ').replace(/[.!;:,\s]+$/, '').toLowerCase();
    const groups = new Map<string, number[]>();
    for (const { outcome } of decisions()) {
      if (outcome.status === 'open' || !outcome.lesson) continue;
      groups.set(normalize(outcome.lesson), [...(groups.get(normalize(outcome.lesson)) ?? []), outcome.value!]);
    }
    expect(data.map((row) => row.lesson).sort()).toEqual([...groups.keys()].sort());
    expect(Math.max(...[...groups.values()].map((values) => values.length))).toBeGreaterThan(1);
    for (const row of data) {
      expect(row.frequency).toBe(groups.get(row.lesson)!.length);
      expect(row.avg_value_impact).toBeCloseTo(mean(groups.get(row.lesson)!)!, 9);
    }
    const frequent = await get<{ data: unknown[] }>(`${A}/lessons?min_frequency=1000`);
    expect(frequent.data).toEqual([]);
  });

  it('the old call and its outcome fall outside the default 30 days, inside days=60', async () => {
    const wide = await get<{ data: { model: string; outcomes: number }[] }>(`${A}/model-performance?days=60&${NAME}`);
    const narrow = await get<{ data: { model: string; outcomes: number }[] }>(`${A}/model-performance?${NAME}`);
    const model = oldCall.model;
    expect(wide.data.find((row) => row.model === model)!.outcomes).toBe(narrow.data.find((row) => row.model === model)!.outcomes + 1);
  });

  it('filters combine: model and property of the deciding call', async () => {
    const { data } = await get<{ data: { signal: string; outcomes: number }[] }>(`${A}/signal-reliability?model=gpt-y&${NAME}`);
    for (const row of data) {
      expect(row.outcomes).toBe(decisions().filter((item) => item.call.model === 'gpt-y' && item.call.signal === row.signal).length);
    }
  });

  it('answers empty ranges with empty lists and null scores', async () => {
    const range = `from=${new Date(NOW - 300 * DAY).toISOString()}&to=${new Date(NOW - 200 * DAY).toISOString()}`;
    for (const path of ['model-performance', 'cost-vs-return', 'pipelines', 'signal-reliability', 'lessons']) {
      expect((await get<{ data: unknown[] }>(`${A}/${path}?${range}`)).data).toEqual([]);
    }
    expect(await get(`${A}/calibration?${range}`)).toEqual({ buckets: [], decided_outcomes: 0, expected_calibration_error: null, brier_score: null });
    expect(await get(`${A}/pnl-timeline?${range}`)).toEqual({ interval: 'day', models: [], points: [], total: [] });
  });

  it('scopes every analytic to the caller project', async () => {
    const { data } = await get<{ data: { model: string; calls: number; outcomes: number; total_pnl: number }[] }>(`${A}/model-performance`, otherKey);
    expect(data).toEqual([expect.objectContaining({ model: 'gpt-y', calls: 1, outcomes: 1, total_pnl: 7 })]);
    const calibrationOther = await get<{ decided_outcomes: number }>(`${A}/calibration`, otherKey);
    expect(calibrationOther.decided_outcomes).toBe(1);
    expect((await get<{ data: unknown[] }>(`${A}/lessons`, otherKey)).data).toEqual([]);
  });

  it.each([
    ['calibration?buckets=1', 'buckets'],
    ['pnl-timeline?interval=year', 'interval'],
    ['cost-vs-return?by=colour', 'by'],
    ['model-performance?bogus=1', 'bogus'],
    ['lessons?days=-1', 'days'],
    ['calibration?to=9999999999999999999999', 'to'],
  ])('%s is a 400 naming %s', async (path, field) => {
    const response = await server.request('GET', `${A}/${path}`);
    expect(response.statusCode, response.body).toBe(400);
    expect((response.json() as { error: { field: string } }).error.field).toBe(field);
  });

  it('refuses a list time beyond what the engines hold, naming it', async () => {
    const response = await server.request('GET', '/api/v1/outcomes?from=9999999999999999999999');
    expect(response.statusCode, response.body).toBe(400);
    expect((response.json() as { error: { field: string } }).error.field).toBe('from');
  });
});

describe('research config', () => {
  it('answers defaults, then stores a validated document per project', async () => {
    const initial = await get<{ config: { lookback_days: number }; is_default: boolean }>('/api/v1/research-config');
    expect(initial.is_default).toBe(true);
    const saved = await server.request('PUT', '/api/v1/research-config', { body: { lookback_days: 14, min_confidence: 0.7, signals: ['BUY', 'SELL'] } });
    expect(saved.statusCode, saved.body).toBe(200);
    const current = await get<{ config: { lookback_days: number; min_confidence: number; signals: string[]; calibration_buckets: number }; is_default: boolean }>('/api/v1/research-config');
    expect(current.is_default).toBe(false);
    expect(current.config).toMatchObject({ lookback_days: 14, min_confidence: 0.7, signals: ['BUY', 'SELL'], calibration_buckets: 10 });
    expect((await get<{ is_default: boolean }>('/api/v1/research-config', otherKey)).is_default).toBe(true);
  });

  it.each([
    [{ lookback_days: 0 }, 'lookback_days'],
    [{ min_confidence: 1.5 }, 'min_confidence'],
    [{ signals: ['BUY', 3] }, 'signals.1'],
    [{ typo_field: true }, 'typo_field'],
  ])('refuses %j naming %s', async (body, field) => {
    const response = await server.request('PUT', '/api/v1/research-config', { body });
    expect(response.statusCode, response.body).toBe(400);
    expect((response.json() as { error: { field: string } }).error.field).toBe(field);
  });
});
