// API keys on DuckDB (hashes only).
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import { duckTimestamp as timestamp } from './duck-timestamp.js';
import type { ApiKeySettings, ApiKeyRecord } from '../../domain/api-key.js';
import type { ApiKeyRepository } from '../ports.js';
import type { DuckDbPool } from './connection-pool.js';

const COLUMNS = 'id, project_id, name, prefix, hash, scopes, created_at, revoked_at, rate_limit_rpm, rate_limit_tpm, allowed_models, expires_at';

/** A model list for a VARCHAR[] parameter (null: any model). */
const modelList = (models: string[] | null | undefined): DuckDBValue => (models ? listValue(models) : null);

export class DuckDbApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly pool: DuckDbPool) {}

  async insert(key: ApiKeyRecord): Promise<void> {
    await this.pool.write((connection) =>
      connection.run(`INSERT INTO api_keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, $10, $11)`, [
        key.id, key.project_id, key.name, key.prefix, key.hash, listValue(key.scopes), timestamp(key.created_at),
        key.rate_limit_rpm ?? null, key.rate_limit_tpm === null || key.rate_limit_tpm === undefined ? null : BigInt(key.rate_limit_tpm), modelList(key.allowed_models),
        key.expires_at == null ? null : timestamp(key.expires_at),
      ] as DuckDBValue[]),
    );
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | null> {
    const rows = await this.pool.query<ApiKeyRecord>(`SELECT ${COLUMNS} FROM api_keys WHERE hash = $1`, [hash]);
    return rows[0] ?? null;
  }

  async get(projectId: string, id: string): Promise<ApiKeyRecord | null> {
    const rows = await this.pool.query<ApiKeyRecord>(`SELECT ${COLUMNS} FROM api_keys WHERE project_id = $1 AND id = $2`, [projectId, id]);
    return rows[0] ?? null;
  }

  list(projectId: string): Promise<ApiKeyRecord[]> {
    return this.pool.query<ApiKeyRecord>(`SELECT ${COLUMNS} FROM api_keys WHERE project_id = $1 ORDER BY created_at`, [projectId]);
  }

  async revoke(projectId: string, id: string, at: number): Promise<boolean> {
    return this.pool.write(async (connection) => {
      const result = await connection.run(
        'UPDATE api_keys SET revoked_at = $1 WHERE project_id = $2 AND id = $3 AND revoked_at IS NULL',
        [timestamp(at), projectId, id] as DuckDBValue[],
      );
      return Number(result.rowsChanged) > 0;
    });
  }

  async updateSettings(projectId: string, id: string, settings: ApiKeySettings): Promise<boolean> {
    return this.pool.write(async (connection) => {
      const result = await connection.run(
        'UPDATE api_keys SET rate_limit_rpm = $1, rate_limit_tpm = $2, allowed_models = $3, expires_at = $4 WHERE project_id = $5 AND id = $6 AND revoked_at IS NULL',
        [
          settings.rate_limit_rpm, settings.rate_limit_tpm === null ? null : BigInt(settings.rate_limit_tpm), modelList(settings.allowed_models),
          settings.expires_at === null ? null : timestamp(settings.expires_at), projectId, id,
        ] as DuckDBValue[],
      );
      return Number(result.rowsChanged) > 0;
    });
  }

  async countActive(): Promise<number> {
    const rows = await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL');
    return rows[0]?.n ?? 0;
  }
}
