// Response schemas of the cost and budget routes: they document the answers in /openapi.json
// and keep each answer to the declared fields.
import { z } from 'zod';
import { BUDGET_ACTIONS, BUDGET_SCOPES, BUDGET_TYPES } from '../../domain/budget.js';
import { PRICE_SOURCES } from '../../domain/call-record.js';

const usd = z.number();
const nullableUsd = z.number().nullable();

export const budgetAnswer = z.object({
  id: z.string(), project_id: z.string(), name: z.string(), budget_type: z.enum(BUDGET_TYPES), amount: usd,
  scope: z.enum(BUDGET_SCOPES), scope_value: z.string().nullable(), action: z.enum(BUDGET_ACTIONS), is_active: z.boolean(),
  created_at: z.string(), updated_at: z.string(),
  current_usage: usd.describe('USD spent in the current period (priced calls; unpriced calls count as nothing)'),
  reserved: usd.describe('USD held by gateway calls in flight (their worst case)'),
  remaining: usd, reset_at: z.string().nullable().describe('start of the next period (UTC); null for a total budget'),
});

export const costSettingAnswer = z.object({
  project_id: z.string(), model: z.string(), cost_per_1k_input_tokens: nullableUsd, cost_per_1k_output_tokens: nullableUsd,
  electricity_cost_per_hour: nullableUsd, updated_at: z.string(),
});

export const catalogPriceAnswer = z.object({
  provider: z.string(), model: z.string(), name: z.string().nullable(),
  input_per_1m: nullableUsd, output_per_1m: nullableUsd, cached_input_per_1m: nullableUsd, cache_write_per_1m: nullableUsd,
  tiered: z.boolean().describe('long-context tiers exist; the rates shown are the base tier'),
});

export const repriceAnswer = z.object({ model: z.string(), repriced_calls: z.number(), price_source: z.enum(PRICE_SOURCES) });

export const estimateAnswer = z.object({
  provider: z.string(), model: z.string(), prompt_tokens: z.number(), max_output_tokens: z.number(),
  tokenizer: z.string(), tokenizer_exact: z.boolean().describe('false: counted with a related encoding, approximately'),
  price_source: z.enum(PRICE_SOURCES), input_cost_usd: nullableUsd, output_cost_usd: nullableUsd, estimated_cost_usd: nullableUsd, note: z.string(),
});

const savingsProvider = z.object({
  id: z.string(), name: z.string(), display_name: z.string(), provider_type: z.enum(['local', 'remote']), request_count: z.number(),
  prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number(), actual_cost_usd: usd,
  unpriced_requests: z.number(), unpriced_tokens: z.number(),
});

export const savingsAnswer = z.object({
  days: z.number(), reference_model: z.string(), total_cost_usd: usd, total_tokens: z.number(), total_requests: z.number(),
  local_requests: z.number(), remote_requests: z.number(), unpriced_requests: z.number(), unpriced_tokens: z.number(),
  hypothetical_reference_cost_usd: usd, hypothetical_claude_cost_usd: usd, estimated_savings_usd: usd, savings_percentage: z.number(),
  providers: z.array(savingsProvider),
});

export const projectionAnswer = z.object({
  method: z.string(), window_days: z.number(), window_cost_usd: usd, daily_run_rate_usd: usd, projected_monthly_cost_usd: usd,
  unpriced_calls_in_window: z.number(), unpriced_tokens_in_window: z.number(),
});
