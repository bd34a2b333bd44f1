// Alerts through the real server: rules over the analytics metrics, events opened and resolved
// by evaluations against calls recorded here (the expected figures computed from those calls),
// live events, and signed webhooks to a local receiver, retried after a failure.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../src/live/event-bus.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

interface Delivery { headers: IncomingHttpHeaders; body: string }

let server: TestServer;
let receiver: Server;
let receiverUrl: string;
const deliveries: Delivery[] = [];
/** Statuses the receiver answers with, in turn; 200 once they run out. */
const answers: number[] = [];
const live: LiveEvent[] = [];

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      deliveries.push({ headers: request.headers, body: Buffer.concat(parts).toString('utf8') });
      response.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks/loupe`;
  // The receiver listens on loopback: allow-listed as an operator would allow an internal service.
  server = await startTestServer({ upstream_allowlist: ['127.0.0.1'], alert_interval_seconds: 0 });
  server.liveBus.subscribe('default', (event) => live.push(event));
});
afterAll(async () => {
  await server.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

async function record(calls: Record<string, unknown>[]) {
  const response = await server.request('POST', '/api/v1/calls', { body: calls });
  expect(response.statusCode).toBe(200);
}

async function createRule(body: Record<string, unknown>) {
  const response = await server.request('POST', '/api/v1/alerts/rules', { body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; webhook_secret?: string; has_webhook_secret: boolean };
}

const evaluate = async () => {
  const response = await server.request('POST', '/api/v1/alerts/evaluate');
  expect(response.statusCode).toBe(200);
  return response.json().changes as { change: string; event: Record<string, unknown> }[];
};

describe('alert rules', () => {
  it('are created, listed, changed and deleted, and refuse what cannot be evaluated, naming the field', async () => {
    const rule = await createRule({ name: 'High Latency Alert', metric: 'latency', operator: 'gt', threshold: 5000 });
    const shown = (await server.request('GET', `/api/v1/alerts/rules/${rule.id}`)).json();
    expect(shown).toMatchObject({ name: 'High Latency Alert', metric: 'latency', operator: 'gt', threshold: 5000, window_minutes: 5, is_active: true, provider: null, model: null, webhook_url: null, has_webhook_secret: false });
    expect(shown).not.toHaveProperty('webhook_secret_sealed');
    expect((await server.request('GET', '/api/v1/alerts/rules')).json().rules.map((listed: { id: string }) => listed.id)).toContain(rule.id);
    const changed = await server.request('PATCH', `/api/v1/alerts/rules/${rule.id}`, { body: { threshold: 4000, window_minutes: 15 } });
    expect(changed.json()).toMatchObject({ threshold: 4000, window_minutes: 15 });

    const bad: [Record<string, unknown>, string][] = [
      [{ name: 'x', metric: 'mood', operator: 'gt', threshold: 1 }, 'metric'],
      [{ name: 'x', metric: 'latency', operator: 'above', threshold: 1 }, 'operator'],
      [{ name: 'x', metric: 'error_rate', operator: 'gt', threshold: 5 }, 'threshold'],
      [{ name: 'x', metric: 'latency', operator: 'gt', threshold: '5000' }, 'threshold'],
      [{ name: 'x', metric: 'latency', operator: 'gt', threshold: 1, window_minutes: 0 }, 'window_minutes'],
      [{ name: '', metric: 'latency', operator: 'gt', threshold: 1 }, 'name'],
      [{ name: 'x', metric: 'latency', operator: 'gt', threshold: 1, webhook_url: 'http://169.254.169.254/latest' }, 'webhook_url'],
      [{ name: 'x', metric: 'latency', operator: 'gt', threshold: 1, webhook_url: 'ftp://example.com/' }, 'webhook_url'],
      [{ name: 'x', metric: 'latency', operator: 'gt', threshold: 1, colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of bad) {
      const response = await server.request('POST', '/api/v1/alerts/rules', { body });
      expect([JSON.stringify(body), response.statusCode, response.json().error.field]).toEqual([JSON.stringify(body), 400, field]);
    }
    const patchToPercent = await server.request('PATCH', `/api/v1/alerts/rules/${rule.id}`, { body: { metric: 'error_rate' } });
    expect([patchToPercent.statusCode, patchToPercent.json().error.field]).toEqual([400, 'threshold']);

    const reader = await server.createKey('default', ['read']);
    expect((await server.request('POST', '/api/v1/alerts/rules', { key: reader, body: { name: 'x', metric: 'latency', operator: 'gt', threshold: 1 } })).statusCode).toBe(403);
    expect((await server.request('POST', '/api/v1/alerts/evaluate', { key: reader })).statusCode).toBe(403);
    const elsewhere = await server.createKey('elsewhere', ['admin']);
    expect((await server.request('GET', `/api/v1/alerts/rules/${rule.id}`, { key: elsewhere })).statusCode).toBe(404);
    expect((await server.request('DELETE', `/api/v1/alerts/rules/${rule.id}`, { key: elsewhere })).statusCode).toBe(404);
    expect((await server.request('DELETE', `/api/v1/alerts/rules/${rule.id}`)).json()).toEqual({ deleted: true });
    expect((await server.request('GET', `/api/v1/alerts/rules/${rule.id}`)).statusCode).toBe(404);
  });
});

describe('evaluation', () => {
  it('opens one event while the mean latency of the window holds, and resolves it once it no longer does', async () => {
    // gpt-4o in the last 5 minutes: 1,200, 1,800 and 3,000 ms (mean 2,000); another model's fast
    // calls and an older slow call fall outside the rule.
    await record([
      { provider: 'openai', model: 'gpt-4o', started_at: ago(1), latency_ms: 1200 },
      { provider: 'openai', model: 'gpt-4o', started_at: ago(2), latency_ms: 1800 },
      { provider: 'openai', model: 'gpt-4o', started_at: ago(3), latency_ms: 3000 },
      { provider: 'openai', model: 'gpt-4o', started_at: ago(30), latency_ms: 60_000 },
      { provider: 'openai', model: 'gpt-4o-mini', started_at: ago(1), latency_ms: 100 },
    ]);
    const rule = await createRule({ name: 'Slow gpt-4o', metric: 'latency', operator: 'gt', threshold: 1500, window_minutes: 5, model: 'gpt-4o' });
    const [opened, ...others] = await evaluate();
    expect(others).toEqual([]);
    expect(opened).toMatchObject({ change: 'triggered', event: { rule_id: rule.id, rule_name: 'Slow gpt-4o', metric: 'latency', operator: 'gt', threshold: 1500, metric_value: 2000, message: 'Slow gpt-4o: latency (2000.0) gt 1500.0', resolved_at: null } });
    expect(live.filter((event) => event.type === 'alert_triggered').map((event) => (event.data as { id: string }).id)).toEqual([opened!.event.id]);

    // Still holding: nothing new, the one event stays open.
    expect(await evaluate()).toEqual([]);
    const open = (await server.request('GET', `/api/v1/alerts/events?status=open&rule_id=${rule.id}`)).json().events;
    expect(open.map((event: { id: string }) => event.id)).toEqual([opened!.event.id]);

    await server.request('PATCH', `/api/v1/alerts/rules/${rule.id}`, { body: { threshold: 2500 } });
    const [resolved] = await evaluate();
    expect(resolved).toMatchObject({ change: 'resolved', event: { id: opened!.event.id, resolved_value: 2000 } });
    expect(typeof resolved!.event.resolved_at).toBe('string');
    expect((await server.request('GET', `/api/v1/alerts/events?status=open&rule_id=${rule.id}`)).json().events).toEqual([]);
    expect(live.filter((event) => event.type === 'alert_resolved').map((event) => (event.data as { id: string }).id)).toEqual([opened!.event.id]);
    await server.request('DELETE', `/api/v1/alerts/rules/${rule.id}`);
  });

  it('measures the error rate as a fraction over the window, and a rule switched off resolves what it had open', async () => {
    await record([
      { provider: 'mistral', model: 'mistral-large-latest', started_at: ago(1), status: 'error', error_type: 'server_error' },
      ...[2, 3, 4].map((minutes) => ({ provider: 'mistral', model: 'mistral-large-latest', started_at: ago(minutes), status: 'success' })),
    ]);
    const rule = await createRule({ name: 'Mistral errors', metric: 'error_rate', operator: 'gte', threshold: 0.25, window_minutes: 10, provider: 'mistral' });
    const [opened] = await evaluate();
    expect(opened).toMatchObject({ change: 'triggered', event: { metric_value: 0.25, message: 'Mistral errors: error_rate (0.25) gte 0.25' } });
    await server.request('PATCH', `/api/v1/alerts/rules/${rule.id}`, { body: { is_active: false } });
    const events = (await server.request('GET', `/api/v1/alerts/events?rule_id=${rule.id}`)).json().events;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ id: opened!.event.id, resolved_value: null });
    expect(events[0].resolved_at).not.toBeNull();
    // Switched off, it is not evaluated: nothing opens again.
    expect(await evaluate()).toEqual([]);
    await server.request('DELETE', `/api/v1/alerts/rules/${rule.id}`);
  });

  it('does not open an event for a window without calls', async () => {
    const rule = await createRule({ name: 'Quiet model', metric: 'latency', operator: 'lt', threshold: 10_000, model: 'never-called' });
    expect(await evaluate()).toEqual([]);
    await server.request('DELETE', `/api/v1/alerts/rules/${rule.id}`);
  });
});

describe('webhooks', () => {
  it('posts each change signed with the secret shown at creation, and retries a failed delivery', async () => {
    await record([{ provider: 'anthropic', model: 'claude-3-5-haiku-20241022', started_at: ago(1), latency_ms: 100, completion_tokens: 50, tokens_per_second: 12 }]);
    const rule = await createRule({ name: 'Slow tokens', metric: 'tokens_per_second', operator: 'lt', threshold: 20, model: 'claude-3-5-haiku-20241022', webhook_url: receiverUrl });
    expect(rule.webhook_secret).toMatch(/^whsec_/);
    expect(rule.has_webhook_secret).toBe(true);
    expect((await server.request('GET', `/api/v1/alerts/rules/${rule.id}`)).json()).not.toHaveProperty('webhook_secret');

    answers.push(503);
    deliveries.length = 0;
    const [opened] = await evaluate();
    expect(opened).toMatchObject({ change: 'triggered', event: { metric_value: 12, webhook_status: 'pending' } });
    // The first delivery is refused (503); the retry a second later is taken.
    await expect.poll(async () => (await server.request('GET', `/api/v1/alerts/events?rule_id=${rule.id}`)).json().events[0].webhook_status, { timeout: 5000 }).toBe('delivered');
    expect(deliveries).toHaveLength(2);
    const [first, second] = deliveries as [Delivery, Delivery];
    expect(second.headers['x-loupe-delivery']).toBe(first.headers['x-loupe-delivery']);
    expect(second.headers['x-loupe-event']).toBe('alert.triggered');
    const signature = String(second.headers['x-loupe-signature']);
    const [, time, digest] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature)!;
    expect(digest).toBe(createHmac('sha256', rule.webhook_secret!).update(`${time}.${second.body}`).digest('hex'));
    expect(Math.abs(Number(time) - Date.now() / 1000)).toBeLessThan(60);
    const payload = JSON.parse(second.body);
    expect(payload).toMatchObject({ type: 'alert.triggered', event: { id: opened!.event.id, metric_value: 12 }, rule: { id: rule.id, metric: 'tokens_per_second', operator: 'lt', threshold: 20 } });

    // Deleting the rule resolves its event, and the receiver hears of that too.
    await server.request('DELETE', `/api/v1/alerts/rules/${rule.id}`);
    await expect.poll(() => deliveries.length, { timeout: 5000 }).toBe(3);
    expect(JSON.parse(deliveries[2]!.body)).toMatchObject({ type: 'alert.resolved', event: { id: opened!.event.id } });
  });
});
