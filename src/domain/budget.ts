// Budgets: a spending limit per period and scope that alerts or blocks (seeds 001 and 004).
import { z } from 'zod';

export const BUDGET_TYPES = ['daily', 'weekly', 'monthly', 'total'] as const;
export type BudgetType = (typeof BUDGET_TYPES)[number];
export const BUDGET_SCOPES = ['global', 'provider', 'model', 'user', 'api_key', 'tag'] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];
export const BUDGET_ACTIONS = ['alert', 'block'] as const;
export type BudgetAction = (typeof BUDGET_ACTIONS)[number];

const fields = {
  name: z.string().min(1).max(128),
  budget_type: z.enum(BUDGET_TYPES),
  amount: z.number({ error: 'must be a number' }).positive('must be greater than 0').max(1e9),
  scope: z.enum(BUDGET_SCOPES).default('global'),
  /** The provider, model, user id, API key id or tag the budget applies to; none for global. */
  scope_value: z.string().min(1).max(256).nullish(),
  action: z.enum(BUDGET_ACTIONS).default('alert'),
  is_active: z.boolean().default(true),
};

function checkScope(value: { scope?: BudgetScope; scope_value?: string | null | undefined }, ctx: z.RefinementCtx): void {
  if (value.scope && value.scope !== 'global' && !value.scope_value) ctx.addIssue({ code: 'custom', path: ['scope_value'], message: `is required for scope '${value.scope}'` });
  if (value.scope === 'global' && value.scope_value) ctx.addIssue({ code: 'custom', path: ['scope_value'], message: "must be empty for scope 'global'" });
}

export const budgetInputSchema = z.strictObject(fields).superRefine(checkScope);
export const budgetPatchSchema = z.strictObject({
  name: fields.name.optional(), amount: fields.amount.optional(), action: z.enum(BUDGET_ACTIONS).optional(), is_active: z.boolean().optional(),
});
export type BudgetInput = z.infer<typeof budgetInputSchema>;
export type BudgetPatch = z.infer<typeof budgetPatchSchema>;

export interface Budget {
  id: string;
  project_id: string;
  name: string;
  budget_type: BudgetType;
  amount: number;
  scope: BudgetScope;
  scope_value: string | null;
  action: BudgetAction;
  is_active: boolean;
  created_at: number;
  updated_at: number;
}

/** Start of the budget's current period (UTC) and when it resets; a total budget never does. */
export function budgetPeriod(type: BudgetType, now: number): { start: number; resetAt: number | null } {
  const date = new Date(now);
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  if (type === 'daily') return { start: day, resetAt: day + 86_400_000 };
  if (type === 'weekly') {
    const monday = day - ((date.getUTCDay() + 6) % 7) * 86_400_000;
    return { start: monday, resetAt: monday + 7 * 86_400_000 };
  }
  if (type === 'monthly') return { start: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1), resetAt: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) };
  return { start: 0, resetAt: null };
}
