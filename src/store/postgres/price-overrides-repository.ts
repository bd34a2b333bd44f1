// Cost settings on PostgreSQL: a small table, written rarely, read into memory at boot.
import type pg from 'pg';
import type { PriceOverride } from '../../domain/price-override.js';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import type { PriceOverrideRepository } from '../ports.js';
import { queryRows } from './pg-pool.js';

const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

export class PgPriceOverrideRepository implements PriceOverrideRepository {
  constructor(private readonly pool: pg.Pool) {}

  async all(): Promise<PriceOverride[]> {
    const rows = await queryRows(this.pool, 'SELECT * FROM price_overrides ORDER BY project_id, model');
    return rows.map((row) => ({
      project_id: String(row.project_id), model: String(row.model),
      cost_per_1k_input_tokens: numberOrNull(row.cost_per_1k_input_tokens), cost_per_1k_output_tokens: numberOrNull(row.cost_per_1k_output_tokens),
      electricity_cost_per_hour: numberOrNull(row.electricity_cost_per_hour), updated_at: Number(row.updated_at),
    }));
  }

  async upsert(override: PriceOverride): Promise<void> {
    await this.pool.query(
      `INSERT INTO price_overrides (project_id, model, cost_per_1k_input_tokens, cost_per_1k_output_tokens, electricity_cost_per_hour, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (project_id, model) DO UPDATE SET cost_per_1k_input_tokens = EXCLUDED.cost_per_1k_input_tokens,
         cost_per_1k_output_tokens = EXCLUDED.cost_per_1k_output_tokens, electricity_cost_per_hour = EXCLUDED.electricity_cost_per_hour,
         updated_at = EXCLUDED.updated_at`,
      [override.project_id, override.model, override.cost_per_1k_input_tokens, override.cost_per_1k_output_tokens,
        override.electricity_cost_per_hour, sqlTimestamp(override.updated_at)],
    );
  }

  async delete(projectId: string, model: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM price_overrides WHERE project_id = $1 AND model = $2', [projectId, model]);
    return (result.rowCount ?? 0) > 0;
  }
}
