// Providers and their health on PostgreSQL. Health rows are shared by every instance on the
// database: each instance saves its view, and the newest write wins.
import type pg from 'pg';
import type { ProviderHealthRecord, ProviderRecord } from '../../domain/provider.js';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import type { ProviderRepository } from '../ports.js';
import { queryRows } from './pg-pool.js';

const timestamp = (ms: number | null) => (ms === null ? null : sqlTimestamp(ms));
const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

const PROVIDER_COLUMNS = ['name', 'display_name', 'type', 'provider_type', 'base_url', 'api_key_sealed', 'models', 'priority', 'timeout_seconds',
  'circuit_breaker_threshold', 'circuit_breaker_timeout', 'max_retries', 'is_enabled', 'source', 'created_at', 'updated_at'];
const HEALTH_COLUMNS = ['name', 'circuit_state', 'failure_count', 'total_requests', 'successful_requests', 'failed_requests', 'avg_response_time_ms',
  'last_success_at', 'last_failure_at', 'updated_at'];

function upsertSql(table: string, columns: string[], key: string): string {
  const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
  const updates = columns.filter((column) => column !== key).map((column) => `${column} = EXCLUDED.${column}`).join(', ');
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders}) ON CONFLICT (${key}) DO UPDATE SET ${updates}`;
}

const UPSERT_PROVIDER = upsertSql('providers', PROVIDER_COLUMNS, 'name');
const UPSERT_HEALTH = upsertSql('provider_health', HEALTH_COLUMNS, 'name');

export class PgProviderRepository implements ProviderRepository {
  constructor(private readonly pool: pg.Pool) {}

  async list(): Promise<ProviderRecord[]> {
    const rows = await queryRows(this.pool, 'SELECT * FROM providers ORDER BY priority, name');
    return rows.map((row) => ({
      name: String(row.name), display_name: String(row.display_name), type: String(row.type), provider_type: row.provider_type as 'local' | 'remote',
      base_url: String(row.base_url), api_key_sealed: row.api_key_sealed === null ? null : String(row.api_key_sealed), models: JSON.parse(String(row.models)) as string[],
      priority: Number(row.priority), timeout_seconds: Number(row.timeout_seconds), circuit_breaker_threshold: Number(row.circuit_breaker_threshold),
      circuit_breaker_timeout: Number(row.circuit_breaker_timeout), max_retries: Number(row.max_retries), is_enabled: Boolean(row.is_enabled),
      source: row.source as 'config' | 'api', created_at: Number(row.created_at), updated_at: Number(row.updated_at),
    }));
  }

  async upsert(p: ProviderRecord): Promise<void> {
    await this.pool.query(UPSERT_PROVIDER, [
      p.name, p.display_name, p.type, p.provider_type, p.base_url, p.api_key_sealed, JSON.stringify(p.models), p.priority, p.timeout_seconds,
      p.circuit_breaker_threshold, p.circuit_breaker_timeout, p.max_retries, p.is_enabled, p.source, timestamp(p.created_at), timestamp(p.updated_at),
    ]);
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM providers WHERE name = $1', [name]);
    await this.pool.query('DELETE FROM provider_health WHERE name = $1', [name]);
    return (result.rowCount ?? 0) > 0;
  }

  async listHealth(): Promise<ProviderHealthRecord[]> {
    const rows = await queryRows(this.pool, 'SELECT * FROM provider_health ORDER BY name');
    return rows.map((row) => ({
      name: String(row.name), circuit_state: row.circuit_state as ProviderHealthRecord['circuit_state'], failure_count: Number(row.failure_count),
      total_requests: Number(row.total_requests), successful_requests: Number(row.successful_requests), failed_requests: Number(row.failed_requests),
      avg_response_time_ms: numberOrNull(row.avg_response_time_ms), last_success_at: numberOrNull(row.last_success_at), last_failure_at: numberOrNull(row.last_failure_at),
      updated_at: Number(row.updated_at),
    }));
  }

  async saveHealth(h: ProviderHealthRecord): Promise<void> {
    await this.pool.query(UPSERT_HEALTH, [
      h.name, h.circuit_state, h.failure_count, h.total_requests, h.successful_requests, h.failed_requests, h.avg_response_time_ms,
      timestamp(h.last_success_at), timestamp(h.last_failure_at), timestamp(h.updated_at),
    ]);
  }
}
