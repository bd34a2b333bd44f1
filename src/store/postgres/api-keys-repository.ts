// API keys on PostgreSQL (hashes only).
import type pg from 'pg';
import type { ApiKeySettings, ApiKeyRecord } from '../../domain/api-key.js';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import type { ApiKeyRepository } from '../ports.js';
import { queryRows } from './pg-pool.js';

const COLUMNS = 'id, project_id, name, prefix, hash, scopes, created_at, revoked_at, rate_limit_rpm, rate_limit_tpm, allowed_models, expires_at';

export class PgApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly pool: pg.Pool) {}

  async insert(key: ApiKeyRecord): Promise<void> {
    await this.pool.query(`INSERT INTO api_keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, $10, $11)`, [
      key.id, key.project_id, key.name, key.prefix, key.hash, key.scopes, sqlTimestamp(key.created_at), key.rate_limit_rpm ?? null, key.rate_limit_tpm ?? null, key.allowed_models ?? null,
      key.expires_at == null ? null : sqlTimestamp(key.expires_at),
    ]);
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | null> {
    const rows = await queryRows<ApiKeyRecord>(this.pool, `SELECT ${COLUMNS} FROM api_keys WHERE hash = $1`, [hash]);
    return rows[0] ?? null;
  }

  async get(projectId: string, id: string): Promise<ApiKeyRecord | null> {
    const rows = await queryRows<ApiKeyRecord>(this.pool, `SELECT ${COLUMNS} FROM api_keys WHERE project_id = $1 AND id = $2`, [projectId, id]);
    return rows[0] ?? null;
  }

  list(projectId: string): Promise<ApiKeyRecord[]> {
    return queryRows<ApiKeyRecord>(this.pool, `SELECT ${COLUMNS} FROM api_keys WHERE project_id = $1 ORDER BY created_at`, [projectId]);
  }

  async revoke(projectId: string, id: string, at: number): Promise<boolean> {
    const result = await this.pool.query('UPDATE api_keys SET revoked_at = $1 WHERE project_id = $2 AND id = $3 AND revoked_at IS NULL', [sqlTimestamp(at), projectId, id]);
    return (result.rowCount ?? 0) > 0;
  }

  async updateSettings(projectId: string, id: string, settings: ApiKeySettings): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE api_keys SET rate_limit_rpm = $1, rate_limit_tpm = $2, allowed_models = $3, expires_at = $4 WHERE project_id = $5 AND id = $6 AND revoked_at IS NULL',
      [settings.rate_limit_rpm, settings.rate_limit_tpm, settings.allowed_models, settings.expires_at === null ? null : sqlTimestamp(settings.expires_at), projectId, id],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async countActive(): Promise<number> {
    const rows = await queryRows<{ n: number }>(this.pool, 'SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL');
    return rows[0]?.n ?? 0;
  }
}
