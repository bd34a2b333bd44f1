// Providers and their health on DuckDB: a handful of rows, read at boot, written on change.
import type { DuckDBValue } from '@duckdb/node-api';
import type { ProviderHealthRecord, ProviderRecord } from '../../domain/provider.js';
import type { ProviderRepository } from '../ports.js';
import { healthValues, providerValues, rowToHealth, rowToProvider } from '../provider-rows.js';
import type { DuckDbPool } from './connection-pool.js';
import { duckTimestamp as timestamp } from './duck-timestamp.js';


export class DuckDbProviderRepository implements ProviderRepository {
  constructor(private readonly pool: DuckDbPool) {}

  async list(): Promise<ProviderRecord[]> {
    const rows = await this.pool.query('SELECT * EXCLUDE (models), CAST(models AS VARCHAR) AS models FROM providers ORDER BY priority, name');
    return rows.map(rowToProvider);
  }

  async upsert(p: ProviderRecord): Promise<void> {
    await this.pool.write((connection) => connection.run('INSERT OR REPLACE INTO providers VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)', providerValues(p, timestamp) as DuckDBValue[]));
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.pool.write((connection) => connection.run('DELETE FROM providers WHERE name = $1', [name]));
    await this.pool.write((connection) => connection.run('DELETE FROM provider_health WHERE name = $1', [name]));
    return Number(result.rowsChanged) > 0;
  }

  async listHealth(): Promise<ProviderHealthRecord[]> {
    const rows = await this.pool.query('SELECT * FROM provider_health');
    return rows.map(rowToHealth);
  }

  async saveHealth(h: ProviderHealthRecord): Promise<void> {
    await this.pool.write((connection) => connection.run('INSERT OR REPLACE INTO provider_health VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', healthValues(h, timestamp) as DuckDBValue[]));
  }
}
