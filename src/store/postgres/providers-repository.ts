// Providers and their health on PostgreSQL. Health rows are shared by every instance on the
// database: breakers change through atomic transitions and counters are added to, never
// overwritten (shared-breakers.ts).
import type pg from 'pg';
import type { ProviderHealthRecord, ProviderRecord } from '../../domain/provider.js';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import type { ProviderRepository } from '../ports.js';
import { healthValues, providerValues, rowToHealth, rowToProvider } from '../provider-rows.js';
import { queryRows } from './pg-pool.js';
import { PgSharedBreakers } from './shared-breakers.js';

const timestamp = (ms: number | null) => (ms === null ? null : sqlTimestamp(ms));

const PROVIDER_COLUMNS = ['name', 'display_name', 'type', 'provider_type', 'base_url', 'api_key_sealed', 'models', 'priority', 'timeout_seconds',
  'circuit_breaker_threshold', 'circuit_breaker_timeout', 'max_retries', 'is_enabled', 'source', 'created_at', 'updated_at', 'allow_client_key'];
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
  readonly breakers: PgSharedBreakers;

  constructor(private readonly pool: pg.Pool) {
    this.breakers = new PgSharedBreakers(pool);
  }

  async list(): Promise<ProviderRecord[]> {
    const rows = await queryRows(this.pool, 'SELECT * FROM providers ORDER BY priority, name');
    return rows.map(rowToProvider);
  }

  async upsert(p: ProviderRecord): Promise<void> {
    await this.pool.query(UPSERT_PROVIDER, providerValues(p, timestamp));
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM providers WHERE name = $1', [name]);
    await this.pool.query('DELETE FROM provider_health WHERE name = $1', [name]);
    return (result.rowCount ?? 0) > 0;
  }

  async listHealth(): Promise<ProviderHealthRecord[]> {
    const rows = await queryRows(this.pool, 'SELECT * FROM provider_health ORDER BY name');
    return rows.map(rowToHealth);
  }

  async saveHealth(h: ProviderHealthRecord): Promise<void> {
    await this.pool.query(UPSERT_HEALTH, healthValues(h, timestamp));
  }
}
