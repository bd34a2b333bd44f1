// Seed 000's research loop configuration on DuckDB: one JSON document per project.
import type { DuckDBValue } from '@duckdb/node-api';
import type { ResearchConfigRepository } from '../ports.js';
import type { DuckDbPool } from './connection-pool.js';
import { duckTimestamp } from './duck-timestamp.js';

export class DuckDbResearchConfigRepository implements ResearchConfigRepository {
  constructor(private readonly pool: DuckDbPool) {}

  async get(projectId: string): Promise<{ document: unknown; updated_at: number } | null> {
    const rows = await this.pool.query<{ document: unknown; updated_at: number }>(
      'SELECT CAST(document AS VARCHAR) AS document, updated_at FROM research_config WHERE project_id = $1',
      [projectId],
    );
    const row = rows[0];
    if (!row) return null;
    return { document: JSON.parse(String(row.document)) as unknown, updated_at: row.updated_at };
  }

  async put(projectId: string, document: unknown, at: number): Promise<void> {
    const when = duckTimestamp(at);
    await this.pool.write((connection) =>
      connection.run('INSERT OR REPLACE INTO research_config (project_id, document, updated_at) VALUES ($1, $2, $3)', [
        projectId, JSON.stringify(document), when,
      ] as DuckDBValue[]),
    );
  }
}
