// The dashboard in a real browser (Debian's Chromium through playwright-core) against the
// real server with demo data: sign-in, every page renders without console errors, filters,
// live updates, budgets, sorting, bulk delete, the shared time range, themes, prompts that
// look like HTML shown as text, and the first page's JavaScript budget.
import { mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../src/demo/generate-demo.js';
import { writeDemoToStore } from '../src/demo/write-demo.js';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server.js';

const ARTIFACTS = 'test-artifacts';
let server: TestServer;
let browser: Browser;
let page: Page;
let base: string;
const consoleErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startTestServer();
  await writeDemoToStore(server.store, generateDemo({ calls: 3000, days: 2, seed: 11 }), { projectId: 'default' });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
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
});

describe('dashboard in Chromium', () => {
  it('renders every page with demo data and no console errors', async () => {
    for (const [path, marker] of [['/?range=7d', '.kpi-value'], ['/logs?range=7d', 'table.logs tbody tr'], ['/costs?range=7d', 'form.budget-form'], ['/providers?range=7d', 'table'], ['/sessions?range=7d', 'table.logs tbody tr'], ['/outcomes?range=7d', 'table.heat tbody tr'], ['/settings', 'form.inline']] as const) {
      await page.goto(`${base}${path}`);
      await page.waitForSelector(marker);
      await page.screenshot({ path: `${ARTIFACTS}/${path.split('?')[0]!.replace(/\//g, '') || 'overview'}.png`, fullPage: true });
    }
    const requests = await page.goto(`${base}/?range=7d`).then(() => page.textContent('.kpi-value'));
    expect(Number(requests?.replace(/,/g, ''))).toBeGreaterThan(0);
    expect(consoleErrors).toEqual([]);
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
      for (const [path, marker] of [['/?range=7d', '.kpi-value'], ['/logs?range=7d', 'table.logs tbody tr'], ['/costs?range=7d', 'form.budget-form']] as const) {
        await phone.goto(`${base}${path}`);
        await phone.waitForSelector(marker);
        // Wide tables scroll inside their panel; the page itself must not.
        expect(await phone.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(390);
      }
      await phone.goto(`${base}/?range=7d`);
      await phone.waitForSelector('.kpi-value');
      await phone.screenshot({ path: `${ARTIFACTS}/overview-phone.png`, fullPage: true });
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
  it('breaks the costs down by user as the API does', async () => {
    await page.goto(`${base}/costs?range=7d`);
    await page.selectOption('select[aria-label="Break down by"]', 'user');
    const top = (await server.request('GET', '/api/v1/analytics/cost-breakdown?hours=168&by=user')).json().rows[0] as { user: string; cost: number };
    await page.waitForSelector(`.panel:has(select[aria-label="Break down by"]) tbody tr:first-child td:first-child:text-is("${top.user}")`);
    const cost = await page.textContent('.panel:has(select[aria-label="Break down by"]) tbody tr:first-child td:nth-child(2)');
    expect(cost).toBe(`$${top.cost < 1 ? top.cost.toFixed(4) : top.cost.toFixed(2)}`);
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
});
