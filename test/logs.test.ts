// The logs API against a known set of calls: every filter, search, sorting, cursor and page
// paging, deletes, and the stats overview, each checked against values computed here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
const NOW = Date.now();
const HOUR = 3_600_000;

interface Row {
  id: string;
  provider: string;
  model: string;
  status: 'success' | 'error';
  latency_ms: number;
  cost_usd: number | null;
  started_at: string;
  user_id: string;
  agent: string;
  tags: string[];
  properties: Record<string, string>;
  account_id: string;
  session_id: string;
  prompt_tokens: number;
  completion_tokens: number;
  input: unknown;
  output: unknown;
}

const providers = ['openai', 'anthropic', 'ollama'];
const models = ['gpt-4o', 'claude-sonnet-4-5', 'llama3.2'];
const rows: Row[] = Array.from({ length: 60 }, (_, i) => ({
  id: `log-${String(i).padStart(3, '0')}`,
  // Calls without a reported cost use a model the catalog does not know, so they stay unpriced.
  provider: i % 10 === 9 ? 'in-house' : providers[i % 3]!,
  model: i % 10 === 9 ? 'in-house-model' : models[i % 3]!,
  status: i % 7 === 0 ? 'error' : 'success',
  latency_ms: 100 + ((i * 37) % 900),
  cost_usd: i % 10 === 9 ? null : Math.round(((i * 13) % 50) * 1e4) / 1e7,
  started_at: new Date(NOW - (60 - i) * 10 * 60_000).toISOString(),
  user_id: `user-${i % 4}`,
  agent: i % 2 === 0 ? 'research_agent' : 'risk_agent',
  tags: i % 5 === 0 ? ['prod', 'eval'] : ['prod'],
  properties: { symbol: ['EURUSD', 'GBPUSD'][i % 2]! },
  account_id: `acct-${i % 3}`,
  session_id: `sess-${Math.floor(i / 6)}`,
  prompt_tokens: 10 + i,
  completion_tokens: 5 + i,
  input: [{ role: 'user', content: i === 42 ? 'Where is the Needle "quoted"\nin the haystack?' : `question number ${i}` }],
  output: { role: 'assistant', content: i === 17 ? 'The answer mentions 100% <b>bold</b> needle' : `answer ${i}` },
}));

beforeAll(async () => {
  server = await startTestServer();
  const response = await server.request('POST', '/api/v1/calls', { body: rows });
  expect(response.statusCode).toBe(200);
});
afterAll(async () => {
  await server.close();
});

async function list(query: string, key?: string) {
  const response = await server.request('GET', `/api/v1/logs?${query}`, key ? { key } : {});
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { data: Row[]; next_cursor: string | null; total: number | null; pagination?: { total_pages: number } };
}

const ids = (items: { id: string }[]) => items.map((item) => item.id);
const newestFirst = (items: Row[]) => [...items].sort((a, b) => b.started_at.localeCompare(a.started_at) || b.id.localeCompare(a.id));

describe('GET /api/v1/logs filters', () => {
  const cases: [string, (row: Row) => boolean][] = [
    ['provider=anthropic', (row) => row.provider === 'anthropic'],
    ['provider=anthropic,ollama', (row) => row.provider === 'anthropic' || row.provider === 'ollama'],
    ['model=gpt-4o&status=error', (row) => row.model === 'gpt-4o' && row.status === 'error'],
    ['user_id=user-2', (row) => row.user_id === 'user-2'],
    ['agent=risk_agent&account_id=acct-1', (row) => row.agent === 'risk_agent' && row.account_id === 'acct-1'],
    ['tag=eval', (row) => row.tags.includes('eval')],
    ['property.symbol=GBPUSD&provider=openai', (row) => row.properties.symbol === 'GBPUSD' && row.provider === 'openai'],
    ['session_id=sess-3', (row) => row.session_id === 'sess-3'],
    ['hours=1.75', (row) => Date.parse(row.started_at) >= NOW - 1.75 * HOUR],
  ];
  it.each(cases)('%s', async (query, predicate) => {
    const body = await list(`${query}&limit=1000`);
    expect(ids(body.data)).toEqual(ids(newestFirst(rows.filter(predicate))));
  });

  it('filters by from/to with `to` exclusive', async () => {
    const from = rows[10]!.started_at;
    const to = rows[20]!.started_at;
    const body = await list(`from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=1000`);
    expect(ids(body.data)).toEqual(ids(newestFirst(rows.slice(10, 20))));
  });
});

describe('search', () => {
  it('finds a case-insensitive substring in the prompt, quotes and newlines included', async () => {
    expect(ids((await list('search=needle%20%22QUOTED%22')).data)).toEqual(['log-042']);
    expect(ids((await list(`search=${encodeURIComponent('"quoted"\nin')}`)).data)).toEqual(['log-042']);
  });
  it('finds text in the response and treats regex and SQL characters as text', async () => {
    expect(ids((await list('search=100%25%20%3Cb%3E')).data)).toEqual(['log-017']);
    expect(ids((await list('search=NEEDLE')).data).sort()).toEqual(['log-017', 'log-042']);
    expect((await list(`search=${encodeURIComponent("' OR 1=1 --")}`)).data).toEqual([]);
    expect((await list(`search=${encodeURIComponent('.*')}`)).data).toEqual([]);
  });
  it('pages a search newest first across day, week and month windows without gaps or repeats', async () => {
    const ages = [0.1, 0.5, 2, 3, 6.5, 8, 20, 29, 45, 100].map((days) => days * 86_400_000);
    const spread = ages.map((age, i) => ({
      id: `spread-${i}`, provider: 'openai', model: 'gpt-4o', started_at: new Date(NOW - age).toISOString(),
      input: [{ role: 'user', content: `find the Kestrel ${i}` }],
    }));
    const key = await server.createKey('search-windows', ['read', 'ingest']);
    expect((await server.request('POST', '/api/v1/calls', { body: spread, key })).statusCode).toBe(200);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`search=kestrel&limit=3${cursor ? `&cursor=${cursor}` : ''}`, key);
      seen.push(...ids(page.data));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(spread.map((row) => row.id));
    const lastWeek = await list(`search=KESTREL&from=${new Date(NOW - 7 * 86_400_000).toISOString()}&limit=50`, key);
    expect(ids(lastWeek.data)).toEqual(['spread-0', 'spread-1', 'spread-2', 'spread-3', 'spread-4']);
  });
});

describe('sorting and paging', () => {
  it('sorts by an allow-listed column in both directions, nulls lowest', async () => {
    const asc = await list('sort=cost_usd&order=asc&limit=1000');
    const key = (row: Row) => row.cost_usd ?? -1;
    const expected = [...rows].sort((a, b) => key(a) - key(b) || a.id.localeCompare(b.id));
    expect(ids(asc.data)).toEqual(ids(expected));
    const desc = await list('sort=latency_ms&order=desc&limit=1000');
    expect(ids(desc.data)).toEqual(ids([...rows].sort((a, b) => b.latency_ms - a.latency_ms || b.id.localeCompare(a.id))));
  });

  it('walks every row exactly once with cursors, for any sort', async () => {
    for (const sort of ['started_at', 'latency_ms', 'cost_usd', 'model']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const body = await list(`sort=${sort}&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...ids(body.data));
        cursor = body.next_cursor;
      } while (cursor);
      expect(seen.length).toBe(rows.length);
      expect(new Set(seen).size).toBe(rows.length);
    }
  });

  it('pages by number with totals', async () => {
    const page2 = await list('page=2&limit=25');
    expect(page2.total).toBe(60);
    expect(page2.pagination?.total_pages).toBe(3);
    expect(ids(page2.data)).toEqual(ids(newestFirst(rows).slice(25, 50)));
  });
});

describe('bad query input', () => {
  const cases: [string, string][] = [
    ['sort=prompt_tokens; DROP TABLE calls', 'sort'],
    ['order=sideways', 'order'],
    ['limit=5000', 'limit'],
    ['limit=0', 'limit'],
    ['status=maybe', 'status'],
    ['colour=red', 'colour'],
    ['cursor=not-a-cursor', 'cursor'],
    ['from=yesterday', 'from'],
    ['from=9999999999999999999999', 'from'],
    ['to=-5', 'to'],
    ['days=-1', 'days'],
    ['project=someone-else', 'project'],
  ];
  it.each(cases)('%s → 400 naming %s', async (query, field) => {
    const response = await server.request('GET', `/api/v1/logs?${query}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain(field);
  });

  it('treats SQL in filter values as data', async () => {
    const body = await list(`model=${encodeURIComponent("gpt-4o' OR '1'='1")}`);
    expect(body.data).toEqual([]);
    expect((await server.request('GET', `/api/v1/logs/${encodeURIComponent("x' OR '1'='1")}`)).statusCode).toBe(404);
  });
});

describe('detail and deletes', () => {
  it('returns the full call with input and output', async () => {
    const detail = (await server.request('GET', '/api/v1/logs/log-042')).json();
    expect(detail.input).toEqual(rows[42]!.input);
    expect(detail.output).toEqual(rows[42]!.output);
  });

  it('reads a call and its session by the longest ids the ingestion accepts, percent-encoded', async () => {
    const id = `é/${'i'.repeat(126)}`;
    const session = `s ${'%'.repeat(254)}`;
    const posted = await server.request('POST', '/api/v1/calls', { body: { id, provider: 'openai', model: 'gpt-4o', started_at: new Date(NOW - HOUR).toISOString(), session_id: session } });
    expect(posted.statusCode, posted.body).toBe(201);
    const detail = await server.request('GET', `/api/v1/logs/${encodeURIComponent(id)}`);
    expect([detail.statusCode, detail.json().session_id]).toEqual([200, session]);
    const summary = await server.request('GET', `/api/v1/sessions/${encodeURIComponent(session)}/summary`);
    expect([summary.statusCode, summary.json().total_calls]).toEqual([200, 1]);
    const tooLong = await server.request('GET', `/api/v1/sessions/${'s'.repeat(257)}/summary`);
    expect([tooLong.statusCode, tooLong.json().error.field]).toEqual([400, 'id']);
    expect((await server.request('DELETE', `/api/v1/logs/${encodeURIComponent(id)}`)).statusCode).toBe(200);
  });

  it('deletes one and many, reporting the count', async () => {
    expect((await server.request('DELETE', '/api/v1/logs/log-059')).statusCode).toBe(200);
    expect((await server.request('GET', '/api/v1/logs/log-059')).statusCode).toBe(404);
    expect((await server.request('DELETE', '/api/v1/logs/log-059')).statusCode).toBe(404);
    const bulk = await server.request('POST', '/api/v1/logs/bulk-delete', { body: { ids: ['log-058', 'log-057', 'missing'] } });
    expect(bulk.json()).toMatchObject({ deletedCount: 2 });
    rows.splice(57, 3);
  });
});

describe('GET /api/v1/logs/stats', () => {
  it('matches totals computed from the rows', async () => {
    const stats = (await server.request('GET', '/api/v1/logs/stats?hours=24')).json();
    const ok = rows.filter((row) => row.status === 'success').length;
    const cost = rows.reduce((sum, row) => sum + (row.cost_usd ?? 0), 0);
    expect(stats.overview.total_requests).toBe(rows.length);
    expect(stats.overview.success_rate).toBeCloseTo(Math.round((ok / rows.length) * 10000) / 100, 10);
    expect(stats.overview.total_cost_usd).toBeCloseTo(cost, 12);
    expect(stats.overview.unpriced_calls).toBe(rows.filter((row) => row.cost_usd === null).length);
    expect(stats.overview.total_tokens).toBe(rows.reduce((sum, row) => sum + row.prompt_tokens + row.completion_tokens, 0));
    expect(stats.overview.avg_duration_ms).toBeCloseTo(rows.reduce((sum, row) => sum + row.latency_ms, 0) / rows.length, 9);
    const anthropic = rows.filter((row) => row.provider === 'anthropic');
    expect(stats.providers.find((p: { provider: string }) => p.provider === 'anthropic').requests).toBe(anthropic.length);
    const hours = new Map<string, number>();
    for (const row of rows) {
      const hour = new Date(Math.floor(Date.parse(row.started_at) / HOUR) * HOUR).toISOString();
      hours.set(hour, (hours.get(hour) ?? 0) + 1);
    }
    expect(Object.fromEntries(stats.hourly.map((h: { hour: string; requests: number }) => [h.hour, h.requests]))).toEqual(Object.fromEntries(hours));
    expect(stats.recent.map((r: { id: string }) => r.id)).toEqual(ids(newestFirst(rows).slice(0, 10)));
  });
});
