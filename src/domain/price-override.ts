// Cost settings (seed 001): a per-model price that wins over the catalog, per 1,000 tokens,
// or for local models an electricity cost per hour of model time.
import { z } from 'zod';

const price = z.number({ error: 'must be a number' }).min(0, 'must not be negative').max(10_000);

export const priceOverrideInputSchema = z.strictObject({
  model: z.string().min(1).max(256),
  cost_per_1k_input_tokens: price.nullish(),
  cost_per_1k_output_tokens: price.nullish(),
  electricity_cost_per_hour: price.nullish(),
}).superRefine((value, ctx) => {
  const tokenPrices = [value.cost_per_1k_input_tokens, value.cost_per_1k_output_tokens].filter((v) => v !== undefined && v !== null).length;
  if (tokenPrices === 1) ctx.addIssue({ code: 'custom', path: [value.cost_per_1k_input_tokens == null ? 'cost_per_1k_input_tokens' : 'cost_per_1k_output_tokens'], message: 'give both token prices, or neither' });
  if (tokenPrices === 0 && value.electricity_cost_per_hour == null) ctx.addIssue({ code: 'custom', path: ['cost_per_1k_input_tokens'], message: 'give token prices or electricity_cost_per_hour' });
});
export type PriceOverrideInput = z.infer<typeof priceOverrideInputSchema>;

export interface PriceOverride {
  project_id: string;
  model: string;
  cost_per_1k_input_tokens: number | null;
  cost_per_1k_output_tokens: number | null;
  electricity_cost_per_hour: number | null;
  updated_at: number;
}
