// Budgets and cost settings over HTTP: usage per scope and period, and every caller mistake
// answered 400 (or 404) naming the field, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe.each(['duckdb', 'postgres'] as const)('budgets over HTTP on %s', (engine) => {
  let server: TestServer;
  let key: string;
  beforeAll(async () => {
    server = await startTestServer({}, engine);
    key = await server.createKey('budgets-api', ['admin']);
  });
  afterAll(async () => {
    await server.close();
  });

  const send = (method: string, url: string, body?: unknown) => server.request(method, url, { key, ...(body === undefined ? {} : { body }) });

  describe('budget usage by scope', () => {
    it('counts only the calls in scope and the current period, unpriced calls as nothing', async () => {
      const now = Date.now();
      const calls = [
        { id: 'bs-1', provider: 'openai', model: 'gpt-4o', cost_usd: 1.25, tags: ['batch'], user_id: 'alice' },
        { id: 'bs-2', provider: 'anthropic', model: 'claude-sonnet-4-20250514', cost_usd: 2, tags: ['batch'], user_id: 'bob' },
        { id: 'bs-3', provider: 'openai', model: 'gpt-4o-mini', cost_usd: 0.5, user_id: 'alice' },
        { id: 'bs-4', provider: 'acme', model: 'acme-1', prompt_tokens: 10, user_id: 'alice' },
        // 40 days old: outside every period except the total budget's.
        { id: 'bs-old', provider: 'openai', model: 'gpt-4o', cost_usd: 100, started_at: new Date(now - 40 * 86_400_000).toISOString() },
      ];
      expect((await send('POST', '/api/v1/calls', calls)).statusCode).toBe(200);
      const cases = [
        [{ scope: 'tag', scope_value: 'batch', budget_type: 'monthly' }, 3.25],
        [{ scope: 'user', scope_value: 'alice', budget_type: 'monthly' }, 1.75],
        [{ scope: 'provider', scope_value: 'openai', budget_type: 'monthly' }, 1.75],
        [{ scope: 'model', scope_value: 'gpt-4o', budget_type: 'total' }, 101.25],
        [{ scope: 'global', budget_type: 'weekly' }, 3.75],
      ] as const;
      for (const [fields, usage] of cases) {
        const created = await send('POST', '/api/v1/budgets', { name: `${fields.scope} budget`, amount: 200, ...fields });
        expect(created.statusCode, created.body).toBe(201);
        expect(created.json().current_usage, JSON.stringify(fields)).toBeCloseTo(usage, 9);
        expect(created.json().remaining).toBeCloseTo(200 - usage, 9);
        expect(created.json().reset_at === null).toBe(fields.budget_type === 'total');
      }
      expect((await send('GET', '/api/v1/budgets')).json().budgets).toHaveLength(cases.length);
    });
  });

  describe('bad input', () => {
    it('refuses bad budgets naming the field', async () => {
      for (const [body, field] of [
        [{ name: 'b', budget_type: 'daily', amount: -5 }, 'amount'],
        [{ name: 'b', budget_type: 'daily', amount: 'ten' }, 'amount'],
        [{ name: 'b', budget_type: 'daily' }, 'amount'],
        [{ name: 'b', budget_type: 'yearly', amount: 1 }, 'budget_type'],
        [{ name: 'b', budget_type: 'daily', amount: 1, action: 'explode' }, 'action'],
        [{ name: 'b', budget_type: 'daily', amount: 1, scope: 'global', scope_value: 'x' }, 'scope_value'],
        [{ name: '', budget_type: 'daily', amount: 1 }, 'name'],
        [{ name: 'b', budget_type: 'daily', amount: 1, colour: 'red' }, 'colour'],
      ] as const) {
        const response = await send('POST', '/api/v1/budgets', body);
        expect([response.statusCode, response.json().error?.field], JSON.stringify(body)).toEqual([400, field]);
      }
      const created = (await send('POST', '/api/v1/budgets', { name: 'ok', budget_type: 'daily', amount: 1 })).json();
      const patched = await send('PATCH', `/api/v1/budgets/${created.id}`, { amount: 0 });
      expect([patched.statusCode, patched.json().error.field]).toEqual([400, 'amount']);
      expect((await send('PATCH', '/api/v1/budgets/nope', { amount: 2 })).statusCode).toBe(404);
      expect((await send('DELETE', '/api/v1/budgets/nope')).statusCode).toBe(404);
    });

    it('refuses bad cost settings and re-pricing requests naming the field', async () => {
      for (const [body, field] of [
        [{ model: 'm', electricity_cost_per_hour: -0.1 }, 'electricity_cost_per_hour'],
        [{ model: 'm', electricity_cost_per_hour: '0.1' }, 'electricity_cost_per_hour'],
        [{ model: 'm', cost_per_1k_output_tokens: 1 }, 'cost_per_1k_input_tokens'],
        [{ cost_per_1k_input_tokens: 1, cost_per_1k_output_tokens: 1 }, 'model'],
      ] as const) {
        const response = await send('POST', '/api/v1/cost-settings', body);
        expect([response.statusCode, response.json().error?.field], JSON.stringify(body)).toEqual([400, field]);
      }
      for (const [body, field] of [
        [{ model: 'gpt-4o', from: 'yesterday' }, 'from'],
        [{ model: 'gpt-4o', from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'to'],
        [{ from: '2026-02-01T00:00:00Z' }, 'model'],
      ] as const) {
        const response = await send('POST', '/api/v1/cost-settings/reprice', body);
        expect([response.statusCode, response.json().error?.field], JSON.stringify(body)).toEqual([400, field]);
      }
      const savings = await send('GET', '/api/v1/analytics/savings?days=0');
      expect([savings.statusCode, savings.json().error.field]).toEqual([400, 'days']);
      const reference = await send('GET', '/api/v1/analytics/savings?reference_model=acme/nothing');
      expect([reference.statusCode, reference.json().error.field]).toEqual([400, 'reference_model']);
    });
  });

  describe('OpenAPI', () => {
    it('documents the cost and budget answers from their schemas', async () => {
      const document = (await server.request('GET', '/openapi.json')).json();
      const budgets = document.paths['/api/v1/budgets'].get.responses['200'].content['application/json'].schema;
      expect(JSON.stringify(budgets)).toContain('reset_at');
      const estimate = document.paths['/api/v1/estimate'].post.responses['200'].content['application/json'].schema;
      expect(JSON.stringify(estimate)).toContain('tokenizer_exact');
    });
  });
});
