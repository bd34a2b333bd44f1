// Providers and their health on DuckDB: a handful of rows, read at boot, written on change.
import { DuckDBTimestampValue, type DuckDBValue } from '@duckdb/node-api';
import type { ProviderHealthRecord, ProviderRecord } from '../../domain/provider.js';
import type { ProviderRepository } from '../ports.js';
import type { DuckDbPool } from './connection-pool.js';

const timestamp = (ms: number | null) => (ms === null ? null : new DuckDBTimestampValue(BigInt(Math.round(ms)) * 1000n));
const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

export class DuckDbProviderRepository implements ProviderRepository {
  constructor(private readonly pool: DuckDbPool) {}

  async list(): Promise<ProviderRecord[]> {
    const rows = await this.pool.query('SELECT * EXCLUDE (models), CAST(models AS VARCHAR) AS models FROM providers ORDER BY priority, name');
    return rows.map((row) => ({
      name: String(row.name), display_name: String(row.display_name), type: String(row.type), provider_type: row.provider_type as 'local' | 'remote',
      base_url: String(row.base_url), api_key_sealed: row.api_key_sealed === null ? null : String(row.api_key_sealed), models: JSON.parse(String(row.models)) as string[],
      priority: Number(row.priority), timeout_seconds: Number(row.timeout_seconds), circuit_breaker_threshold: Number(row.circuit_breaker_threshold),
      circuit_breaker_timeout: Number(row.circuit_breaker_timeout), max_retries: Number(row.max_retries), is_enabled: Boolean(row.is_enabled),
      source: row.source as 'config' | 'api', created_at: Number(row.created_at), updated_at: Number(row.updated_at),
    }));
  }

  async upsert(p: ProviderRecord): Promise<void> {
    await this.pool.write((connection) => connection.run('INSERT OR REPLACE INTO providers VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)', [
      p.name, p.display_name, p.type, p.provider_type, p.base_url, p.api_key_sealed, JSON.stringify(p.models), p.priority, p.timeout_seconds,
      p.circuit_breaker_threshold, p.circuit_breaker_timeout, p.max_retries, p.is_enabled, p.source, timestamp(p.created_at), timestamp(p.updated_at),
    ] as DuckDBValue[]));
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.pool.write((connection) => connection.run('DELETE FROM providers WHERE name = $1', [name]));
    await this.pool.write((connection) => connection.run('DELETE FROM provider_health WHERE name = $1', [name]));
    return Number(result.rowsChanged) > 0;
  }

  async listHealth(): Promise<ProviderHealthRecord[]> {
    const rows = await this.pool.query('SELECT * FROM provider_health');
    return rows.map((row) => ({
      name: String(row.name), circuit_state: row.circuit_state as ProviderHealthRecord['circuit_state'], failure_count: Number(row.failure_count),
      total_requests: Number(row.total_requests), successful_requests: Number(row.successful_requests), failed_requests: Number(row.failed_requests),
      avg_response_time_ms: numberOrNull(row.avg_response_time_ms), last_success_at: numberOrNull(row.last_success_at), last_failure_at: numberOrNull(row.last_failure_at),
      updated_at: Number(row.updated_at),
    }));
  }

  async saveHealth(h: ProviderHealthRecord): Promise<void> {
    await this.pool.write((connection) => connection.run('INSERT OR REPLACE INTO provider_health VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
      h.name, h.circuit_state, h.failure_count, h.total_requests, h.successful_requests, h.failed_requests, h.avg_response_time_ms,
      timestamp(h.last_success_at), timestamp(h.last_failure_at), timestamp(h.updated_at),
    ] as DuckDBValue[]));
  }
}
