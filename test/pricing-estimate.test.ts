// POST /api/v1/estimate: the prompt counted with the model family's own tokenizer, the
// cost broken down into input and output, and unknown models answered as unpriced.
import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const estimate = (body: Record<string, unknown>) => server.request('POST', '/api/v1/estimate', { body });

describe('estimate', () => {
  it('counts GPT-4 prompts with cl100k_base and prices them at $30 / $60 per 1M', async () => {
    const prompt = 'Write a haiku about observability dashboards at 3am.';
    const answer = (await estimate({ provider: 'openai', model: 'gpt-4', prompt, max_tokens: 100 })).json();
    const tokens = countCl100k(prompt);
    // The two encodings disagree on this prompt, so the right one must have been chosen.
    expect(countO200k(prompt)).not.toBe(tokens);
    expect(answer).toMatchObject({ prompt_tokens: tokens, max_output_tokens: 100, tokenizer: 'cl100k_base', tokenizer_exact: true, price_source: 'catalog' });
    expect(answer.input_cost_usd).toBeCloseTo(tokens * 30e-6, 12);
    expect(answer.output_cost_usd).toBeCloseTo(100 * 60e-6, 12);
    expect(answer.estimated_cost_usd).toBeCloseTo(tokens * 30e-6 + 100 * 60e-6, 12);
  });

  it('counts chat messages with their framing, approximately for non-OpenAI models, and says so', async () => {
    const messages = [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: [{ type: 'text', text: 'Define p95 latency.' }] }];
    const answer = (await estimate({ provider: 'anthropic', model: 'claude-3-5-haiku-20241022', messages, max_tokens: 300 })).json();
    const tokens = countO200k('system\nYou are terse.\nuser\nDefine p95 latency.') + 2 * 3 + 3;
    expect(answer).toMatchObject({ prompt_tokens: tokens, tokenizer: 'o200k_base', tokenizer_exact: false });
    // claude-3-5-haiku: $0.80 / $4 per 1M.
    expect(answer.estimated_cost_usd).toBeCloseTo(tokens * 0.8e-6 + 300 * 4e-6, 12);
  });

  it('answers an unknown model as unpriced with null costs, and refuses bad input naming the field', async () => {
    const unknown = (await estimate({ provider: 'acme', model: 'acme-1', prompt: 'hello' })).json();
    expect([unknown.price_source, unknown.estimated_cost_usd, unknown.input_cost_usd]).toEqual(['unpriced', null, null]);
    for (const [body, field] of [
      [{ provider: 'openai', prompt: 'x' }, 'model'],
      [{ model: 'gpt-4o', prompt: 'x' }, 'provider'],
      [{ provider: 'openai', model: 'gpt-4o' }, 'prompt'],
      [{ provider: 'openai', model: 'gpt-4o', prompt: 'x', max_tokens: -5 }, 'max_tokens'],
      [{ provider: 'openai', model: 'gpt-4o', prompt: 'x', max_tokens: 'many' }, 'max_tokens'],
    ] as const) {
      const response = await estimate(body);
      expect([response.statusCode, response.json().error.field], JSON.stringify(body)).toEqual([400, field]);
    }
  });
});
