// Cost settings on DuckDB: a small table, written rarely, read into memory at boot.
import type { DuckDBValue } from '@duckdb/node-api';
import type { PriceOverride } from '../../domain/price-override.js';
import type { PriceOverrideRepository } from '../ports.js';
import type { DuckDbPool } from './connection-pool.js';
import { duckTimestamp as timestamp } from './duck-timestamp.js';

const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

export class DuckDbPriceOverrideRepository implements PriceOverrideRepository {
  constructor(private readonly pool: DuckDbPool) {}

  async all(): Promise<PriceOverride[]> {
    const rows = await this.pool.query('SELECT * FROM price_overrides ORDER BY project_id, model');
    return rows.map((row) => ({
      project_id: String(row.project_id), model: String(row.model),
      cost_per_1k_input_tokens: numberOrNull(row.cost_per_1k_input_tokens), cost_per_1k_output_tokens: numberOrNull(row.cost_per_1k_output_tokens),
      electricity_cost_per_hour: numberOrNull(row.electricity_cost_per_hour), updated_at: Number(row.updated_at),
    }));
  }

  async upsert(override: PriceOverride): Promise<void> {
    await this.pool.write((connection) => connection.run('INSERT OR REPLACE INTO price_overrides VALUES ($1, $2, $3, $4, $5, $6)', [
      override.project_id, override.model, override.cost_per_1k_input_tokens, override.cost_per_1k_output_tokens,
      override.electricity_cost_per_hour, timestamp(override.updated_at),
    ] as DuckDBValue[]));
  }

  async delete(projectId: string, model: string): Promise<boolean> {
    const result = await this.pool.write((connection) => connection.run('DELETE FROM price_overrides WHERE project_id = $1 AND model = $2', [projectId, model]));
    return Number(result.rowsChanged) > 0;
  }
}
