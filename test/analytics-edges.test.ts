// Analytics at the edges: time-bucket boundaries (from inclusive, to exclusive, unaligned
// starts), empty ranges, combined filters, project scoping of every route, and hostile names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 6, 1, 0, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

interface EdgeCall {
  id: string; at: number; model: string; provider: string; status: 'success' | 'error'; cost_usd?: number; latency_ms: number;
  tags: string[]; region: string;
}

// Offsets chosen on the bucket edges of [T0, T0 + 3 h).
const edgeCalls: EdgeCall[] = [
  { id: 'e-before', at: T0 - 1, model: 'edge-a', provider: 'pa', status: 'success', cost_usd: 0.5, latency_ms: 10, tags: ['x'], region: 'eu' },
  { id: 'e-first', at: T0, model: 'edge-a', provider: 'pa', status: 'success', cost_usd: 0.25, latency_ms: 100, tags: ['x'], region: 'eu' },
  { id: 'e-end-of-hour', at: T0 + HOUR - 1, model: 'edge-b', provider: 'pb', status: 'error', cost_usd: 0.125, latency_ms: 200, tags: ['x', 'y'], region: 'us' },
  { id: 'e-next-hour', at: T0 + HOUR, model: 'edge-a', provider: 'pa', status: 'error', latency_ms: 300, tags: ['y'], region: 'eu' },
  { id: 'e-last', at: T0 + 3 * HOUR - 1, model: 'edge-b', provider: 'pb', status: 'success', cost_usd: 0.0625, latency_ms: 400, tags: ['x'], region: 'eu' },
  { id: 'e-at-to', at: T0 + 3 * HOUR, model: 'edge-a', provider: 'pa', status: 'success', cost_usd: 1, latency_ms: 500, tags: ['x'], region: 'eu' },
];

let server: TestServer;
let key: string;
let stranger: string;

async function get(path: string, as = key) {
  const response = await server.request('GET', `/api/v1/analytics/${path}`, { key: as });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

beforeAll(async () => {
  server = await startTestServer();
  key = await server.createKey('edges', ['read', 'ingest']);
  stranger = await server.createKey('stranger', ['read']);
  const body = edgeCalls.map((call) => ({
    id: call.id, started_at: iso(call.at), model: call.model, provider: call.provider, status: call.status, latency_ms: call.latency_ms,
    ...(call.cost_usd === undefined ? {} : { cost_usd: call.cost_usd }), tags: call.tags, properties: { region: call.region },
    prompt_tokens: 7, completion_tokens: 3, ...(call.status === 'error' ? { error_message: 'boom', error_type: 'server' } : {}),
  }));
  expect((await server.request('POST', '/api/v1/calls', { key, body })).statusCode).toBe(200);
  const outcome = { target: 'e-first', target_type: 'call', name: 'trade', status: 'win', value: 1 };
  expect((await server.request('POST', '/api/v1/outcomes', { key, body: outcome })).statusCode).toBeLessThan(300);
});
afterAll(async () => {
  await server.close();
});

const inWindow = (from: number, to: number) => edgeCalls.filter((call) => call.at >= from && call.at < to);
const range = (from: number, to: number) => `from=${iso(from)}&to=${iso(to)}`;

describe('time bucket edges', () => {
  it('counts a call at `from` and one a millisecond before the end of an hour in that hour; `to` is exclusive', async () => {
    const answer = await get(`usage-trends?${range(T0, T0 + 3 * HOUR)}&interval=hour`);
    expect(answer.series.map((point: { bucket: string }) => point.bucket)).toEqual([iso(T0), iso(T0 + HOUR), iso(T0 + 2 * HOUR)]);
    expect(answer.series.map((point: { requests: number }) => point.requests)).toEqual([2, 1, 0 + 1]);
    expect(answer.series.map((point: { errors: number }) => point.errors)).toEqual([1, 1, 0]);
    expect(answer.series[0].cost).toBeCloseTo(0.25 + 0.125, 12);
    expect(answer.series[0].avg_latency).toBeCloseTo((100 + 200) / 2, 12);
  });

  it('an unaligned start keeps the first, partial bucket and only the calls after `from`', async () => {
    const from = T0 + 30 * 60_000;
    const answer = await get(`usage-trends?${range(from, T0 + 3 * HOUR)}&interval=hour`);
    expect(answer.series.map((point: { bucket: string }) => point.bucket)[0]).toBe(iso(T0));
    expect(answer.series.map((point: { requests: number }) => point.requests)).toEqual([1, 1, 1]);
  });

  it('grouped by model, every model has every bucket, empty ones as zeros', async () => {
    const answer = await get(`usage-trends?${range(T0, T0 + 3 * HOUR)}&interval=hour&group_by=model`);
    expect(answer.series).toHaveLength(3 * 2);
    const cell = (bucket: number, model: string) => answer.series.find((point: { bucket: string; model: string }) => point.bucket === iso(bucket) && point.model === model);
    for (let hour = 0; hour < 3; hour += 1) {
      for (const model of ['edge-a', 'edge-b']) {
        const own = inWindow(T0 + hour * HOUR, T0 + (hour + 1) * HOUR).filter((call) => call.model === model);
        expect(cell(T0 + hour * HOUR, model).requests).toBe(own.length);
        expect(cell(T0 + hour * HOUR, model).cost).toBeCloseTo(own.reduce((sum, call) => sum + (call.cost_usd ?? 0), 0), 12);
      }
    }
  });

  it('cost-trend by day runs the total across buckets', async () => {
    const answer = await get(`cost-trend?${range(T0 - DAY, T0 + DAY)}&interval=day`);
    const firstDay = inWindow(T0 - DAY, T0).reduce((sum, call) => sum + (call.cost_usd ?? 0), 0);
    const secondDay = inWindow(T0, T0 + DAY).reduce((sum, call) => sum + (call.cost_usd ?? 0), 0);
    expect(answer.series.map((point: { cost: number }) => point.cost)).toEqual([firstDay, secondDay]);
    expect(answer.series.map((point: { cumulative_cost: number }) => point.cumulative_cost)).toEqual([firstDay, firstDay + secondDay]);
    expect(answer.series[1].unpriced_calls).toBe(1);
    expect(answer.total_cost).toBeCloseTo(firstDay + secondDay, 12);
  });
});

describe('empty ranges', () => {
  const empty = range(Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 3));

  it('overview: zero counts and sums, null rates and percentiles, no change', async () => {
    const answer = await get(`overview?${empty}`);
    expect(answer.current.requests).toBe(0);
    expect(answer.current.cost).toBe(0);
    expect(answer.current.total_tokens).toBe(0);
    expect(answer.current.error_rate).toBeNull();
    expect(answer.current.p95_latency).toBeNull();
    expect(answer.change.requests).toBeNull();
  });

  it('series are all zeros, lists are empty, the heatmap has no cells', async () => {
    const trends = await get(`usage-trends?${empty}&interval=day`);
    expect(trends.series.map((point: { requests: number; cost: number }) => [point.requests, point.cost])).toEqual([[0, 0], [0, 0]]);
    expect((await get(`models?${empty}`)).models).toEqual([]);
    expect(await get(`cost-breakdown?${empty}&by=provider`)).toMatchObject({ rows: [], total_cost: 0, unpriced_calls: 0 });
    expect(await get(`heatmap?${empty}&rows=provider`)).toMatchObject({ rows: [], cols: [], data: [] });
    const errors = await get(`errors?${empty}`);
    expect(errors.top_messages).toEqual([]);
    expect(errors.summary.requests).toBe(0);
    const performance = await get(`performance?${empty}`);
    expect(performance.latency_histogram.every((bucket: { count: number }) => bucket.count === 0)).toBe(true);
    expect((await get(`trends?${empty}`)).insights).toEqual([]);
  });
});

describe('filters combine', () => {
  it('provider, status, tag and property narrow together (AND)', async () => {
    const from = T0 - DAY;
    const to = T0 + DAY;
    const expected = inWindow(from, to).filter((call) => call.provider === 'pa' && call.status === 'success' && call.tags.includes('x') && call.region === 'eu');
    const answer = await get(`overview?${range(from, to)}&provider=pa&status=success&tag=x&property.region=eu`);
    expect(answer.current.requests).toBe(expected.length);
    expect(answer.current.cost).toBeCloseTo(expected.reduce((sum, call) => sum + (call.cost_usd ?? 0), 0), 12);
    const twoModels = await get(`overview?${range(from, to)}&model=edge-a,edge-b&property.region=us`);
    expect(twoModels.current.requests).toBe(inWindow(from, to).filter((call) => call.region === 'us').length);
  });
});

describe('project scoping', () => {
  const everyRoute = [
    'overview', 'performance', 'models', 'providers', 'agents', 'users', 'usage-trends?interval=day', 'cost-breakdown?by=tag',
    'cost-trend?interval=day', 'errors', 'trends', 'heatmap?rows=provider', 'heatmap?rows=property.region&metric=win_rate',
  ];

  it("another project's key gets exactly what a project without calls gets, on every route", async () => {
    const nobody = await server.createKey('nobody', ['read']);
    const window = range(T0 - DAY, T0 + DAY);
    for (const route of everyRoute) {
      const path = `${route}${route.includes('?') ? '&' : '?'}${window}`;
      const theirs = await get(path, stranger);
      expect(theirs, route).toEqual(await get(path, nobody));
      // Insights need 20 calls per period, which this project lacks: both answers are empty.
      if (route !== 'trends') expect(theirs, route).not.toEqual(await get(path));
    }
    expect((await get(`overview?${window}`, stranger)).current.requests).toBe(0);
  });

  it('refuses a project parameter naming another project', async () => {
    const response = await server.request('GET', '/api/v1/analytics/overview?project=edges', { key: stranger });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.field).toBe('project');
  });
});

describe('hostile input never reaches SQL text', () => {
  it('refuses a property dimension with quotes or spaces, or a name from the prototype, by field', async () => {
    for (const rows of ["property.x')--", 'property.a b', 'calls; DROP TABLE calls', 'property.', '__proto__', 'constructor', 'toString']) {
      const response = await server.request('GET', `/api/v1/analytics/heatmap?rows=${encodeURIComponent(rows)}`, { key });
      expect(response.statusCode, rows).toBe(400);
      expect(response.json().error.field).toBe('rows');
    }
  });

  it('the same dimension on both axes gives a diagonal, not an error', async () => {
    for (const metric of ['success_rate', 'win_rate']) {
      const answer = await get(`heatmap?${range(T0 - 1, T0 + 3 * HOUR)}&rows=property.region&cols=property.region&metric=${metric}`);
      expect(answer.rows, metric).toEqual(metric === 'win_rate' ? ['eu'] : ['eu', 'us']);
    }
  });

  it('filter values with SQL in them are plain values: they match nothing', async () => {
    const answer = await get(`overview?days=3650&model=${encodeURIComponent("edge-a' OR '1'='1")}&tag=${encodeURIComponent("x'--")}`);
    expect(answer.current.requests).toBe(0);
  });

  it('an empty filter value is no filter, on the raw and the rollup reading alike', async () => {
    // A fixed range long enough for the rollup planner to consider it.
    const window = range(T0 - 7 * DAY, T0 + DAY);
    for (const name of ['user_id', 'session_id', 'agent', 'tag', 'account_id']) {
      expect(await get(`overview?${window}&${name}=`), name).toEqual(await get(`overview?${window}`));
      expect(await get(`models?${window}&${name}=`), name).toEqual(await get(`models?${window}`));
    }
  });

  it('refuses a time beyond what the engines hold, naming it', async () => {
    for (const [query, field] of [['from=9999999999999999999999', 'from'], ['to=99999999999999999', 'to'], ['from=%2B275760-09-13T00:00:00Z', 'from']]) {
      for (const route of ['overview', 'users', 'outcomes/model-performance']) {
        const response = await server.request('GET', `/api/v1/analytics/${route}?${query}`, { key });
        expect(response.statusCode, `${route}?${query}`).toBe(400);
        expect(response.json().error.field).toBe(field);
      }
    }
  });

  it('refuses an interval or grouping outside the allow-list', async () => {
    for (const [path, field] of [['usage-trends?interval=week', 'interval'], ['usage-trends?group_by=user_id', 'group_by'], ['cost-breakdown?by=prompt', 'by']]) {
      const response = await server.request('GET', `/api/v1/analytics/${path}`, { key });
      expect(response.statusCode, path).toBe(400);
      expect(response.json().error.field).toBe(field);
    }
  });
});
