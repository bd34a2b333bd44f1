// What a budget has spent in its current period, from the stored calls.
import { budgetPeriod, type Budget } from '../domain/budget.js';
import type { CallRecord } from '../domain/call-record.js';
import type { SqlReader } from '../store/ports.js';
import { sqlTimestamp } from '../analytics/sql-params.js';
import { arrayContains } from '../store/sql-dialect.js';

const SCOPE_COLUMNS = { provider: 'provider', model: 'model', user: 'user_id', api_key: 'api_key_id' } as const;

export async function spentInPeriod(reader: SqlReader, budget: Budget, now: number): Promise<number> {
  const { start } = budgetPeriod(budget.budget_type, now);
  const params: unknown[] = [budget.project_id, sqlTimestamp(start)];
  let scope = '';
  if (budget.scope === 'tag') {
    params.push(budget.scope_value);
    scope = ` AND ${arrayContains(reader.dialect, 'tags', '$3')}`;
  } else if (budget.scope !== 'global') {
    params.push(budget.scope_value);
    scope = ` AND ${SCOPE_COLUMNS[budget.scope]} = $3`;
  }
  const rows = await reader.query<{ spent: number | null }>(
    `SELECT sum(cost_usd) AS spent FROM calls WHERE project_id = $1 AND started_at >= CAST($2 AS TIMESTAMP)${scope}`,
    params,
  );
  return Number(rows[0]?.spent ?? 0);
}

export interface ScopeKeys {
  projectId: string;
  provider: string;
  model: string;
  userId: string | null;
  apiKeyId: string | null;
  tags: readonly string[];
}

export function budgetApplies(budget: Budget, keys: ScopeKeys): boolean {
  if (!budget.is_active || budget.project_id !== keys.projectId) return false;
  switch (budget.scope) {
    case 'global': return true;
    case 'provider': return keys.provider === budget.scope_value;
    case 'model': return keys.model === budget.scope_value;
    case 'user': return keys.userId === budget.scope_value;
    case 'api_key': return keys.apiKeyId === budget.scope_value;
    case 'tag': return budget.scope_value !== null && keys.tags.includes(budget.scope_value);
  }
}

export function keysOfCall(call: CallRecord): ScopeKeys {
  return { projectId: call.project_id, provider: call.provider, model: call.model, userId: call.user_id, apiKeyId: call.api_key_id, tags: call.tags };
}
