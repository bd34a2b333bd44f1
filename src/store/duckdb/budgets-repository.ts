// Budgets on DuckDB: a small table, written rarely; the guard keeps each budget in memory.
import type { DuckDBValue } from '@duckdb/node-api';
import type { Budget } from '../../domain/budget.js';
import { rowToBudget } from '../budget-rows.js';
import type { BudgetRepository } from '../ports.js';
import type { DuckDbPool } from './connection-pool.js';
import { duckTimestamp as timestamp } from './duck-timestamp.js';
import { DuckDbProjectTable } from './project-table.js';

export class DuckDbBudgetRepository implements BudgetRepository {
  private readonly table: DuckDbProjectTable<Budget>;

  constructor(private readonly pool: DuckDbPool) {
    this.table = new DuckDbProjectTable(pool, 'budgets', 'created_at', rowToBudget);
  }

  list(projectId?: string): Promise<Budget[]> {
    return this.table.list(projectId);
  }

  get(projectId: string, id: string): Promise<Budget | null> {
    return this.table.get(projectId, id);
  }

  async insert(budget: Budget): Promise<void> {
    await this.pool.write((connection) => connection.run('INSERT INTO budgets VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)', [
      budget.id, budget.project_id, budget.name, budget.budget_type, budget.amount, budget.scope, budget.scope_value, budget.action,
      budget.is_active, timestamp(budget.created_at), timestamp(budget.updated_at),
    ] as DuckDBValue[]));
  }

  async update(budget: Budget): Promise<void> {
    await this.pool.write((connection) => connection.run('UPDATE budgets SET name = $3, amount = $4, action = $5, is_active = $6, updated_at = $7 WHERE project_id = $1 AND id = $2', [
      budget.project_id, budget.id, budget.name, budget.amount, budget.action, budget.is_active, timestamp(budget.updated_at),
    ] as DuckDBValue[]));
  }

  delete(projectId: string, id: string): Promise<boolean> {
    return this.table.delete(projectId, id);
  }
}
