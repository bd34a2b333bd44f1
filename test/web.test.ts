// The dashboard in a real browser (Debian's Chromium through playwright-core) against the
// real server with demo data: sign-in, every page renders without console errors, filters,
// live updates, budget creation, and prompts that look like HTML shown as text.
import { mkdirSync } from 'node:fs';
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
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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
    for (const [path, marker] of [['/?range=7d', '.kpi-value'], ['/logs?range=7d', 'table.logs tbody tr'], ['/costs?range=7d', '.budget, form.inline'], ['/providers?range=7d', 'table'], ['/sessions?range=7d', 'table.logs tbody tr'], ['/outcomes?range=7d', 'table.heat tbody tr'], ['/settings', 'form.inline']] as const) {
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
      const cells = [...document.querySelectorAll('table.logs tbody tr td:nth-child(3)')];
      return cells.length > 0 && cells.every((cell) => cell.textContent === 'error');
    });
    const statuses = await page.$$eval('table.logs tbody tr td:nth-child(3)', (cells) => cells.map((cell) => cell.textContent));
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
  });

  it('creates a budget from the costs page', async () => {
    await page.goto(`${base}/costs`);
    await page.waitForSelector('form.inline');
    await page.fill('form.inline input[placeholder=Name]', 'ui budget');
    await page.fill('form.inline input[placeholder="Amount (USD)"]', '12.5');
    await page.click('form.inline button[type=submit]');
    await page.waitForSelector('.budget:has-text("ui budget")');
    const stored = (await server.request('GET', '/api/v1/budgets')).json().budgets;
    expect(stored.map((budget: { name: string; amount: number }) => [budget.name, budget.amount])).toContainEqual(['ui budget', 12.5]);
    await page.screenshot({ path: `${ARTIFACTS}/costs-with-budget.png`, fullPage: true });
  });
});
