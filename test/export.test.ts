// Export (seeds 001/003): CSV, JSON and NDJSON of the calls matching the logs filters,
// streamed page by page; formula-injection-safe CSV cells; JSON that round-trips exactly.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_COLUMNS } from '../src/domain/call-record.js';
import { exportCallsStream } from '../src/export/export-calls.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let otherKey: string;
let pagingKey: string;
const NOW = Date.now();
const MINUTE = 60_000;
const TIE = new Date(NOW - 30 * MINUTE).toISOString();

const DANGEROUS = ['=HYPERLINK("http://evil")', '+1+2', '-3', '@SUM(A1)', '\tTabbed', '\rReturn'];
const calls = [
  ...Array.from({ length: 23 }, (_, i) => ({
    id: `exp-${String(i).padStart(2, '0')}`,
    provider: i % 2 === 0 ? 'openai' : 'anthropic',
    // Calls without a reported cost use a model the catalog does not know, so they stay unpriced.
    model: i % 5 === 4 ? 'in-house-model' : i % 2 === 0 ? 'gpt-4o' : 'claude-haiku',
    // Several calls share one start time, so page edges fall inside ties.
    started_at: i < 6 ? TIE : new Date(NOW - (60 - i) * MINUTE).toISOString(),
    latency_ms: 100 + i,
    prompt_tokens: 10 + i,
    completion_tokens: 3,
    cost_usd: i % 5 === 4 ? null : 0.1 + 0.2 * i,
    user_id: DANGEROUS[i % DANGEROUS.length],
    agent: i === 3 ? '=cmd|/c calc' : 'agent "quoted", with comma',
    tags: i === 7 ? ['-risky', 'fine'] : ['plain'],
    properties: { symbol: i === 8 ? '@EURUSD' : 'GBPUSD', note: 'line\nbreak' },
    confidence: i % 3 === 0 ? 0.333333333333333 : null,
    input: [{ role: 'user', content: `émoji 🚀 "quote" \\ back\nslash ${i}` }, { role: 'tool', content: { nested: [1, 2.5, null, true], deep: { a: 'b' } } }],
    output: { role: 'assistant', content: i === 5 ? '=1+1' : `answer ${i}`, tool_calls: i === 6 ? [{ id: 't1', function: { name: 'f', arguments: '{"x":1}' } }] : undefined },
  })),
  // Numbers JavaScript writes without an exponent down to 1e-6 and with an unpadded one below.
  { id: 'exp-tiny', provider: 'openai', model: 'gpt-4o', started_at: new Date(NOW - 30 * MINUTE).toISOString(), latency_ms: 0.00002, tokens_per_second: 3e-7, cost_usd: 0.0000125, confidence: 0.00005, input: 'tiny', output: 'tiny' },
  // A start time with a fraction of a millisecond (ended_at − fractional latency).
  { id: 'exp-frac', provider: 'openai', model: 'gpt-4o', ended_at: new Date(NOW - 20 * MINUTE).toISOString(), latency_ms: 0.25, input: 'plain prompt', output: 'plain answer' },
  { id: 'exp-old', provider: 'openai', model: 'gpt-4o', started_at: new Date(NOW - 3 * 24 * 60 * MINUTE).toISOString(), input: 'old', output: 'old' },
];

/**
 * Enough calls for several byte-sized pages after the first one (50 rows): groups of seven
 * share a start time, ids are not in start order, row sizes vary tenfold, and one row alone
 * is larger than most page budgets below.
 */
const PAGING_CALLS = 160;
const pagingCalls = Array.from({ length: PAGING_CALLS }, (_, i) => ({
  id: `page-${String((i * 61) % PAGING_CALLS).padStart(3, '0')}`,
  provider: 'openai',
  model: i % 3 === 0 ? 'gpt-4o-mini' : 'gpt-4o',
  started_at: new Date(NOW - 50 * MINUTE + Math.floor(i / 7) * 1000).toISOString(),
  latency_ms: 50 + i,
  input: i === 77 ? 'x'.repeat(100_000) : `prompt ${i} ${'word '.repeat((i * 37) % 300)}`,
  output: `answer ${i}`,
}));

/** RFC 4180 parsing, enough for the export's quoting. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (char === '"') quoted = false; else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') { row.push(cell); cell = ''; } else if (char === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; } else cell += char;
  }
  if (cell !== '' || row.length > 0) { row.push(cell); rows.push(row); }
  return rows;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  return text;
}

beforeAll(async () => {
  server = await startTestServer();
  const recorded = await server.request('POST', '/api/v1/calls', { body: calls });
  expect(recorded.statusCode, recorded.body).toBe(200);
  otherKey = await server.createKey('other', ['admin']);
  await server.request('POST', '/api/v1/calls', { key: otherKey, body: { id: 'other-1', provider: 'openai', model: 'gpt-4o' } });
  pagingKey = await server.createKey('paging', ['admin']);
  const paged = await server.request('POST', '/api/v1/calls', { key: pagingKey, body: pagingCalls });
  expect(paged.statusCode, paged.body).toBe(200);
});
afterAll(async () => {
  await server.close();
});

const recentIds = calls.filter((call) => call.id !== 'exp-old').map((call) => call.id);

async function stored(id: string): Promise<Record<string, unknown>> {
  const response = await server.request('GET', `/api/v1/logs/${id}`);
  expect(response.statusCode).toBe(200);
  return response.json() as Record<string, unknown>;
}

describe('GET /api/v1/export/json', () => {
  it('round-trips every call exactly as the API stores it, oldest first, last 24 hours by default', async () => {
    const response = await server.request('GET', '/api/v1/export/json');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/json');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="loupe-calls-.*\.json"$/);
    const exported = JSON.parse(response.body) as Record<string, unknown>[];
    expect(exported.map((call) => call.id).sort()).toEqual([...recentIds].sort());
    for (const call of exported) expect(call).toEqual(await stored(String(call.id)));
    const starts = exported.map((call) => Date.parse(String(call.started_at)));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('applies the logs filters and the project scope, and answers [] when nothing matches', async () => {
    const filtered = JSON.parse((await server.request('GET', '/api/v1/export/json?model=claude-haiku&days=30')).body) as { id: string }[];
    expect(filtered.map((call) => call.id).sort()).toEqual(calls.filter((call) => call.model === 'claude-haiku').map((call) => call.id).sort());
    const withOld = JSON.parse((await server.request('GET', '/api/v1/export/json?days=30')).body) as { id: string }[];
    expect(withOld).toHaveLength(calls.length);
    const other = JSON.parse((await server.request('GET', '/api/v1/export/json', { key: otherKey })).body) as { id: string }[];
    expect(other.map((call) => call.id)).toEqual(['other-1']);
    const none = await server.request('GET', '/api/v1/export/json?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z');
    expect(JSON.parse(none.body)).toEqual([]);
  });

  it('leaves content out on include_content=false', async () => {
    const exported = JSON.parse((await server.request('GET', '/api/v1/export/json?include_content=false')).body) as Record<string, unknown>[];
    expect(exported[0]).not.toHaveProperty('input');
    expect(exported[0]).not.toHaveProperty('output');
    expect(exported[0]).toHaveProperty('total_tokens');
  });
});

describe('GET /api/v1/export/ndjson', () => {
  it('writes one stored call per line', async () => {
    const response = await server.request('GET', '/api/v1/export/ndjson');
    expect(response.headers['content-type']).toContain('application/x-ndjson');
    const lines = response.body.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((call) => call.id).sort()).toEqual([...recentIds].sort());
    for (const call of lines.slice(0, 5)) expect(call).toEqual(await stored(String(call.id)));
  });
});

describe('GET /api/v1/export/csv', () => {
  it('has a header of every column and one row per call, values as stored', async () => {
    const response = await server.request('GET', '/api/v1/export/csv');
    expect(response.headers['content-type']).toContain('text/csv');
    const [header, ...rows] = parseCsv(response.body);
    expect(header).toEqual([...CALL_COLUMNS]);
    expect(rows.map((row) => row[0]).sort()).toEqual([...recentIds].sort());
    const column = (name: string) => header!.indexOf(name);
    const row = rows.find((cells) => cells[0] === 'exp-10')!;
    const call = await stored('exp-10');
    expect(Number(row[column('cost_usd')])).toBe(call.cost_usd);
    expect(row[column('started_at')]).toBe(call.started_at);
    expect(JSON.parse(row[column('input')]!)).toEqual(call.input);
    expect(JSON.parse(row[column('properties')]!)).toEqual(call.properties);
    expect(rows.find((cells) => cells[0] === 'exp-04')![column('cost_usd')]).toBe('');
  });

  it('prefixes every cell that a spreadsheet would run with an apostrophe', async () => {
    const [header, ...rows] = parseCsv((await server.request('GET', '/api/v1/export/csv')).body);
    const column = (name: string) => header!.indexOf(name);
    for (const row of rows) {
      for (const cell of row) expect(/^[=+\-@\t\r]/.test(cell), `cell ${JSON.stringify(cell)}`).toBe(false);
    }
    const byId = (id: string) => rows.find((cells) => cells[0] === id)!;
    expect(byId('exp-00')[column('user_id')]).toBe(`'${DANGEROUS[0]}`);
    expect(byId('exp-01')[column('user_id')]).toBe("'+1+2");
    expect(byId('exp-02')[column('user_id')]).toBe("'-3");
    expect(byId('exp-03')[column('user_id')]).toBe("'@SUM(A1)");
    expect(byId('exp-03')[column('agent')]).toBe("'=cmd|/c calc");
    expect(byId('exp-04')[column('user_id')]).toBe("'\tTabbed");
    expect(byId('exp-05')[column('user_id')]).toBe("'\rReturn");
    expect(byId('exp-01')[column('agent')]).toBe('agent "quoted", with comma');
  });

  it('answers the header alone when nothing matches, and 400 for a bad filter', async () => {
    const empty = await server.request('GET', '/api/v1/export/csv?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z');
    expect(parseCsv(empty.body)).toEqual([[...CALL_COLUMNS]]);
    for (const [query, field] of [['status=fine', 'status'], ['format=xls', 'format'], ['days=0', 'days']] as const) {
      const response = await server.request('GET', `/api/v1/export/csv?${query}`);
      expect(response.statusCode, response.body).toBe(400);
      expect((response.json() as { error: { field: string } }).error.field).toBe(field);
    }
  });
});

describe('paging through the store', () => {
  it.each([1, 2, 3, 5, 7, 24, 25])('with %i calls a page, repeats and skips nothing (ties and fractional start times included)', async (pageSize) => {
    const filters = { projectId: 'default', from: NOW - 24 * 60 * MINUTE };
    const text = await readAll(exportCallsStream(server.store.sql, { filters, format: 'ndjson', includeContent: false, pageSize }));
    const ids = text.trimEnd().split('\n').map((line) => (JSON.parse(line) as { id: string }).id);
    expect(ids).toHaveLength(recentIds.length);
    expect(new Set(ids)).toEqual(new Set(recentIds));
  });
});

describe('the two CSV writers', () => {
  it("DuckDB's CSV writer (COPY) and the JavaScript writer (used on other engines) give the same cells", async () => {
    const filters = { projectId: 'default', from: NOW - 24 * 60 * MINUTE };
    const viaSql = await readAll(exportCallsStream(server.store.sql, { filters, format: 'csv', includeContent: true, pageSize: 4 }));
    // The same store read through the generic path: only the dialect flag differs.
    const generic = { dialect: 'postgres' as const, query: server.store.sql.query.bind(server.store.sql) };
    const viaJs = await readAll(exportCallsStream(generic, { filters, format: 'csv', includeContent: true, pageSize: 4 }));
    expect(parseCsv(viaSql)).toEqual(parseCsv(viaJs));
    expect(parseCsv(viaSql)).toHaveLength(recentIds.length + 1);
  });
});

describe('CSV pages sized by bytes', () => {
  const filters = { projectId: 'paging', from: NOW - 24 * 60 * MINUTE };
  const csv = (options: { pageBytes?: number; pageSize?: number }, extra: Record<string, unknown> = {}) =>
    readAll(exportCallsStream(server.store.sql, { filters: { ...filters, ...extra }, format: 'csv', includeContent: true, ...options }));

  it.each([1, 700, 3000, 20_000, 4 * 1024 * 1024])('with a budget of %i bytes a page, gives the same bytes as one page', async (pageBytes) => {
    const onePage = await csv({ pageSize: 1000 });
    const rows = parseCsv(onePage).slice(1);
    expect(rows).toHaveLength(PAGING_CALLS);
    // Oldest first, ties by id: the same order as the calls sorted independently.
    const expected = [...pagingCalls].sort((a, b) => a.started_at.localeCompare(b.started_at) || a.id.localeCompare(b.id)).map((call) => call.id);
    expect(rows.map((row) => row[0])).toEqual(expected);
    expect(await csv({ pageBytes })).toBe(onePage);
  });

  it('keeps the filters on every page, and answers the header alone when nothing matches', async () => {
    const mini = parseCsv(await csv({ pageBytes: 2000 }, { model: ['gpt-4o-mini'] })).slice(1);
    expect(mini.map((row) => row[0]).sort()).toEqual(pagingCalls.filter((call) => call.model === 'gpt-4o-mini').map((call) => call.id).sort());
    const empty = await csv({ pageBytes: 2000 }, { from: NOW - 3 * 60 * MINUTE, to: NOW - 2 * 60 * MINUTE });
    expect(parseCsv(empty)).toEqual([[...CALL_COLUMNS]]);
  });

  it('on DuckDB, follows the budget after a first page of 50 rows (one row a page when a row exceeds it)', async () => {
    if (server.store.sql.dialect !== 'duckdb') return;
    const chunks: number[] = [];
    for await (const chunk of exportCallsStream(server.store.sql, { filters, format: 'csv', includeContent: true, pageBytes: 1 })) chunks.push((chunk as Buffer).length);
    // The header, two pages of 50 rows (the second is written before the first is measured),
    // then every remaining row on its own page.
    expect(chunks).toHaveLength(3 + PAGING_CALLS - 100);
  });

  it('on DuckDB, hands the freed memory back after every page, trims the cached blocks every fourth, and leaves the memory limit as configured', async () => {
    const { releaseFreedMemory } = server.store.sql;
    if (!releaseFreedMemory) return;
    const limit = async () => (await server.store.sql.query<{ limit: string }>(`SELECT current_setting('memory_limit') AS "limit"`))[0]!.limit;
    const before = await limit();
    let pageQueries = 0;
    let releases = 0;
    const counting = {
      dialect: server.store.sql.dialect,
      query: <Row>(sql: string, params?: readonly unknown[]) => (sql.startsWith('COPY') && pageQueries++, server.store.sql.query<Row>(sql, params)),
      releaseFreedMemory: () => (releases++, releaseFreedMemory()),
      trimCachedBlocks: () => (trims++, server.store.sql.trimCachedBlocks!()),
    };
    let trims = 0;
    const text = await readAll(exportCallsStream(counting, { filters, format: 'csv', includeContent: true, pageSize: 10 }));
    expect(parseCsv(text).slice(1)).toHaveLength(PAGING_CALLS);
    // 16 pages of 10 rows, then the open page after the last end, which is empty.
    expect(pageQueries).toBe(PAGING_CALLS / 10 + 1);
    expect(releases).toBe(pageQueries);
    // The cached table blocks are trimmed every fourth page.
    expect(trims).toBe(Math.floor(pageQueries / 4));
    expect(await limit()).toBe(before);
    trims = 0;
    const json = await readAll(exportCallsStream(counting, { filters, format: 'json', includeContent: true, pageSize: 10 }));
    expect(JSON.parse(json)).toHaveLength(PAGING_CALLS);
    expect(trims).toBe(Math.floor((PAGING_CALLS / 10 + 1) / 4));
    expect(await limit()).toBe(before);
  });

  it('on DuckDB, leaves no scratch file behind, whether the reader takes every page or leaves early', async () => {
    if (server.store.sql.dialect !== 'duckdb') return;
    const scratchDirectory = mkdtempSync(join(tmpdir(), 'loupe-export-test-'));
    try {
      const options = { filters, format: 'csv' as const, includeContent: true, pageSize: 10, scratchDirectory };
      expect(parseCsv(await readAll(exportCallsStream(server.store.sql, options))).slice(1)).toHaveLength(PAGING_CALLS);
      expect(readdirSync(scratchDirectory)).toEqual([]);
      const early = exportCallsStream(server.store.sql, options);
      let chunks = 0;
      for await (const chunk of early) {
        expect(chunk).toBeDefined();
        // The header, then two pages, while the next two are being written.
        if (++chunks === 3) break;
      }
      await new Promise((resolve) => early.once('close', resolve));
      await expect.poll(() => readdirSync(scratchDirectory), { timeout: 2000 }).toEqual([]);
    } finally {
      rmSync(scratchDirectory, { recursive: true, force: true });
    }
  });

  it('reads the next page only when the reader has taken the previous one', async () => {
    let queries = 0;
    const counting = { dialect: server.store.sql.dialect, query: <Row>(sql: string, params?: readonly unknown[]) => (queries++, server.store.sql.query<Row>(sql, params)) };
    const stream = exportCallsStream(counting, { filters, format: 'csv', includeContent: true, pageSize: 10 });
    const read = (): Promise<unknown> => new Promise((resolve) => stream.once('readable', () => resolve(stream.read())));
    await read();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const afterOne = queries;
    // Held for a while: no more pages are read than the one in hand and the two written ahead
    // of it (DuckDB) or the one buffered behind it (other engines).
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(queries).toBe(afterOne);
    stream.destroy();
    // One key query and at most three page queries so far, of 16 pages of 10 rows.
    expect(afterOne).toBeLessThanOrEqual(4);
  });
});
