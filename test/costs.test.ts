// Cost settings, re-pricing, estimates, savings, projection and budgets, with every figure
// computed here from the published prices and the rows inserted.
import { countTokens } from 'gpt-tokenizer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, sseFixture, startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';
import { startTestServer, type TestServer, listenOnLoopback } from './helpers/test-server.js';

describe.each(['duckdb', 'postgres'] as const)('costs and budgets on %s', (engine) => {
  let server: TestServer;
  let upstream: FakeUpstream;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    server = await startTestServer({ providers: [{ name: 'openai', type: 'openai', base_url: upstream.baseUrl, api_key: 'sk-x' }] }, engine);
  });
  afterAll(async () => {
    await server.close();
    await upstream.close();
  });

  async function call(body: Record<string, unknown>, key?: string) {
    const response = await server.request('POST', '/api/v1/calls', { body, ...(key ? { key } : {}) });
    expect(response.statusCode, response.body).toBe(201);
    return (await server.request('GET', `/api/v1/logs/${body.id as string}`, key ? { key } : {})).json();
  }

  describe('cost settings', () => {
    it('a per-1k price wins over the catalog; an electricity rate prices local time; a reported cost is kept', async () => {
      expect((await server.request('POST', '/api/v1/cost-settings', { body: { model: 'gpt-4o', cost_per_1k_input_tokens: 0.01, cost_per_1k_output_tokens: 0.03 } })).statusCode).toBe(200);
      const priced = await call({ id: 'cs-1', provider: 'openai', model: 'gpt-4o', prompt_tokens: 2000, completion_tokens: 500 });
      expect([priced.cost_usd, priced.price_source]).toEqual([expect.closeTo(2 * 0.01 + 0.5 * 0.03, 12), 'override']);
      await server.request('POST', '/api/v1/cost-settings', { body: { model: 'llama3.1:8b', electricity_cost_per_hour: 0.36 } });
      const local = await call({ id: 'cs-2', provider: 'ollama', model: 'llama3.1:8b', latency_ms: 10_000 });
      expect([local.cost_usd, local.price_source]).toEqual([expect.closeTo(0.36 * 10 / 3600, 12), 'local']);
      const reported = await call({ id: 'cs-3', provider: 'openai', model: 'gpt-4o', prompt_tokens: 10, cost_usd: 0.5 });
      expect([reported.cost_usd, reported.price_source]).toEqual([0.5, 'reported']);
      const list = (await server.request('GET', '/api/v1/cost-settings')).json();
      expect(list.settings.map((s: { model: string }) => s.model)).toEqual(['gpt-4o', 'llama3.1:8b']);
      await server.request('DELETE', '/api/v1/cost-settings/gpt-4o');
    });

    it('re-prices stored calls of a model after a price change, leaving reported costs alone', async () => {
      await call({ id: 'rp-1', provider: 'in-house', model: 'house-7b', prompt_tokens: 1000, completion_tokens: 1000, started_at: '2026-03-01T00:00:00Z' });
      await call({ id: 'rp-2', provider: 'in-house', model: 'house-7b', prompt_tokens: 1000, completion_tokens: 0, cost_usd: 9, started_at: '2026-03-02T00:00:00Z' });
      expect((await server.request('GET', '/api/v1/logs/rp-1')).json().price_source).toBe('unpriced');
      await server.request('POST', '/api/v1/cost-settings', { body: { model: 'house-7b', cost_per_1k_input_tokens: 0.002, cost_per_1k_output_tokens: 0.004 } });
      const answer = (await server.request('POST', '/api/v1/cost-settings/reprice', { body: { model: 'house-7b', from: '2026-02-01T00:00:00Z' } })).json();
      expect(answer.repriced_calls).toBe(1);
      const repriced = (await server.request('GET', '/api/v1/logs/rp-1')).json();
      expect([repriced.cost_usd, repriced.price_source]).toEqual([expect.closeTo(0.002 + 0.004, 12), 'override']);
      expect((await server.request('GET', '/api/v1/logs/rp-2')).json().cost_usd).toBe(9);
    });

    it('refuses negative, non-numeric and half-given prices naming the field', async () => {
      for (const [body, field] of [
        [{ model: 'm', cost_per_1k_input_tokens: -1, cost_per_1k_output_tokens: 1 }, 'cost_per_1k_input_tokens'],
        [{ model: 'm', cost_per_1k_input_tokens: 'cheap', cost_per_1k_output_tokens: 1 }, 'cost_per_1k_input_tokens'],
        [{ model: 'm', cost_per_1k_input_tokens: 1 }, 'cost_per_1k_output_tokens'],
      ] as const) {
        const response = await server.request('POST', '/api/v1/cost-settings', { body });
        expect(response.statusCode).toBe(400);
        expect(response.json().error.field).toBe(field);
      }
    });
  });

  describe('estimate and catalog', () => {
    it('counts the prompt with a real tokenizer and prices output at max_tokens', async () => {
      const answer = (await server.request('POST', '/api/v1/estimate', { body: { provider: 'openai', model: 'gpt-4o-mini', prompt: 'Summarize the quarterly report in three bullet points.', max_tokens: 200 } })).json();
      const tokens = countTokens('Summarize the quarterly report in three bullet points.');
      expect(answer.prompt_tokens).toBe(tokens);
      expect(answer.estimated_cost_usd).toBeCloseTo(tokens * 0.15e-6 + 200 * 0.6e-6, 12);
      expect(answer.tokenizer_exact).toBe(true);
      const missing = await server.request('POST', '/api/v1/estimate', { body: { provider: 'openai', prompt: 'x' } });
      expect([missing.statusCode, missing.json().error.field]).toEqual([400, 'model']);
      const empty = await server.request('POST', '/api/v1/estimate', { body: { provider: 'openai', model: 'gpt-4o' } });
      expect([empty.statusCode, empty.json().error.field]).toEqual([400, 'prompt']);
    });

    it('lists catalog prices per 1M tokens', async () => {
      const models = (await server.request('GET', '/api/v1/pricing/models?search=gpt-4o-mini')).json().models;
      expect(models.find((m: { provider: string; model: string }) => m.provider === 'openai' && m.model === 'gpt-4o-mini')).toMatchObject({ input_per_1m: 0.15, output_per_1m: 0.6, cached_input_per_1m: 0.075 });
    });
  });

  describe('savings and projection', () => {
    it('compares actual cost with every call priced at the reference model', async () => {
      const key = await server.createKey('savings', ['read', 'ingest']);
      await call({ id: 'sv-1', provider: 'ollama', model: 'qwen2.5:7b', prompt_tokens: 1000, completion_tokens: 2000 }, key);
      await call({ id: 'sv-2', provider: 'openai', model: 'gpt-4o-mini', prompt_tokens: 1000, completion_tokens: 1000 }, key);
      const answer = (await server.request('GET', '/api/v1/analytics/savings?days=7', { key })).json();
      const actual = 1000 * 0.15e-6 + 1000 * 0.6e-6;
      const reference = 2000 * 3e-6 + 3000 * 15e-6; // claude-sonnet-4: $3 / $15 per 1M
      expect(answer.total_cost_usd).toBeCloseTo(actual, 12);
      expect(answer.hypothetical_reference_cost_usd).toBeCloseTo(reference, 12);
      expect(answer.estimated_savings_usd).toBeCloseTo(reference - actual, 12);
      expect([answer.local_requests, answer.remote_requests]).toEqual([1, 1]);
    });

    it('projects the monthly cost from the last complete days and states the method', async () => {
      const key = await server.createKey('projection', ['read', 'ingest']);
      const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
      for (let day = 1; day <= 7; day++) await call({ id: `pj-${day}`, provider: 'x', model: 'y', cost_usd: day, started_at: new Date(today - day * 86_400_000 + 3_600_000).toISOString() }, key);
      await call({ id: 'pj-today', provider: 'x', model: 'y', cost_usd: 100, started_at: new Date(Math.min(Date.now(), today + 60_000)).toISOString() }, key);
      const answer = (await server.request('GET', '/api/v1/analytics/cost-projection?days=7', { key })).json();
      expect(answer.daily_run_rate_usd).toBeCloseTo(28 / 7, 12);
      expect(answer.projected_monthly_cost_usd).toBeCloseTo((28 / 7) * 30.44, 9);
      expect(answer.method).toContain('7 complete UTC days');
    });
  });

  describe('budgets', () => {
    it('CRUD with usage, remaining and reset time; bad input names the field', async () => {
      const key = await server.createKey('budget-crud', ['admin']);
      await call({ id: 'bc-1', provider: 'x', model: 'y', cost_usd: 2.5 }, key);
      const created = await server.request('POST', '/api/v1/budgets', { key, body: { name: 'daily cap', budget_type: 'daily', amount: 10 } });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ current_usage: 2.5, remaining: 7.5, scope: 'global', action: 'alert' });
      expect(Date.parse(created.json().reset_at)).toBe(Math.floor(Date.now() / 86_400_000 + 1) * 86_400_000);
      const patched = await server.request('PATCH', `/api/v1/budgets/${created.json().id}`, { key, body: { amount: 20 } });
      expect(patched.json().remaining).toBe(17.5);
      for (const [body, field] of [
        [{ name: 'b', budget_type: 'hourly', amount: 1 }, 'budget_type'],
        [{ name: 'b', budget_type: 'daily', amount: 0 }, 'amount'],
        [{ name: 'b', budget_type: 'daily', amount: 1, scope: 'galaxy' }, 'scope'],
        [{ name: 'b', budget_type: 'daily', amount: 1, scope: 'model' }, 'scope_value'],
      ] as const) {
        const response = await server.request('POST', '/api/v1/budgets', { key, body });
        expect([response.statusCode, response.json().error.field]).toEqual([400, field]);
      }
      expect((await server.request('DELETE', `/api/v1/budgets/${created.json().id}`, { key })).statusCode).toBe(200);
      expect((await server.request('GET', '/api/v1/budgets', { key })).json().budgets).toEqual([]);
    });

    it('admits at most what a block budget allows under 200 concurrent gateway calls, then releases every reservation', async () => {
      const key = await server.createKey('budget-block', ['admin', 'gateway']);
      // Worst case per call: 1,000 output tokens at $0.005 per 1k = $0.005; prompts are free.
      await server.request('POST', '/api/v1/cost-settings', { key, body: { model: 'gpt-4o', cost_per_1k_input_tokens: 0, cost_per_1k_output_tokens: 0.005 } });
      const budget = (await server.request('POST', '/api/v1/budgets', { key, body: { name: 'tiny', budget_type: 'daily', amount: 0.01, action: 'block' } })).json();
      // Upstream answers are held until every call was either refused or reached the upstream,
      // so all 200 reservations are decided while the admitted calls are still in flight.
      let open: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (open = resolve));
      upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json'), gate });
      const upstreamBefore = upstream.requests.length;
      let refusedSoFar = 0;
      const url = `${await listenOnLoopback(server)}/v1/chat/completions`;
      const statuses = await Promise.all(Array.from({ length: 200 }, () => fetch(url, {
        method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1000 }),
      }).then(async (response) => {
        if (response.status === 429) refusedSoFar += 1;
        return { status: response.status, body: await response.text() };
      })).concat([(async () => {
        // Open the gate once every call is decided (refused, or arrived upstream); bounded.
        for (let waited = 0; refusedSoFar + (upstream.requests.length - upstreamBefore) < 200 && waited < 20_000; waited += 5) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        open();
        return { status: 0, body: '' };
      })()]));
      const admitted = statuses.filter((answer) => answer.status === 200).length;
      expect(admitted).toBe(2);
      const refused = statuses.find((answer) => answer.status === 429)!;
      expect(JSON.parse(refused.body).error).toMatchObject({ code: 'budget_exceeded' });
      expect(JSON.parse(refused.body).error.message).toContain("'tiny'");
      await server.recorder.settled();
      const after = (await server.request('GET', `/api/v1/budgets/${budget.id}`, { key })).json();
      // chat.json reports 200 output tokens: each admitted call really cost 200 × $0.000005.
      expect(after.reserved).toBe(0);
      expect(after.current_usage).toBeCloseTo(2 * 200 * 0.005 / 1000, 12);
    });

    it('gives the reservation back when the upstream fails, so failed calls never use up a budget', async () => {
      const key = await server.createKey('budget-release', ['admin', 'gateway']);
      await server.request('POST', '/api/v1/cost-settings', { key, body: { model: 'gpt-4o', cost_per_1k_input_tokens: 0, cost_per_1k_output_tokens: 0.005 } });
      const budget = (await server.request('POST', '/api/v1/budgets', { key, body: { name: 'one call', budget_type: 'total', amount: 0.006, action: 'block' } })).json();
      upstream.respondWith({ kind: 'json', status: 400, body: '{"error":{"message":"bad request","type":"invalid_request_error"}}' });
      const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1000 };
      for (let i = 0; i < 3; i++) expect((await server.request('POST', '/v1/chat/completions', { key, body })).statusCode).toBe(400);
      await server.recorder.settled();
      const after = (await server.request('GET', `/api/v1/budgets/${budget.id}`, { key })).json();
      expect([after.reserved, after.current_usage]).toEqual([0, 0]);
      upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
      expect((await server.request('POST', '/v1/chat/completions', { key, body })).statusCode).toBe(200);
    });

    it('settles a stream the client cancels to what it really cost, releasing the rest of its hold', async () => {
      const key = await server.createKey('budget-cancel', ['admin', 'gateway']);
      await server.request('POST', '/api/v1/cost-settings', { key, body: { model: 'gpt-4o', cost_per_1k_input_tokens: 0, cost_per_1k_output_tokens: 0.005 } });
      const budget = (await server.request('POST', '/api/v1/budgets', { key, body: { name: 'cancel', budget_type: 'total', amount: 1, action: 'block' } })).json();
      upstream.respondWith({ kind: 'sse', chunks: sseFixture('openai/chat-stream.chunks.txt'), delayMs: 200 });
      const response = await fetch(`${await listenOnLoopback(server)}/v1/chat/completions`, {
        method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1000, stream: true }),
      });
      const id = response.headers.get('x-loupe-call-id')!;
      const reader = response.body!.getReader();
      await reader.read();
      // Mid-stream the call holds its worst case: 1,000 output tokens at $0.005 per 1k.
      expect((await server.request('GET', `/api/v1/budgets/${budget.id}`, { key })).json().reserved).toBeCloseTo(0.005, 12);
      await reader.cancel();
      let stored = null;
      for (let i = 0; i < 100 && stored?.status !== 'cancelled'; i++) {
        await server.recorder.settled();
        stored = await server.store.calls.get('budget-cancel', id);
        if (stored?.status !== 'cancelled') await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(stored?.status).toBe('cancelled');
      const after = (await server.request('GET', `/api/v1/budgets/${budget.id}`, { key })).json();
      expect(after.reserved).toBe(0);
      // What it used is what was stored for it: the tokens received before the cancel, priced.
      expect(after.current_usage).toBeCloseTo(stored?.cost_usd ?? 0, 12);
      expect(after.current_usage).toBeLessThan(0.005);
    });
  });
});
