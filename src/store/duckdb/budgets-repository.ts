// Budgets on DuckDB: a small table, written rarely; the guard keeps each budget in memory.
import { DuckDBTimestampValue, type DuckDBValue } from '@duckdb/node-api';
import type { Budget } from '../../domain/budget.js';
import { rowToBudget } from '../budget-rows.js';
import type { BudgetRepository } from '../ports.js';
import type { DuckDbPool } from './connection-pool.js';

const timestamp = (ms: number) => new DuckDBTimestampValue(BigInt(Math.round(ms)) * 1000n);

export class DuckDbBudgetRepository implements BudgetRepository {
  constructor(private readonly pool: DuckDbPool) {}

  async list(projectId?: string): Promise<Budget[]> {
    const rows = projectId === undefined
      ? await this.pool.query('SELECT * FROM budgets ORDER BY created_at')
      : await this.pool.query('SELECT * FROM budgets WHERE project_id = $1 ORDER BY created_at', [projectId]);
    return rows.map(rowToBudget);
  }

  async get(projectId: string, id: string): Promise<Budget | null> {
    const rows = await this.pool.query('SELECT * FROM budgets WHERE project_id = $1 AND id = $2', [projectId, id]);
    return rows[0] ? rowToBudget(rows[0]) : null;
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

  async delete(projectId: string, id: string): Promise<boolean> {
    const result = await this.pool.write((connection) => connection.run('DELETE FROM budgets WHERE project_id = $1 AND id = $2', [projectId, id]));
    return Number(result.rowsChanged) > 0;
  }
}
