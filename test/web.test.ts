// The dashboard in a real browser (Debian's Chromium through playwright-core) against the
// real server with demo data: sign-in, every page renders without console errors, filters,
// live updates, budgets, sorting, bulk delete, the shared time range, themes, prompts that
// look like HTML shown as text, recent errors, provider health and connection test against a
// local fake provider, loading and error states, phone width, and the first page's JavaScript
// budget. Screenshots of every page go to test-artifacts/.
import { mkdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../src/demo/generate-demo.js';
import { writeDemoToStore } from '../src/demo/write-demo.js';
import { fixture, startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';
import { ADMIN_KEY, startTestServer, type TestServer, listenOnLoopback } from './helpers/test-server.js';

const ARTIFACTS = 'test-artifacts';
let server: TestServer;
let upstream: FakeUpstream;
/** Answers replays and comparisons as OpenAI would. */
let openaiUpstream: FakeUpstream;
let browser: Browser;
let page: Page;
let base: string;
const consoleErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  upstream = await startFakeUpstream();
  openaiUpstream = await startFakeUpstream();
  openaiUpstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
  // The fake upstreams listen on loopback: allow-listed, as an operator allows a local model server.
  server = await startTestServer({
    upstream_allowlist: ['127.0.0.1'],
    providers: [
      // One failure opens this provider's breaker; no retries, so the failure is immediate.
      { name: 'lab', display_name: 'Lab upstream', type: 'openai', base_url: upstream.baseUrl, models: ['lab-model'], circuit_breaker_threshold: 1, circuit_breaker_timeout: 3600, max_retries: 0 },
      { name: 'openai', type: 'openai', base_url: openaiUpstream.baseUrl, models: ['gpt-4o', 'gpt-4o-mini'], max_retries: 0 },
    ],
    routes: [{ name: 'house-model', targets: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'lab', model: 'lab-model' }] }],
  });
  await writeDemoToStore(server.store, generateDemo({ calls: 3000, days: 2, seed: 11 }), { projectId: 'default' });
  base = await listenOnLoopback(server);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  // A missing element fails its test in seconds, with the selector named, not at the test timeout.
  page.setDefaultTimeout(10_000);
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(`${base}/`);
  await page.fill('input[type=password]', ADMIN_KEY);
  await page.click('button[type=submit]');
  await page.waitForSelector('.kpi');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await upstream?.close();
  await openaiUpstream?.close();
});

const PAGES = [['/?range=7d', '.kpi-value'], ['/logs?range=7d', 'table.logs tbody tr'], ['/costs?range=7d', 'form.budget-form'], ['/providers?range=7d', 'table'], ['/sessions?range=7d', 'table.logs tbody tr'], ['/traces?range=7d', 'table.logs tbody tr'], ['/outcomes?range=7d', 'table.heat tbody tr'], ['/compare', 'form.compare-form'], ['/settings', 'form.inline']] as const;
/** Waits until no panel of the page is loading (for complete screenshots). */
const settled = (target: Page) => target.waitForFunction(() => !document.querySelector('main')?.textContent?.includes('Loading…'));
const pageName = (path: string) => path.split('?')[0]!.replace(/\//g, '') || 'overview';

describe('dashboard in Chromium', () => {
  it('renders every page with demo data and no console errors', async () => {
    for (const [path, marker] of PAGES) {
      await page.goto(`${base}${path}`);
      await page.waitForSelector(marker);
      await settled(page);
      await page.screenshot({ path: `${ARTIFACTS}/${pageName(path)}.png`, fullPage: true });
    }
    const expected = (await server.request('GET', '/api/v1/analytics/overview?hours=168')).json().current.requests as number;
    expect(expected).toBeGreaterThan(0);
    await page.goto(`${base}/?range=7d`);
    await page.waitForSelector('.kpi-value');
    expect(await page.textContent('.kpi-value')).toBe(expected.toLocaleString('en'));
    expect(consoleErrors).toEqual([]);
  });

  it('downloads the calls the logs filters match as CSV and JSON, as the export routes give them', async () => {
    await page.goto(`${base}/logs?range=7d`);
    await page.waitForSelector('table.logs tbody tr');
    const model = ((await server.request('GET', '/api/v1/analytics/models?hours=168')).json() as { models: { model: string }[] }).models[0]!.model;
    await page.fill('input[aria-label="Model"]', model);
    await page.waitForFunction((href) => document.querySelector<HTMLAnchorElement>('a[download]')?.href.includes(href) === true, `model=${encodeURIComponent(model)}`);
    const download = async (label: string) => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.click(`a:text-is("${label}")`)]);
      return readFileSync((await file.path())!, 'utf8');
    };
    const csv = await download('Export CSV');
    const json = JSON.parse(await download('Export JSON')) as { model: string }[];
    expect(json.length).toBeGreaterThan(0);
    expect(new Set(json.map((call) => call.model))).toEqual(new Set([model]));
    // Byte for byte what the route streams for the page's range (7 days) and filter.
    expect(csv).toBe((await server.request('GET', `/api/v1/export/csv?hours=168&model=${encodeURIComponent(model)}`)).body);
  });
  it('narrows the logs table to one session, one agent and a tag, as the logs API does', async () => {
    // A session of several agents, so that the agent narrows it further.
    const session = ((await server.request('GET', '/api/v1/sessions?hours=168&sort=start&limit=100')).json() as { data: { session_id: string; agents: string[] }[] }).data.find((entry) => entry.agents.length > 1)!;
    const calls = ((await server.request('GET', `/api/v1/logs?hours=168&session_id=${encodeURIComponent(session.session_id)}&limit=100`)).json() as { data: { id: string }[] }).data;
    expect(calls.length).toBeGreaterThan(1);
    await page.goto(`${base}/logs?range=7d`);
    await page.waitForSelector('table.logs tbody tr');
    await page.fill('input[aria-label="Session"]', session.session_id);
    await page.waitForFunction((n) => document.querySelectorAll('table.logs tbody tr:not([aria-hidden])').length === n, calls.length);
    const agent = session.agents[session.agents.length - 1]!;
    const both = ((await server.request('GET', `/api/v1/logs?hours=168&session_id=${encodeURIComponent(session.session_id)}&agent=${encodeURIComponent(agent)}&limit=100`)).json() as { data: unknown[] }).data;
    expect(both.length).toBeGreaterThan(0);
    expect(both.length).toBeLessThan(calls.length);
    await page.fill('input[aria-label="Agent"]', agent);
    await page.waitForFunction((n) => document.querySelectorAll('table.logs tbody tr:not([aria-hidden])').length === n, both.length);
    // A tag narrows too: the session's calls carry its environment (prod or staging).
    const other = ((await server.request('GET', `/api/v1/logs/${encodeURIComponent(calls[0]!.id)}`)).json() as { tags: string[] }).tags.includes('prod') ? 'staging' : 'prod';
    await page.fill('input[aria-label="Tag"]', other);
    await page.waitForSelector('text=No calls match these filters.');
  });
  it('opens the logs of a top model from the overview, with the filter in the URL across a reload', async () => {
    const top = ((await server.request('GET', '/api/v1/analytics/models?hours=168')).json() as { models: { model: string }[] }).models[0]!.model;
    await page.goto(`${base}/?range=7d`);
    await page.click('.panel:has(h2:text-is("Top models")) tbody tr:first-child');
    await page.waitForURL((url) => url.pathname === '/logs' && url.searchParams.get('model') === top && url.searchParams.get('range') === '7d');
    expect(await page.inputValue('input[aria-label="Model"]')).toBe(top);
    const onlyTop = async () => page.waitForFunction((model) => {
      const cells = [...document.querySelectorAll('table.logs tbody tr:not([aria-hidden]) td:nth-child(3)')].map((cell) => cell.firstChild?.textContent);
      return cells.length > 0 && cells.every((cell) => cell === model);
    }, top);
    await onlyTop();
    await page.reload();
    expect(await page.inputValue('input[aria-label="Model"]')).toBe(top);
    await onlyTop();
    await page.fill('input[aria-label="Model"]', '');
    await page.fill('input[aria-label="User"]', 'user-01');
    await page.waitForURL((url) => url.searchParams.get('user_id') === 'user-01' && !url.searchParams.has('model'));
  });
  it('narrows the logs table with a filter', async () => {
    await page.goto(`${base}/logs?range=7d`);
    await page.waitForSelector('table.logs tbody tr');
    await page.selectOption('select[aria-label=Status]', 'error');
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll('table.logs tbody td.status')];
      return cells.length > 0 && cells.every((cell) => cell.textContent === 'error');
    });
    const statuses = await page.$$eval('table.logs tbody td.status', (cells) => cells.map((cell) => cell.textContent));
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set(['error']));
  });

  it('keeps only the visible rows in the page and loads the next page while scrolling', async () => {
    await page.goto(`${base}/logs?range=7d`);
    await page.waitForSelector('table.logs tbody tr');
    await page.waitForFunction(() => document.body.textContent?.includes('100 calls loaded'));
    const rendered = await page.$$eval('table.logs tbody tr:not([aria-hidden])', (rows) => rows.length);
    expect(rendered).toBeLessThan(60);
    await page.$eval('.scroller', (element) => element.scrollTo(0, element.scrollHeight));
    await page.waitForFunction(() => /([2-9]\d\d|\d{4,}) calls loaded/.test(document.body.textContent ?? ''));
  });

  it('shows a new call in the open logs page without a reload, and shows HTML-looking prompts as text', async () => {
    await page.goto(`${base}/logs?range=24h`);
    await page.waitForSelector('table.logs tbody tr');
    await page.waitForFunction(() => document.querySelector('.panel h2')?.textContent?.includes('live'));
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    await server.request('POST', '/api/v1/calls', { body: { id: 'xss-1', provider: 'openai', model: 'live-model', input: [{ role: 'user', content: hostile }], output: { role: 'assistant', content: '<b>bold?</b>' } } });
    const row = await page.waitForSelector('table.logs tbody tr:has-text("live-model")', { timeout: 2000 });
    await row.click();
    await page.waitForSelector('.bubble pre');
    const bubbles = await page.$$eval('.bubble pre', (nodes) => nodes.map((node) => node.textContent));
    expect(bubbles).toContain(hostile);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.$$('.bubble img, .bubble script, .bubble b')).toHaveLength(0);
    await page.screenshot({ path: `${ARTIFACTS}/logs-detail.png` });
  });

  it('creates a budget from the costs page', async () => {
    await page.goto(`${base}/costs`);
    await page.waitForSelector('form.budget-form');
    await page.fill('form.budget-form input[placeholder=Name]', 'ui budget');
    await page.fill('form.budget-form input[placeholder="Amount (USD)"]', '12.5');
    await page.click('form.budget-form button[type=submit]');
    await page.waitForSelector('.budget:has-text("ui budget")');
    const stored = (await server.request('GET', '/api/v1/budgets')).json().budgets;
    expect(stored.map((budget: { name: string; amount: number }) => [budget.name, budget.amount])).toContainEqual(['ui budget', 12.5]);
    await page.screenshot({ path: `${ARTIFACTS}/costs-with-budget.png`, fullPage: true });
  });
  it("sets a key's budget by picking the key by name, and names it in the list", async () => {
    await page.goto(`${base}/costs`);
    await page.waitForSelector('form.budget-form');
    await page.fill('form.budget-form input[placeholder=Name]', 'key budget');
    await page.selectOption('form.budget-form select[aria-label=Scope]', 'api_key');
    const keys = ((await server.request('GET', '/api/v1/keys')).json() as { data: { id: string; name: string; prefix: string; revoked_at: string | null }[] }).data;
    const key = keys.find((entry) => entry.revoked_at === null)!;
    await page.selectOption('form.budget-form select[aria-label="Which API key"]', { label: `${key.name} (${key.prefix}…)` });
    await page.fill('form.budget-form input[placeholder="Amount (USD)"]', '1000');
    await page.click('form.budget-form button[type=submit]');
    await page.waitForSelector(`.budget:has-text("key budget"):has-text("api_key ${key.name} (${key.prefix}…)")`);
    const stored = ((await server.request('GET', '/api/v1/budgets')).json() as { budgets: { name: string; scope: string; scope_value: string }[] }).budgets.find((budget) => budget.name === 'key budget');
    expect([stored?.scope, stored?.scope_value]).toEqual(['api_key', key.id]);
  });
  it('edits the budget from the costs page', async () => {
    await page.goto(`${base}/costs`);
    const budget = page.locator('.budget', { hasText: 'ui budget' });
    await budget.locator('button', { hasText: 'edit' }).click();
    // While edited, the name is in an input (not text), so the form is found by its class.
    await page.fill('form.budget-edit input[aria-label="Budget amount"]', '20');
    await page.click('form.budget-edit button[type=submit]');
    await page.waitForSelector('.budget:has-text("of $20.00")');
    const stored = (await server.request('GET', '/api/v1/budgets')).json().budgets as { name: string; amount: number }[];
    expect(stored.find((entry) => entry.name === 'ui budget')?.amount).toBe(20);
  });

  it('sorts the logs by a column', async () => {
    await page.goto(`${base}/logs?range=7d`);
    await page.waitForSelector('table.logs tbody tr');
    await page.click('th:has-text("Tokens")');
    await page.waitForSelector('th[aria-sort=descending]:has-text("Tokens")');
    const expected = (await server.request('GET', '/api/v1/logs?hours=168&sort=total_tokens&order=desc&limit=5')).json().data.map((call: { total_tokens: number }) => call.total_tokens.toLocaleString('en'));
    await page.waitForFunction((first) => document.querySelector('table.logs tbody tr:not([aria-hidden]) td:nth-child(6)')?.textContent === first, expected[0]);
    const shown = await page.$$eval('table.logs tbody tr:not([aria-hidden]) td:nth-child(6)', (cells) => cells.slice(0, 5).map((cell) => cell.textContent));
    expect(shown).toEqual(expected);
  });

  it('deletes the selected calls and keeps a custom time range across pages', async () => {
    const ids = ['bulk-1', 'bulk-2'];
    for (const id of ids) await server.request('POST', '/api/v1/calls', { body: { id, provider: 'openai', model: 'bulk-model' } });
    await page.goto(`${base}/logs?range=24h`);
    await page.fill('input[aria-label=Model]', 'bulk-model');
    await page.waitForFunction(() => document.querySelectorAll('table.logs tbody tr:not([aria-hidden])').length === 2);
    await page.check('input[aria-label="Select all loaded"]');
    await page.click('button:has-text("Delete 2 selected")');
    await page.waitForSelector('text=No calls match these filters.');
    for (const id of ids) expect((await server.request('GET', `/api/v1/logs/${id}`)).statusCode).toBe(404);

    const from = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const to = new Date().toISOString();
    await page.goto(`${base}/?range=custom&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    await page.waitForSelector('.kpi-value');
    await page.click('nav a:has-text("Costs")');
    await page.waitForSelector('form.budget-form');
    const url = new URL(page.url());
    expect([url.pathname, url.searchParams.get('range'), url.searchParams.get('from'), url.searchParams.get('to')]).toEqual(['/costs', 'custom', from, to]);
    expect(await page.inputValue('select[aria-label="Time range"]')).toBe('custom');
  });

  it('switches between light and dark themes and remembers the choice', async () => {
    await page.goto(`${base}/`);
    await page.waitForSelector('.kpi-value');
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.click('button[aria-label=Theme]');
    expect(await page.getAttribute('html', 'data-theme')).toBe('light');
    const light = await background();
    await page.click('button[aria-label=Theme]');
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    await page.reload();
    await page.waitForSelector('.kpi-value');
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    expect(await background()).not.toBe(light);
    await page.screenshot({ path: `${ARTIFACTS}/overview-dark.png`, fullPage: true });
    await page.click('button[aria-label=Theme]');
    expect(await page.getAttribute('html', 'data-theme')).toBeNull();
    expect(consoleErrors).toEqual([]);
  });

  it('ships under 400 KB of gzipped JavaScript for the first page', async () => {
    const index = await (await fetch(`${base}/`)).text();
    const scripts = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((match) => match[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    let total = 0;
    for (const script of scripts) total += gzipSync(Buffer.from(await (await fetch(`${base}${script}`)).arrayBuffer())).length;
    expect(total).toBeLessThan(400 * 1024);
  });
  it('fits a phone screen without sideways scrolling of the page', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    phone.setDefaultTimeout(8000);
    try {
      await phone.goto(`${base}/`);
      await phone.fill('input[type=password]', ADMIN_KEY);
      await phone.click('button[type=submit]');
      await phone.waitForSelector('.kpi');
      for (const [path, marker] of PAGES) {
        await phone.goto(`${base}${path}`);
        await phone.waitForSelector(marker);
        // Wide tables scroll inside their panel; the page itself must not.
        expect(await phone.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(390);
        // Readable: body text no smaller than 12 px.
        expect(await phone.evaluate(() => parseFloat(getComputedStyle(document.querySelector('main')!).fontSize)), path).toBeGreaterThanOrEqual(12);
        await settled(phone);
        await phone.screenshot({ path: `${ARTIFACTS}/${pageName(path)}-phone.png`, fullPage: true });
      }
    } finally {
      await phone.close();
    }
  });
  it('opens a new tab straight into the dashboard while the session cookie is valid, and signs out', async () => {
    const tab = await page.context().newPage();
    try {
      await tab.goto(`${base}/costs`);
      await tab.waitForSelector('form.budget-form');
      await tab.click('button:has-text("Sign out")');
      await tab.waitForSelector('input[type=password]');
      const cookies = await tab.context().cookies(base);
      expect(cookies.find((entry) => entry.name === 'loupe_session')).toBeUndefined();
      // Sign back in: the other tests share this browser context and its cookie.
      await tab.fill('input[type=password]', ADMIN_KEY);
      await tab.click('button[type=submit]');
      await tab.waitForSelector('nav');
    } finally {
      await tab.close();
    }
  });
  it('shows a new project how to send its first call, then its first call without a reload', async () => {
    const key = await server.createKey('fresh', ['admin']);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const fresh = await context.newPage();
      await fresh.goto(`${base}/`);
      await fresh.fill('input[type=password]', key);
      await fresh.click('button[type=submit]');
      await fresh.waitForSelector('text=No calls in this period');
      const snippets = await fresh.$$eval('.snippet pre', (nodes) => nodes.map((node) => node.textContent ?? ''));
      expect(snippets.some((text) => text.startsWith(`curl ${base}/v1/chat/completions`))).toBe(true);
      expect(snippets.some((text) => text.includes(`OpenAI(base_url="${base}/v1"`))).toBe(true);
      await fresh.screenshot({ path: `${ARTIFACTS}/overview-empty.png`, fullPage: true });
      await server.request('POST', '/api/v1/calls', { key, body: { provider: 'openai', model: 'gpt-4o', prompt_tokens: 10, completion_tokens: 5 } });
      await fresh.waitForFunction(() => document.querySelector('.kpi-value')?.textContent === '1', undefined, { timeout: 5000 });
    } finally {
      await context.close();
    }
  });
  it('opens a session with its calls on a timeline, its conversation, and one call in full', async () => {
    await page.goto(`${base}/sessions?range=7d`);
    await page.click('table.logs tbody tr');
    await page.waitForSelector('.timeline .tick');
    await page.waitForSelector('.drawer .bubble pre');
    const ticks = await page.$$eval('.timeline .tick', (nodes) => nodes.length);
    const summary = await page.textContent('.drawer .panel p.muted');
    expect(summary).toContain(`${ticks} calls`);
    await page.click('.timeline .tick');
    await page.waitForSelector('aside[aria-label="Call detail"] .facts');
    await page.screenshot({ path: `${ARTIFACTS}/session-detail.png` });
  });
  it('lists traces as the API does and opens one as a waterfall whose rows open their call, which shows the same trace', async () => {
    const listed = ((await server.request('GET', '/api/v1/traces?hours=168&sort=cost&limit=100')).json() as { data: { trace_id: string }[] }).data;
    expect(listed.length).toBeGreaterThan(0);
    await page.goto(`${base}/traces?range=7d`);
    await page.selectOption('select[aria-label="Sort traces"]', 'cost');
    await page.waitForFunction((first) => document.querySelector('table.logs tbody tr td:nth-child(2)')?.textContent?.startsWith(first), listed[0]!.trace_id);
    expect(await page.$$eval('table.logs tbody tr', (rows) => rows.length)).toBe(listed.length);
    await page.click('table.logs tbody tr');
    const trace = (await server.request('GET', `/api/v1/traces/${encodeURIComponent(listed[0]!.trace_id)}`)).json() as { calls: number; spans: { id: string; offset_ms: number; duration_ms: number }[] };
    await page.waitForSelector('aside[aria-label="Trace"] table.waterfall tbody tr');
    expect(await page.$$eval('aside[aria-label="Trace"] table.waterfall tbody tr', (rows) => rows.length)).toBe(trace.spans.length);
    expect(await page.textContent('aside[aria-label="Trace"] p.muted')).toContain(`${trace.calls} calls`);
    // Each bar starts at its call's offset within the trace.
    const lefts = await page.$$eval('aside[aria-label="Trace"] .span', (bars) => bars.map((bar) => parseFloat((bar as HTMLElement).style.left)));
    const total = Math.max(1, ...trace.spans.map((span) => span.offset_ms + span.duration_ms));
    lefts.forEach((left, index) => expect(left).toBeCloseTo((trace.spans[index]!.offset_ms / total) * 100, 3));
    await page.screenshot({ path: `${ARTIFACTS}/trace.png` });
    await page.click('aside[aria-label="Trace"] table.waterfall tbody tr:last-child');
    await page.waitForSelector('aside[aria-label="Call detail"] .facts');
    await page.waitForSelector('aside[aria-label="Call detail"] table.waterfall tr.current');
    expect(await page.getAttribute('aside[aria-label="Call detail"] table.waterfall tr.current', 'title')).toBe(`Open call ${trace.spans[trace.spans.length - 1]!.id}`);
    await page.screenshot({ path: `${ARTIFACTS}/trace-waterfall.png` });

    // An id from an application's logs opens its trace; an unknown one says so in the panel.
    await page.goto(`${base}/traces?range=1h`);
    await page.fill('input[aria-label="Trace id"]', listed[0]!.trace_id);
    await page.click('button:text-is("Open")');
    await page.waitForSelector('aside[aria-label="Trace"] table.waterfall tbody tr');
    expect(await page.$$eval('aside[aria-label="Trace"] table.waterfall tbody tr', (rows) => rows.length)).toBe(trace.spans.length);
    await page.click('aside[aria-label="Trace"] button.close');
    await page.fill('input[aria-label="Trace id"]', 'no-such-trace');
    await page.click('button:text-is("Open")');
    await page.waitForSelector('aside[aria-label="Trace"] .error');
  });

  it('searches sessions by agent and cost as the API does, names a bad bound, and shows more on request', async () => {
    type Listed = { data: { session_id: string; conversation_name: string | null }[]; next_cursor: string | null };
    const list = async (query: string) => (await server.request('GET', `/api/v1/sessions?hours=168&sort=start&limit=100${query}`)).json() as Listed;
    const labels = (listed: Listed) => listed.data.map((session) => session.conversation_name ?? session.session_id);
    const shown = () => page.$$eval('table.logs tbody tr td:nth-child(2)', (cells) => cells.map((cell) => cell.firstChild?.textContent ?? ''));
    const all = await list('');
    await page.goto(`${base}/sessions?range=7d`);
    await page.waitForSelector('table.logs tbody tr');
    expect(await shown()).toEqual(labels(all));
    // The demo holds more than a page of sessions.
    expect(all.next_cursor).not.toBeNull();
    const second = await list(`&cursor=${encodeURIComponent(all.next_cursor!)}`);
    await page.click('button:text-is("Show more sessions")');
    await page.waitForFunction((n) => document.querySelectorAll('table.logs tbody tr').length === n, all.data.length + second.data.length);
    expect(await shown()).toEqual([...labels(all), ...labels(second)]);
    const agent = ((await server.request('GET', '/api/v1/analytics/agents?hours=168')).json() as { agents: { agent: string }[] }).agents[0]!.agent;
    const byAgent = await list(`&agent=${encodeURIComponent(agent)}&min_cost=0.001`);
    expect(byAgent.data.length).toBeGreaterThan(0);
    await page.fill('input[aria-label="Agent"]', agent);
    await page.fill('input[aria-label="Min cost ($)"]', '0.001');
    await page.waitForFunction(({ first, n }) => document.querySelector('table.logs tbody tr td:nth-child(2)')?.firstChild?.textContent === first && document.querySelectorAll('table.logs tbody tr').length === n, { first: labels(byAgent)[0], n: byAgent.data.length });
    expect(await shown()).toEqual(labels(byAgent));
    await page.screenshot({ path: `${ARTIFACTS}/sessions-search.png` });
    await page.fill('input[aria-label="Max cost ($)"]', '0.0001');
    const problem = await page.waitForSelector('.panel .error');
    expect(await problem.textContent()).toContain('max_cost');
  });
  it('sorts sessions by calls and by tokens as the API does', async () => {
    await page.goto(`${base}/sessions?range=7d`);
    await page.waitForSelector('table.logs tbody tr');
    for (const sort of ['calls', 'tokens']) {
      const first = ((await server.request('GET', `/api/v1/sessions?hours=168&sort=${sort}&limit=5`)).json() as { data: { session_id: string; conversation_name: string | null; total_calls: number; total_tokens: number }[] }).data;
      await page.selectOption('select[aria-label="Sort sessions"]', sort);
      await page.waitForFunction((labels) => JSON.stringify([...document.querySelectorAll('table.logs tbody tr td:nth-child(2)')].slice(0, labels.length).map((cell) => cell.firstChild?.textContent ?? '')) === JSON.stringify(labels), first.map((row) => row.conversation_name ?? row.session_id));
      const column = sort === 'calls' ? 4 : 6;
      expect(await page.textContent(`table.logs tbody tr:first-child td:nth-child(${column})`)).toBe((sort === 'calls' ? first[0]!.total_calls : first[0]!.total_tokens).toLocaleString('en'));
    }
  });
  it('shows agents and users with their figures as the API does, and a row narrows the sessions to it', async () => {
    const agents = ((await server.request('GET', '/api/v1/analytics/agents?hours=168')).json() as { agents: { agent: string | null; requests: number; sessions: number }[] }).agents.slice(0, 10);
    expect(agents.length).toBeGreaterThan(1);
    await page.goto(`${base}/sessions?range=7d`);
    await page.waitForSelector('table.agents tbody tr');
    expect(await page.$$eval('table.agents tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].slice(0, 3).map((cell) => cell.textContent))))
      .toEqual(agents.map((row) => [row.agent ?? '(none)', row.requests.toLocaleString('en'), row.sessions.toLocaleString('en')]));
    const pick = agents.findIndex((row) => row.agent !== null);
    const agent = agents[pick]!.agent!;
    const expected = ((await server.request('GET', `/api/v1/sessions?hours=168&sort=start&limit=100&agent=${encodeURIComponent(agent)}`)).json() as { data: { session_id: string; conversation_name: string | null }[] })
      .data.map((session) => session.conversation_name ?? session.session_id);
    const unfiltered = await page.$$eval('table.logs tbody tr td:nth-child(2)', (cells) => cells.map((cell) => cell.firstChild?.textContent ?? ''));
    expect(unfiltered).not.toEqual(expected);
    await page.click(`table.agents tbody tr:nth-child(${pick + 1})`);
    expect(await page.inputValue('input[aria-label="Agent"]')).toBe(agent);
    await page.waitForFunction((labels) => JSON.stringify([...document.querySelectorAll('table.logs tbody tr td:nth-child(2)')].map((cell) => cell.firstChild?.textContent ?? '')) === JSON.stringify(labels), expected);
    await page.waitForSelector('table.users tbody tr');
  });
  it('lists the outcomes of a session and of its calls in the session, as the API does', async () => {
    const sessions = (await server.request('GET', '/api/v1/sessions?hours=168&sort=start&limit=100')).json().data as { session_id: string }[];
    const counts = await Promise.all(sessions.map(async (session) =>
      ((await server.request('GET', `/api/v1/outcomes?session_id=${encodeURIComponent(session.session_id)}&limit=100`)).json() as { total: number }).total));
    const withOutcomes = counts.findIndex((count) => count > 0);
    const without = counts.findIndex((count) => count === 0);
    expect(withOutcomes).toBeGreaterThanOrEqual(0);
    expect(without).toBeGreaterThanOrEqual(0);
    await page.goto(`${base}/sessions?range=7d`);
    await page.click(`table.logs tbody tr:nth-child(${withOutcomes + 1})`);
    await page.waitForSelector('.drawer table.outcomes tbody tr');
    expect(await page.$$eval('.drawer table.outcomes tbody tr', (rows) => rows.length)).toBe(counts[withOutcomes]);
    await page.screenshot({ path: `${ARTIFACTS}/session-outcomes.png` });
    await page.click('.drawer .close');
    await page.click(`table.logs tbody tr:nth-child(${without + 1})`);
    await page.waitForSelector('.drawer .panel:has-text("No outcome recorded")');
  });
  it('opens the outcomes a model decided from its row, as many as the API lists for the range', async () => {
    const models = (await server.request('GET', '/api/v1/analytics/outcomes/model-performance?hours=168')).json().data as { model: string; outcomes: number }[];
    const row = models.findIndex((item) => item.outcomes > 0);
    expect(row).toBeGreaterThanOrEqual(0);
    const model = models[row]!.model;
    const listed = (await server.request('GET', `/api/v1/outcomes?model=${encodeURIComponent(model)}&call_hours=168&limit=100`)).json() as { data: unknown[]; total: number };
    // Over the same calls, the list holds every outcome the model's row counts.
    expect(listed.total).toBe(models[row]!.outcomes);
    await page.goto(`${base}/outcomes?range=7d`);
    await page.click(`table.pick tbody tr:nth-child(${row + 1})`);
    await page.waitForSelector(`aside[aria-label="Outcomes"] h2:text-is("Outcomes decided by ${model}")`);
    await page.waitForSelector('aside[aria-label="Outcomes"] table.outcomes tbody tr');
    expect(await page.$$eval('aside[aria-label="Outcomes"] table.outcomes tbody tr', (rows) => rows.length)).toBe(listed.data.length);
    if (listed.total > listed.data.length) expect(await page.textContent('aside[aria-label="Outcomes"] p.small')).toContain(`of ${listed.total.toLocaleString('en')}`);
    await page.screenshot({ path: `${ARTIFACTS}/model-outcomes.png` });
    // An outcome's call opens in full, with the outcomes recorded on it.
    const first = listed.data[0] as { target: string; target_type: string };
    expect(first.target_type).toBe('call');
    const onCall = (await server.request('GET', `/api/v1/outcomes?target=${encodeURIComponent(first.target)}&target_type=call`)).json() as { total: number };
    await page.click('aside[aria-label="Outcomes"] table.outcomes tbody tr:first-child button:text-is("call")');
    await page.waitForSelector('aside[aria-label="Call detail"] .panel:has(h2:text-is("Outcomes of this call")) table.outcomes tbody tr');
    expect(await page.locator('aside[aria-label="Call detail"] .panel:has(h2:text-is("Outcomes of this call")) table.outcomes tbody tr').count()).toBe(onCall.total);
  });
  it('closes an open outcome from the outcomes page with its value and lesson', async () => {
    const open = (await server.request('GET', '/api/v1/outcomes?status=open&limit=10')).json() as { data: { id: string }[]; total: number };
    expect(open.total).toBeGreaterThan(0);
    await page.goto(`${base}/outcomes?range=7d`);
    const panel = '.panel:has(h2:text-is("Open outcomes"))';
    await page.waitForSelector(`${panel} table.outcomes tbody tr`);
    expect(await page.$$eval(`${panel} table.outcomes tbody tr`, (rows) => rows.length)).toBe(open.data.length);
    await page.click(`${panel} table.outcomes tbody tr:first-child button:text-is("close")`);
    await page.selectOption(`${panel} select[aria-label="Outcome status"]`, 'loss');
    await page.fill(`${panel} input[aria-label="Outcome value"]`, '-12.5');
    await page.fill(`${panel} input[aria-label="Lesson"]`, 'Sized the position before the earnings date');
    await page.click(`${panel} button:text-is("Close outcome")`);
    // The list is asked again once the outcome is closed: one fewer open.
    if (open.total - 1 > 10) await page.waitForSelector(`${panel} p.small:text-is("The latest 10 of ${(open.total - 1).toLocaleString('en')}.")`);
    else await expect.poll(() => page.locator(`${panel} table.outcomes tbody tr`).count(), { timeout: 5000 }).toBe(open.total - 1);
    const closed = (await server.request('GET', `/api/v1/outcomes/${encodeURIComponent(open.data[0]!.id)}`)).json() as Record<string, unknown>;
    expect(closed).toMatchObject({ status: 'loss', value: -12.5, lesson: 'Sized the position before the earnings date' });
    expect(closed.closed_at).not.toBeNull();
    expect(((await server.request('GET', '/api/v1/outcomes?status=open&limit=1')).json() as { total: number }).total).toBe(open.total - 1);
  });
  it('opens the decided outcomes behind a heatmap cell, as many as the cell counts', async () => {
    const heat = (await server.request('GET', '/api/v1/analytics/heatmap?hours=168&rows=property.symbol&cols=model&metric=win_rate')).json() as { rows: string[]; cols: string[]; data: (number | null)[][]; counts: number[][] };
    const i = heat.rows.findIndex((row, at) => row !== '(none)' && heat.data[at]!.some((value) => value !== null));
    expect(i).toBeGreaterThanOrEqual(0);
    const j = heat.data[i]!.findIndex((value, at) => value !== null && heat.cols[at] !== '(none)');
    const [symbol, model] = [heat.rows[i]!, heat.cols[j]!];
    const listed = (await server.request('GET', `/api/v1/outcomes?property.symbol=${encodeURIComponent(symbol)}&model=${encodeURIComponent(model)}&status=win,loss&call_hours=168&limit=100`)).json() as { data: { status: string }[]; total: number };
    expect(listed.total).toBe(heat.counts[i]![j]);
    expect(listed.data.filter((item) => item.status === 'win').length / listed.data.length).toBeCloseTo(heat.data[i]![j]!, 9);
    await page.goto(`${base}/outcomes?range=7d`);
    await page.click(`table.heat tbody tr:nth-child(${i + 1}) td:nth-child(${j + 2})`);
    await page.waitForSelector(`aside[aria-label="Outcomes"] h2:text-is("Decided outcomes: ${symbol} × ${model}")`);
    await page.waitForSelector('aside[aria-label="Outcomes"] table.outcomes tbody tr');
    expect(await page.$$eval('aside[aria-label="Outcomes"] table.outcomes tbody tr', (rows) => rows.length)).toBe(listed.data.length);
  });
  it('states what changed against the previous period, with its numbers, as the API does', async () => {
    // A project of its own with a known change: 40 calls a day, none failed yesterday, 10 today.
    const key = await server.createKey('changes', ['admin']);
    const now = Date.now();
    const body = Array.from({ length: 80 }, (_, i) => ({
      provider: 'openai', model: 'gpt-4o', prompt_tokens: 100, completion_tokens: 20, latency_ms: 400,
      started_at: new Date(now - (i < 40 ? 30 : 2) * 3_600_000 + i * 60_000).toISOString(),
      status: i >= 40 && i < 50 ? 'error' : 'success',
    }));
    expect((await server.request('POST', '/api/v1/calls', { key, body })).statusCode).toBe(200);
    const answer = (await server.request('GET', '/api/v1/analytics/trends?hours=24', { key })).json() as { insights: { metric: string; text: string }[] };
    expect(answer.insights.map((insight) => insight.metric)).toContain('error_rate');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const tab = await context.newPage();
      await tab.goto(`${base}/?range=24h`);
      await tab.fill('input[type=password]', key);
      await tab.click('button[type=submit]');
      await tab.waitForSelector('ul.insights li');
      expect(await tab.$$eval('ul.insights li', (items) => items.map((item) => item.textContent))).toEqual(answer.insights.map((insight) => insight.text));
      expect(await tab.$$eval('ul.insights li.worse', (items) => items.map((item) => item.textContent))).toContain('Error rate rose from 0.0% to 25.0%');
    } finally {
      await context.close();
    }
  });
  it('adds a provider from the page, names a refused base URL, changes its settings, and removes it', async () => {
    await page.goto(`${base}/providers?range=7d`);
    await page.waitForSelector('form.add-provider');
    await page.fill('input[aria-label="Provider name"]', 'cloudy');
    await page.fill('input[aria-label="Base URL"]', 'http://169.254.169.254/v1');
    await page.click('button:text-is("Add provider")');
    expect(await (await page.waitForSelector('form.add-provider + p.error')).textContent()).toContain('base_url');
    expect((await server.request('GET', '/api/v1/providers/cloudy')).statusCode).toBe(404);
    // An Azure resource needs its address, and names its deployments as the models.
    await page.selectOption('select[aria-label="Provider type"]', 'azure');
    expect(await page.getAttribute('input[aria-label="Base URL"]', 'placeholder')).toBe('https://<resource>.openai.azure.com');
    expect(await page.getAttribute('input[aria-label="Base URL"]', 'required')).not.toBeNull();
    expect(await page.getAttribute('input[aria-label="Models (comma-separated)"]', 'placeholder')).toBe('Deployments (comma-separated)');
    await page.fill('input[aria-label="Provider name"]', 'bench-vllm');
    await page.selectOption('select[aria-label="Provider type"]', 'vllm');
    await page.fill('input[aria-label="Base URL"]', upstream.baseUrl);
    await page.fill('input[aria-label="API key"]', 'sk-typed-in-the-page');
    await page.fill('input[aria-label="Models (comma-separated)"]', 'qwen, llama');
    await page.click('button:text-is("Add provider")');
    await page.waitForSelector('tr:has-text("bench-vllm") >> text=remove');
    const stored = (await server.request('GET', '/api/v1/providers/bench-vllm')).json() as Record<string, unknown>;
    expect(stored).toMatchObject({ type: 'vllm', source: 'api', has_api_key: true, models: ['qwen', 'llama'], base_url: upstream.baseUrl });
    expect(JSON.stringify(stored)).not.toContain('sk-typed-in-the-page');
    expect(await page.inputValue('input[aria-label="Provider name"]')).toBe('');
    // Change its seed 004 fields; a refused value is named.
    await page.click('tr:has-text("bench-vllm") button:text-is("edit")');
    await page.fill('input[aria-label="Priority (lower first) of bench-vllm"]', '3');
    await page.fill('input[aria-label="Failures to open the breaker of bench-vllm"]', '0');
    await page.click('button:text-is("Save provider")');
    expect(await (await page.waitForSelector('form.edit-provider p.error')).textContent()).toContain('circuit_breaker_threshold');
    await page.fill('input[aria-label="Failures to open the breaker of bench-vllm"]', '7');
    await page.fill('input[aria-label="Models of bench-vllm"]', 'qwen');
    await page.check('form.edit-provider label:has-text("their own key") input');
    await page.click('button:text-is("Save provider")');
    await page.waitForSelector('tr:has-text("bench-vllm") >> text=priority 3 · takes callers\' keys');
    expect((await server.request('GET', '/api/v1/providers/bench-vllm')).json()).toMatchObject({ priority: 3, circuit_breaker_threshold: 7, models: ['qwen'], has_api_key: true, allow_client_key: true });
    await page.click('tr:has-text("bench-vllm") button:text-is("remove")');
    await page.waitForFunction(() => ![...document.querySelectorAll('tr')].some((row) => row.textContent?.includes('bench-vllm')));
    expect((await server.request('GET', '/api/v1/providers/bench-vllm')).statusCode).toBe(404);
  });
  it('shows the model routes with their targets, state and speed as the API does', async () => {
    const asked = await server.request('POST', '/v1/chat/completions', { body: { model: 'house-model', messages: [{ role: 'user', content: 'hello' }] } });
    expect(asked.statusCode, asked.body).toBe(200);
    const answer = (await server.request('GET', '/api/v1/routes')).json() as { routes: { name: string; targets: { provider: string; model: string; provider_enabled: boolean; circuit_state: string; latency_ms: number | null }[] }[] };
    const ms = (value: number | null) => (value === null ? '—' : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`);
    await page.goto(`${base}/providers?range=7d`);
    await page.waitForSelector('table.routes tbody tr');
    const rows = await page.$$eval('table.routes tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')));
    const [first, second] = answer.routes[0]!.targets;
    expect(rows).toEqual([
      ['house-model', 'in order', 'openai/gpt-4o-mini', first!.circuit_state, ms(first!.latency_ms), '—'],
      ['lab/lab-model', second!.provider_enabled ? second!.circuit_state : 'disabled', ms(second!.latency_ms), '—'],
    ]);
    expect(first!.latency_ms).not.toBeNull();
  });
  it('shows latency and time to first token percentiles and the latency distribution as the API does', async () => {
    const answer = (await server.request('GET', '/api/v1/analytics/performance?hours=168')).json() as { summary: Record<string, number>; latency_histogram: { count: number }[] };
    const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`);
    await page.goto(`${base}/providers?range=7d`);
    await page.waitForSelector('table.performance tbody tr');
    const rows = await page.$$eval('table.performance tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((cell) => cell.textContent)));
    expect(rows[0]).toEqual(['Latency', ms(answer.summary.p50_latency!), ms(answer.summary.p95_latency!), ms(answer.summary.p99_latency!), ms(answer.summary.avg_latency!)]);
    expect(rows[1]).toEqual(['Time to first token', ms(answer.summary.p50_ttft!), ms(answer.summary.p95_ttft!), '—', ms(answer.summary.avg_ttft!)]);
    // Calls recorded without a latency are in the requests, not in the distribution.
    const distributed = answer.latency_histogram.reduce((total, bucket) => total + bucket.count, 0);
    expect(distributed).toBeGreaterThan(0.99 * answer.summary.requests!);
    expect(distributed).toBeLessThanOrEqual(answer.summary.requests!);
    await page.waitForSelector('.panel:has(h2:text-is("Latency distribution (calls)")) canvas');
  });
  it('lists the errors of the period by type and by message as the API does', async () => {
    const answer = (await server.request('GET', '/api/v1/analytics/errors?hours=168')).json() as { by_type: { error_type: string | null; count: number }[]; top_messages: { message: string; count: number }[] };
    expect(answer.by_type.length).toBeGreaterThan(0);
    expect(answer.top_messages.length).toBeGreaterThan(0);
    await page.goto(`${base}/providers?range=7d`);
    await page.waitForSelector('table.error-messages tbody tr');
    const cells = (selector: string) => page.$$eval(`${selector} tbody tr`, (rows) => rows.map((row) => [...row.querySelectorAll('td')].slice(0, 2).map((cell) => cell.textContent)));
    expect(await cells('table.error-types')).toEqual(answer.by_type.map((row) => [row.error_type ?? '(none)', row.count.toLocaleString('en')]));
    expect(await cells('table.error-messages')).toEqual(answer.top_messages.map((row) => [row.message, row.count.toLocaleString('en')]));
  });
  it('estimates a call before it is made as the API does, unpriced when no price is known, and names a bad field', async () => {
    const prompt = 'Summarize the quarterly report in three bullet points, with the risks first.';
    const answer = (await server.request('POST', '/api/v1/estimate', { body: { provider: 'openai', model: 'gpt-4o-mini', prompt, max_tokens: 300 } })).json() as { estimated_cost_usd: number; prompt_tokens: number };
    expect(answer.prompt_tokens).toBeGreaterThan(10);
    await page.goto(`${base}/costs?range=7d`);
    await page.fill('textarea[aria-label="Prompt"]', prompt);
    await page.fill('input[aria-label="Max output tokens"]', '300');
    await page.click('button:text-is("Estimate")');
    const shown = await page.waitForSelector('p.estimate');
    const usd = (value: number) => `$${value < 1 ? value.toFixed(4) : value.toFixed(2)}`;
    expect(await page.textContent('p.estimate strong')).toBe(usd(answer.estimated_cost_usd));
    expect(await shown.textContent()).toContain(`for ${answer.prompt_tokens} prompt tokens (o200k_base) and up to 300 output tokens`);
    await page.fill('input[aria-label="Model to estimate"]', 'house-model-without-price');
    await page.click('button:text-is("Estimate")');
    await page.waitForSelector('p.estimate strong:text-is("unpriced")');
    await page.fill('input[aria-label="Max output tokens"]', '-5');
    await page.click('button:text-is("Estimate")');
    expect(await (await page.waitForSelector('.panel:has(h2:text-is("Estimate a call")) p.error')).textContent()).toContain('max_tokens');
  });
  it('edits the research configuration as JSON, naming a refused field and text that is not JSON', async () => {
    const before = (await server.request('GET', '/api/v1/research-config')).json() as { config: Record<string, unknown>; is_default: boolean };
    await page.goto(`${base}/settings`);
    const box = 'textarea[aria-label="Research configuration (JSON)"]';
    await page.waitForSelector(box);
    expect(JSON.parse(await page.inputValue(box))).toEqual(before.config);
    await page.fill(box, JSON.stringify({ ...before.config, lookback_days: -3 }));
    await page.click('button:text-is("Save configuration")');
    expect(await (await page.waitForSelector('.panel:has(h2:text-is("Research configuration")) p.error')).textContent()).toContain('lookback_days');
    await page.fill(box, '{ "lookback_days": ');
    await page.click('button:text-is("Save configuration")');
    await page.waitForSelector('.panel:has(h2:text-is("Research configuration")) p.error:has-text("not JSON")');
    await page.fill(box, JSON.stringify({ ...before.config, lookback_days: 14 }, null, 2));
    await page.click('button:text-is("Save configuration")');
    // "(not saved yet)" holds the word too: wait for the saved state itself.
    await page.waitForSelector('.panel:has(h2:text-is("Research configuration")) p.muted:has-text("(seed 000): saved")');
    const after = (await server.request('GET', '/api/v1/research-config')).json() as { config: Record<string, unknown>; is_default: boolean };
    expect(after).toMatchObject({ is_default: false, config: { ...before.config, lookback_days: 14 } });
  });
  it('opens rows from the keyboard: Tab to a row, Enter opens it', async () => {
    await page.goto(`${base}/sessions?range=7d`);
    await page.waitForSelector('table.logs tbody tr');
    await page.focus('table.logs tbody tr:first-child');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.drawer .panel:has(h2:text-is("Session"))');
    await page.goto(`${base}/logs?range=7d`);
    await page.waitForSelector('table.logs tbody tr:not([aria-hidden])');
    await page.focus('table.logs tbody tr:not([aria-hidden])');
    await page.keyboard.press('Enter');
    await page.waitForSelector('aside[aria-label="Call detail"] .facts');
    await page.goto(`${base}/outcomes?range=7d`);
    await page.waitForSelector('table.heat tbody td.pick');
    await page.focus('table.heat tbody td.pick');
    await page.keyboard.press(' ');
    await page.waitForSelector('aside[aria-label="Outcomes"] h2:has-text("Decided outcomes:")');
  });
  it('breaks the costs down by user as the API does', async () => {
    await page.goto(`${base}/costs?range=7d`);
    await page.selectOption('select[aria-label="Break down by"]', 'user');
    const top = (await server.request('GET', '/api/v1/analytics/cost-breakdown?hours=168&by=user')).json().rows[0] as { user: string; cost: number };
    await page.waitForSelector(`.panel:has(select[aria-label="Break down by"]) tbody tr:first-child td:first-child:text-is("${top.user}")`);
    const cost = await page.textContent('.panel:has(select[aria-label="Break down by"]) tbody tr:first-child td:nth-child(2)');
    expect(cost).toBe(`$${top.cost < 1 ? top.cost.toFixed(4) : top.cost.toFixed(2)}`);
  });
  it('breaks the costs down by reasoning effort, rows that open no logs filter', async () => {
    await page.goto(`${base}/costs?range=7d`);
    await page.selectOption('select[aria-label="Break down by"]', 'reasoning_effort');
    const rows = (await server.request('GET', '/api/v1/analytics/cost-breakdown?hours=168&by=reasoning_effort')).json().rows as { reasoning_effort: string | null }[];
    expect(rows.length).toBeGreaterThan(0);
    const names = rows.slice(0, 15).map((row) => row.reasoning_effort ?? '(none)');
    await page.waitForFunction((expected) => [...document.querySelectorAll('.panel:has(select[aria-label="Break down by"]) tbody tr td:first-child')].map((cell) => cell.textContent).join('|') === expected.join('|'), names);
    expect(await page.textContent('.panel:has(select[aria-label="Break down by"]) thead th:first-child')).toBe('reasoning effort');
    expect(await page.$$eval('.panel:has(select[aria-label="Break down by"]) tbody tr[title]', (found) => found.length)).toBe(0);
  });
  it('breaks the costs down by API key, each named after its key', async () => {
    // A call recorded through the API carries the key that sent it.
    // Three days old and of a model no other test looks for, so that the lists of later tests keep their first rows.
    const appKey = await server.createKey('default', ['ingest']);
    const recorded = await server.request('POST', '/api/v1/calls', { key: appKey, body: { provider: 'openai', model: 'gpt-4.1-mini', prompt_tokens: 1000, completion_tokens: 100, started_at: new Date(Date.now() - 3 * 86_400_000).toISOString() } });
    expect(recorded.statusCode, recorded.body).toBe(201);
    await server.recorder.settled();
    await page.goto(`${base}/costs?range=7d`);
    await page.selectOption('select[aria-label="Break down by"]', 'api_key');
    const rows = (await server.request('GET', '/api/v1/analytics/cost-breakdown?hours=168&by=api_key')).json().rows as { api_key: string | null; key_name: string | null; key_prefix: string | null; cost: number }[];
    const ofApp = ((await server.request('GET', `/api/v1/logs/${(recorded.json() as { id: string }).id}`)).json() as { api_key_id: string }).api_key_id;
    const named = rows.find((row) => row.api_key === ofApp)!;
    expect(named.key_name).not.toBeNull();
    const position = rows.indexOf(named) + 1;
    await page.waitForSelector(`.panel:has(select[aria-label="Break down by"]) tbody tr:nth-child(${position}) td:first-child:text-is("${named.key_name} (${named.key_prefix}…)")`);
    expect(await page.textContent('.panel:has(select[aria-label="Break down by"]) thead th:first-child')).toBe('API key');
    // The row opens the key's calls in the logs.
    await page.click(`.panel:has(select[aria-label="Break down by"]) tbody tr:nth-child(${position})`);
    await page.waitForSelector('button[aria-label="Show the calls of every key"]');
    expect(new URL(page.url()).searchParams.get('api_key_id')).toBe(named.api_key);
    // Its one call, and no other.
    await page.waitForFunction(() => document.querySelectorAll('table.logs tbody tr:not([aria-hidden])').length === 1);
    expect(await page.textContent('table.logs tbody tr:not([aria-hidden])')).toContain('gpt-4.1-mini');
    // Settings shows what the key's calls cost over the last 30 days.
    await page.goto(`${base}/settings`);
    const keyRow = page.locator('tr', { has: page.locator('td:first-child', { hasText: new RegExp(`^${named.key_name}$`) }) });
    await keyRow.locator('td:nth-child(5)', { hasText: '$' }).waitFor();
    expect(await keyRow.locator('td:nth-child(5)').textContent()).toBe(`$${named.cost < 1 ? named.cost.toFixed(4) : named.cost.toFixed(2)}`);
  });
  it('tells which view this server lacks when a route answers 404, and keeps the other panels', async () => {
    const tab = await page.context().newPage();
    try {
      // A server without the providers analytics: the request goes to a path the real server lacks.
      await tab.route('**/api/v1/analytics/providers?*', (route) => route.continue({ url: `${base}/api/v1/analytics/not-built-yet` }));
      await tab.goto(`${base}/?range=7d`);
      const notice = await tab.waitForSelector('.panel:has(h2:text-is("Top providers")) .unavailable');
      expect(await notice.textContent()).toContain('/api/v1/analytics/providers answered 404');
      expect(Number((await tab.textContent('.kpi-value'))?.replace(/,/g, ''))).toBeGreaterThan(0);
      await tab.waitForSelector('.panel:has(h2:text-is("Top models")) tbody tr');
    } finally {
      await tab.close();
    }
  });
  it('lists the newest failed calls on the overview, each opening the call', async () => {
    await server.request('POST', '/api/v1/calls', { body: { id: 'failed-newest', provider: 'openai', model: 'error-model', status: 'error', http_status: 429, error_type: 'rate_limit', error_message: 'quota exhausted for error-model' } });
    const newest = (await server.request('GET', '/api/v1/logs?hours=24&status=error,timeout&limit=8')).json().data as { id: string; model: string }[];
    expect(newest[0]?.id).toBe('failed-newest');
    await page.goto(`${base}/?range=24h`);
    await page.waitForSelector('table.recent-errors tbody tr');
    const models = await page.$$eval('table.recent-errors tbody tr td:nth-child(2)', (cells) => cells.map((cell) => cell.firstChild?.textContent));
    expect(models).toEqual(newest.map((call) => call.model));
    expect(await page.textContent('table.recent-errors tbody tr:first-child td:nth-child(3)')).toBe('error · 429');
    expect(await page.textContent('table.recent-errors tbody tr:first-child td:nth-child(4)')).toBe('rate_limit: quota exhausted for error-model');
    await page.click('table.recent-errors tbody tr:first-child');
    await page.waitForSelector('aside[aria-label="Call detail"] p.error:text-is("quota exhausted for error-model")');
  });
  it('shows a provider breaker opened by a failure, and tests the connection from the page', async () => {
    upstream.respondWith({ kind: 'json', status: 500, body: '{"error":{"message":"upstream exploded","type":"server_error"}}' });
    const failed = await server.request('POST', '/v1/chat/completions', { body: { model: 'lab/lab-model', messages: [{ role: 'user', content: 'hi' }] } });
    expect(failed.statusCode).toBeGreaterThanOrEqual(500);
    expect((await server.request('GET', '/api/v1/providers/lab')).json().health.circuit_state).toBe('open');
    await page.goto(`${base}/providers?range=24h`);
    const row = page.locator('tbody tr', { hasText: 'Lab upstream' });
    expect(await row.locator('td.circuit').textContent()).toBe('open');
    upstream.respondWith({ kind: 'json', body: '{"object":"list","data":[{"id":"lab-model","object":"model"},{"id":"lab-large","object":"model"}]}' });
    await row.locator('button', { hasText: 'Test' }).click();
    await row.locator('.connection-test', { hasText: 'reachable' }).waitFor();
    expect(await row.locator('.connection-test').textContent()).toMatch(/^reachable in [\d.]+ ms, 2 models$/);
    expect(upstream.requests.at(-1)?.path).toBe('/v1/models');
    upstream.respondWith({ kind: 'json', status: 503, body: '{}' });
    await row.locator('button', { hasText: 'Test' }).click();
    await row.locator('.connection-test', { hasText: 'HTTP 503' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/providers-health.png`, fullPage: true });
  });
  it('shows every panel loading while the KPIs are asked for, then fills them', async () => {
    const tab = await page.context().newPage();
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    try {
      await tab.route('**/api/v1/analytics/overview?*', async (route) => {
        await held;
        await route.continue();
      });
      await tab.goto(`${base}/?range=7d`);
      await tab.waitForSelector('.panel:has(h2:has-text("This period")) p.muted:text-is("Loading…")');
      const loading = await tab.$$eval('.panel', (panels) => panels.filter((panel) => panel.querySelector(':scope > p.muted')?.textContent === 'Loading…').length);
      expect(loading).toBe(await tab.$$eval('.panel', (panels) => panels.length));
      expect(loading).toBe(8);
      release();
      await tab.waitForSelector('.kpi-value');
      // The panels after the KPIs answer in any order; each must leave its loading state.
      await tab.waitForFunction(() => [...document.querySelectorAll('main p.muted')].every((node) => node.textContent !== 'Loading…'));
      await tab.waitForFunction(() => document.querySelectorAll('.grid3 canvas').length === 3);
      expect(await tab.$$eval('.grid2 table', (tables) => tables.map((table) => table.querySelectorAll('tbody tr').length > 0))).toEqual([true, true]);
      expect(await tab.$$eval('table.recent-errors tbody tr', (rows) => rows.length)).toBeGreaterThan(0);
    } finally {
      release();
      await tab.close();
    }
  });
  it('replays a call from its drawer on another model, shown beside the original and recorded as a replay of it', async () => {
    await page.goto(`${base}/logs?range=7d&model=gpt-4o`);
    await page.waitForSelector('table.logs tbody tr');
    await page.click('table.logs tbody tr:has(td:text-is("success"))');
    const replayPanel = page.locator('aside[aria-label="Call detail"] .panel:has(h2:text-is("Replay"))');
    await replayPanel.locator('select[aria-label="Replay on model"]').waitFor();
    const callId = (await page.textContent('aside[aria-label="Call detail"] .facts div:has(dt:text-is("Id")) dd'))!;
    const original = (await server.request('GET', `/api/v1/logs/${callId}`)).json() as { model: string; input: unknown };
    expect(await replayPanel.locator('select[aria-label="Replay on model"]').inputValue()).toBe(`openai/${original.model}`);
    await replayPanel.locator('select[aria-label="Replay on model"]').selectOption('openai/gpt-4o-mini');
    await replayPanel.locator('input[aria-label="Replay temperature"]').fill('0.2');
    await replayPanel.locator('select[aria-label="Replay reasoning effort"]').selectOption('high');
    // Answered as gpt-4o-mini's snapshot, the model the call is priced as.
    openaiUpstream.enqueue({ kind: 'json', body: fixture('openai/chat.json').replace('"gpt-4o-2024-08-06"', '"gpt-4o-mini-2024-07-18"') });
    await replayPanel.locator('button:text-is("Replay")').click();
    await replayPanel.locator('.replay-result .bubble pre').waitFor();
    const sent = JSON.parse(openaiUpstream.requests.at(-1)!.body) as Record<string, unknown>;
    expect([sent.model, sent.temperature, sent.reasoning_effort, sent.messages]).toEqual(['gpt-4o-mini', 0.2, 'high', original.input]);
    expect(await replayPanel.locator('.replay-result .bubble pre').textContent()).toBe('The image shows a wooden boardwalk path running through a lush green field or meadow.');
    await server.recorder.settled();
    const replays = (await server.request('GET', `/api/v1/logs?hours=1&property.replay_of=${callId}`)).json().data as { id: string; cost_usd: number; tags: string[] }[];
    expect(replays.length).toBe(1);
    // The cost shown is the one recorded: gpt-4o-mini on the fixture's usage.
    expect(await replayPanel.locator('.replay-result p').textContent()).toContain(`$${replays[0]!.cost_usd.toFixed(4)}`);
    expect(replays[0]!.cost_usd).toBeCloseTo(600 * 0.15e-6 + 400 * 0.075e-6 + 200 * 0.6e-6, 12);
    await page.screenshot({ path: `${ARTIFACTS}/call-replay.png` });
  });
  it('compares a prompt on two models, names the cheapest, and shows the comparison again from the history', async () => {
    await page.goto(`${base}/compare`);
    await page.waitForSelector('form.compare-form fieldset label');
    await page.fill('textarea[aria-label="Prompt"]', 'What is the capital of France?');
    await page.fill('input[aria-label="Comparison name"]', 'four-o against mini');
    await page.check('label:has-text("openai/gpt-4o-mini") input');
    expect(await page.isDisabled('button:text-is("Compare")')).toBe(true);
    await page.check('label:text-is("openai/gpt-4o") input');
    await page.selectOption('select[aria-label="Reasoning effort"]', 'low');
    await page.click('button:text-is("Compare")');
    await page.waitForSelector('table.comparison tbody tr:nth-child(2)');
    const listed = (await server.request('GET', '/api/v1/replay/comparisons?limit=1')).json().comparisons[0] as {
      name: string; results: { cost_usd: number; target: { reasoning_effort: string | null }; usage: { reasoning_tokens: number } }[]; summary: { cheapest: { model: string } };
    };
    expect([listed.name, listed.summary.cheapest.model]).toEqual(['four-o against mini', 'gpt-4o-mini']);
    expect(listed.results.map((result) => result.target.reasoning_effort)).toEqual(['low', 'low']);
    const rows = await page.$$eval('table.comparison tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows.map((cells) => cells[4])).toEqual(listed.results.map((result) => `$${result.cost_usd.toFixed(4)}`));
    expect(rows.find((cells) => cells[0]!.startsWith('openai/gpt-4o-mini'))![0]).toContain('cheapest');
    expect(rows.map((cells) => cells[0]!.includes('· low effort'))).toEqual([true, true]);
    expect(rows.map((cells) => cells[3]!.endsWith(`(${listed.results[0]!.usage.reasoning_tokens})`))).toEqual([true, true]);
    await page.screenshot({ path: `${ARTIFACTS}/compare.png`, fullPage: true });
    await page.click('table.comparisons tbody tr:first-child');
    await page.waitForSelector('.panel:has(h2:text-is("four-o against mini")) .bubble.user');
    expect(await page.textContent('.panel:has(h2:text-is("four-o against mini")) .bubble.user pre')).toBe('What is the capital of France?');
  });
  it('offers a route for a comparison, and shows the model of the route that answered', async () => {
    await page.goto(`${base}/compare`);
    await page.waitForSelector('form.compare-form fieldset label:text-is("house-model (route)")');
    await page.fill('textarea[aria-label="Prompt"]', 'Which route?');
    await page.check('label:text-is("house-model (route)") input');
    await page.check('label:text-is("openai/gpt-4o") input');
    await page.click('button:text-is("Compare")');
    await page.waitForSelector('table.comparison tbody tr:nth-child(2)');
    const sent = ((await server.request('GET', '/api/v1/replay/comparisons?limit=1')).json().comparisons[0] as { results: { target: { provider: string | null; model: string }; provider: string; model: string }[] }).results;
    expect(sent.map((result) => [result.target.provider, result.target.model])).toEqual([[null, 'house-model'], ['openai', 'gpt-4o']]);
    const first = await page.textContent('table.comparison tbody tr:first-child td:first-child');
    expect(first).toContain(`house-model → ${sent[0]!.provider}/${sent[0]!.model}`);
    await page.screenshot({ path: `${ARTIFACTS}/compare-route.png` });
  });
  it('adds an alert rule in Settings, shows the event an evaluation opens there and on the overview, and resolves it when the rule goes', async () => {
    await page.goto(`${base}/settings`);
    await page.waitForSelector('form.alert-form');
    await page.fill('input[aria-label="Rule name"]', 'Any latency');
    await page.selectOption('select[aria-label="Metric"]', 'latency');
    await page.selectOption('select[aria-label="Operator"]', 'gt');
    await page.fill('input[aria-label="Threshold"]', '1');
    await page.fill('input[aria-label="Window in minutes"]', '10080');
    await page.click('button:text-is("Add rule")');
    await page.waitForSelector('table.alert-rules td:text-is("Any latency")');
    const rule = ((await server.request('GET', '/api/v1/alerts/rules')).json().rules as { id: string; name: string }[]).find((listed) => listed.name === 'Any latency')!;
    expect(await page.textContent('table.alert-rules tbody tr:has(td:text-is("Any latency")) td:nth-child(2)')).toBe('latency > 1 over 10080 min');
    await page.click('button:text-is("Evaluate now")');
    await page.waitForSelector('table.alert-events td.status:text-is("open")');
    const [event] = (await server.request('GET', `/api/v1/alerts/events?status=open&rule_id=${rule.id}`)).json().events as { message: string; metric_value: number }[];
    // The mean latency of the week, as the overview's own figure gives it.
    const mean = (await server.request('GET', '/api/v1/analytics/overview?hours=168')).json().current.avg_latency as number;
    expect(event!.metric_value).toBeCloseTo(mean, 6);
    expect(await page.textContent('table.alert-events tbody tr:first-child td:nth-child(2)')).toBe(event!.message);
    await page.goto(`${base}/?range=24h`);
    await page.waitForSelector('.open-alerts li');
    expect(await page.textContent('.open-alerts li')).toContain(event!.message);
    await page.screenshot({ path: `${ARTIFACTS}/overview-alert.png` });
    await page.goto(`${base}/settings`);
    await page.click('table.alert-rules tbody tr:has(td:text-is("Any latency")) button:text-is("delete")');
    await page.waitForSelector('table.alert-events td.status:text-is("resolved")');
    expect((await server.request('GET', '/api/v1/alerts/events?status=open')).json().events).toEqual([]);
  });
  it('shows no LiteLLM import in Settings for a project that receives none', async () => {
    expect((await server.request('GET', '/api/v1/import/litellm')).json().enabled).toBe(false);
    await page.goto(`${base}/settings`);
    await page.waitForSelector('form.alert-form');
    await settled(page);
    expect(await page.locator('h2:text-is("LiteLLM spend logs")').count()).toBe(0);
  });
  it('creates a key with gateway rate limits in Settings, changes them and its models in place, and names a limit that is not a number', async () => {
    await page.goto(`${base}/settings`);
    await page.fill('input[placeholder="Key name"]', 'limited in the page');
    await page.fill('input[aria-label="New key\'s requests per minute"]', '120');
    await page.click('button:text-is("Create key")');
    const row = page.locator('tr', { hasText: 'limited in the page' });
    await row.getByText('120 requests/min').waitFor();
    const created = ((await server.request('GET', '/api/v1/keys')).json() as { data: { name: string; rate_limit_rpm: number | null; rate_limit_tpm: number | null }[] }).data.find((key) => key.name === 'limited in the page')!;
    expect([created.rate_limit_rpm, created.rate_limit_tpm]).toEqual([120, null]);
    await row.getByRole('button', { name: 'Change the gateway limits of limited in the page' }).click();
    await row.getByLabel('Tokens per minute').fill('lots');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.locator('.error', { hasText: 'rate_limit_tpm' }).waitFor();
    await row.getByLabel('Requests per minute').fill('');
    await row.getByLabel('Tokens per minute').fill('50000');
    await row.getByLabel('Allowed models').fill('gpt-4o-mini, anthropic/*');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByText('50,000 tokens/min · models: gpt-4o-mini, anthropic/*').waitFor();
    const changed = ((await server.request('GET', '/api/v1/keys')).json() as { data: { name: string; rate_limit_rpm: number | null; rate_limit_tpm: number | null; allowed_models: string[] | null }[] }).data.find((key) => key.name === 'limited in the page')!;
    expect([changed.rate_limit_rpm, changed.rate_limit_tpm, changed.allowed_models]).toEqual([null, 50_000, ['gpt-4o-mini', 'anthropic/*']]);
  });

  it('creates a key that expires at the end of the chosen day, and shows when', async () => {
    await page.goto(`${base}/settings`);
    await page.fill('input[placeholder="Key name"]', 'expiring in the page');
    const day = new Date(Date.now() + 10 * 86_400_000);
    const value = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    await page.fill('input[aria-label="New key\'s expiry"]', value);
    await page.click('button:text-is("Create key")');
    const row = page.locator('tr', { hasText: 'expiring in the page' });
    await row.waitFor();
    const created = ((await server.request('GET', '/api/v1/keys')).json() as { data: { name: string; expires_at: string | null; expired: boolean }[] }).data.find((key) => key.name === 'expiring in the page')!;
    // The browser's end of that day, as the page sent it.
    const sent = await page.evaluate((date) => new Date(`${date}T23:59:59`).toISOString(), value);
    expect([created.expires_at, created.expired]).toEqual([sent, false]);
    const shown = await page.evaluate((iso) => new Date(iso).toLocaleDateString(), sent);
    expect(await row.locator('td').nth(6).textContent()).toBe(shown);
  });

  it('turns off the storing of prompts and responses in Settings, and on again', async () => {
    await page.goto(`${base}/settings`);
    const box = page.getByLabel(/stored with each call/);
    await box.waitFor();
    expect(await box.isChecked()).toBe(true);
    await box.uncheck();
    await page.waitForSelector('text=Calls keep their tokens, cost, latency and attribution, not their content.');
    expect((await server.request('GET', '/api/v1/project')).json().capture_content).toBe(false);
    await page.reload();
    await page.getByLabel(/stored with each call/).waitFor();
    expect(await page.getByLabel(/stored with each call/).isChecked()).toBe(false);
    await page.getByLabel(/stored with each call/).check();
    await page.waitForSelector('text=Keys and tokens in them are redacted.');
    expect((await server.request('GET', '/api/v1/project')).json().capture_content).toBe(true);
  });
  it('generates optimization suggestions on the models page, as the API states them, and marks one implemented', async () => {
    await page.goto(`${base}/providers?range=7d`);
    await page.waitForSelector('.panel:has(h2:text-is("Optimization suggestions"))');
    await page.click('button:text-is("Generate from the last 7 days")');
    await page.waitForSelector('table.suggestions tbody tr');
    const expected = (await server.request('GET', '/api/v1/suggestions?status=open')).json().suggestions as { id: string; title: string; model_name: string; description: string }[];
    expect(expected.length).toBeGreaterThan(0);
    await page.waitForFunction((n) => document.querySelectorAll('table.suggestions tbody tr').length === n, expected.length);
    const shown = await page.$$eval('table.suggestions tbody tr td:nth-child(3) div', (cells) => cells.map((cell) => cell.textContent));
    expect(shown.sort()).toEqual(expected.map((suggestion) => suggestion.description).sort());
    await page.click('table.suggestions tbody tr:first-child button:text-is("implemented")');
    await page.waitForFunction((n) => document.querySelectorAll('table.suggestions tbody tr').length === n, expected.length - 1);
    expect((await server.request('GET', '/api/v1/suggestions?status=implemented')).json().suggestions).toHaveLength(1);
  });
  // Longer than the default: eight pages, each waiting out the client's one retry (about 1 s).
  it('shows an error in each panel when the API fails, on every page, without breaking the page', async () => {
    const tab = await page.context().newPage();
    const crashes: string[] = [];
    tab.on('pageerror', (error) => crashes.push(error.message));
    try {
      // Everything but the sign-in check, which would send the tab back to sign-in.
      await tab.route((url) => url.pathname.startsWith('/api/v1/') && url.pathname !== '/api/v1/session', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"internal","message":"database unavailable"}}' }));
      for (const [path] of PAGES) {
        await tab.goto(`${base}${path}`);
        // A failed request is retried once; then each panel says what failed (the overview's
        // other panels ask only after its KPIs have failed), and none is left loading.
        await tab.waitForFunction(() => {
          const main = document.querySelector('main');
          return main !== null && main.querySelector('.error') !== null && !main.textContent?.includes('Loading…');
        }, undefined, { timeout: 10_000 }).catch(async (error: Error) => {
          throw new Error(`${path}: ${error.message}\n${await tab.textContent('main')}`);
        });
        expect(await tab.$$eval('main .error', (nodes) => nodes.every((node) => node.textContent?.includes('database unavailable'))), path).toBe(true);
      }
      await tab.goto(`${base}/?range=7d`);
      await tab.waitForFunction(() => document.querySelectorAll('main .error').length === 8, undefined, { timeout: 10_000 });
      await tab.screenshot({ path: `${ARTIFACTS}/overview-error.png`, fullPage: true });
      expect(crashes).toEqual([]);
    } finally {
      await tab.close();
    }
  }, 60_000);
});
