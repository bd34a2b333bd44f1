// Budgets on PostgreSQL: a small table, written rarely, and the ledger of their spend and holds
// that every instance on the database enforces together.
import type pg from 'pg';
import type { Budget } from '../../domain/budget.js';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import { rowToBudget } from '../budget-rows.js';
import type { BudgetRepository } from '../ports.js';
import { PgBudgetLedger } from './budget-ledger.js';
import { PgProjectTable } from './project-table.js';

export class PgBudgetRepository implements BudgetRepository {
  readonly ledger: PgBudgetLedger;
  private readonly table: PgProjectTable<Budget>;

  constructor(private readonly pool: pg.Pool) {
    this.ledger = new PgBudgetLedger(pool);
    this.table = new PgProjectTable(pool, 'budgets', 'created_at, id', rowToBudget);
  }

  list(projectId?: string): Promise<Budget[]> {
    return this.table.list(projectId);
  }

  get(projectId: string, id: string): Promise<Budget | null> {
    return this.table.get(projectId, id);
  }

  async insert(budget: Budget): Promise<void> {
    await this.pool.query(
      `INSERT INTO budgets (id, project_id, name, budget_type, amount, scope, scope_value, action, is_active, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [budget.id, budget.project_id, budget.name, budget.budget_type, budget.amount, budget.scope, budget.scope_value, budget.action,
        budget.is_active, sqlTimestamp(budget.created_at), sqlTimestamp(budget.updated_at)],
    );
  }

  async update(budget: Budget): Promise<void> {
    await this.pool.query('UPDATE budgets SET name = $3, amount = $4, action = $5, is_active = $6, updated_at = $7 WHERE project_id = $1 AND id = $2', [
      budget.project_id, budget.id, budget.name, budget.amount, budget.action, budget.is_active, sqlTimestamp(budget.updated_at),
    ]);
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    const deleted = await this.table.delete(projectId, id);
    if (deleted) {
      await this.pool.query('DELETE FROM budget_usage WHERE budget_id = $1', [id]);
      await this.pool.query('DELETE FROM budget_holds WHERE budget_id = $1', [id]);
    }
    return deleted;
  }
}
