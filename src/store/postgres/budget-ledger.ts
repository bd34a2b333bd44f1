// Budget spend and holds in PostgreSQL, shared by every instance on the database: each call
// here is one statement (the functions of migration 3), atomic under the counter's row lock.
import type pg from 'pg';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import type { BudgetCrossing, BudgetLedger, BudgetPeriodKey } from '../ports.js';
import { queryRows } from './pg-pool.js';

export class PgBudgetLedger implements BudgetLedger {
  constructor(private readonly pool: pg.Pool) {}

  async ensurePeriod(key: BudgetPeriodKey, spentNanos: number): Promise<boolean> {
    const result = await this.pool.query(
      'INSERT INTO budget_usage (budget_id, period_start, spent_nanos) VALUES ($1, $2, $3) ON CONFLICT (budget_id, period_start) DO NOTHING',
      [key.budgetId, sqlTimestamp(key.periodStart), spentNanos],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async reserve(holdId: string, keys: BudgetPeriodKey[], amountNanos: number, expiresInMs: number): Promise<{ refusedBudgetId: string; committedNanos: number } | null> {
    const rows = await queryRows<{ o_refused: string; o_committed: number }>(
      this.pool,
      'SELECT o_refused, o_committed FROM loupe_budget_reserve($1, $2::text[], $3::timestamp[], $4, $5)',
      [holdId, keys.map((key) => key.budgetId), keys.map((key) => sqlTimestamp(key.periodStart)), amountNanos, Math.round(expiresInMs)],
    );
    const refused = rows[0];
    return refused ? { refusedBudgetId: refused.o_refused, committedNanos: Number(refused.o_committed) } : null;
  }

  async settle(holdId: string | null, increments: (BudgetPeriodKey & { nanos: number })[]): Promise<BudgetCrossing[]> {
    if (holdId === null && increments.length === 0) return [];
    const rows = await queryRows<{ o_budget: string; o_threshold: number; o_spent: number; o_amount: number }>(
      this.pool,
      'SELECT o_budget, o_threshold, o_spent, o_amount FROM loupe_budget_settle($1, $2::text[], $3::timestamp[], $4::bigint[])',
      [holdId, increments.map((item) => item.budgetId), increments.map((item) => sqlTimestamp(item.periodStart)), increments.map((item) => item.nanos)],
    );
    return rows.map((row) => ({ budgetId: row.o_budget, threshold: Number(row.o_threshold), spentNanos: Number(row.o_spent), amountUsd: Number(row.o_amount) }));
  }

  async extend(holdIds: string[], expiresInMs: number): Promise<void> {
    if (holdIds.length === 0) return;
    await this.pool.query(
      "UPDATE budget_holds SET expires_at = (clock_timestamp() AT TIME ZONE 'UTC') + $2 * interval '1 millisecond' WHERE hold_id = ANY($1::text[])",
      [holdIds, Math.round(expiresInMs)],
    );
  }

  async usage(key: BudgetPeriodKey): Promise<{ spentNanos: number; heldNanos: number } | null> {
    return (await this.usages([key]))[0] ?? null;
  }

  async usages(keys: BudgetPeriodKey[]): Promise<({ spentNanos: number; heldNanos: number } | null)[]> {
    if (keys.length === 0) return [];
    const rows = await queryRows<{ i: string; spent: number; held: number }>(
      this.pool,
      `SELECT k.i, u.spent_nanos AS spent,
         (SELECT coalesce(sum(h.amount_nanos), 0) FROM budget_holds h WHERE h.budget_id = u.budget_id AND h.expires_at > (clock_timestamp() AT TIME ZONE 'UTC')) AS held
       FROM unnest($1::text[], $2::timestamp[]) WITH ORDINALITY AS k(budget_id, period_start, i)
       JOIN budget_usage u ON u.budget_id = k.budget_id AND u.period_start = k.period_start`,
      [keys.map((key) => key.budgetId), keys.map((key) => sqlTimestamp(key.periodStart))],
    );
    const found = new Array<{ spentNanos: number; heldNanos: number } | null>(keys.length).fill(null);
    for (const row of rows) found[Number(row.i) - 1] = { spentNanos: Number(row.spent), heldNanos: Number(row.held) };
    return found;
  }
}
