// A budget row as both engines store it, mapped back to the domain record.
import type { Budget, BudgetAction, BudgetScope, BudgetType } from '../domain/budget.js';

export function rowToBudget(row: Record<string, unknown>): Budget {
  return {
    id: String(row.id), project_id: String(row.project_id), name: String(row.name), budget_type: row.budget_type as BudgetType,
    amount: Number(row.amount), scope: row.scope as BudgetScope, scope_value: row.scope_value === null ? null : String(row.scope_value),
    action: row.action as BudgetAction, is_active: Boolean(row.is_active), created_at: Number(row.created_at), updated_at: Number(row.updated_at),
  };
}
