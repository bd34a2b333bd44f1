// Seed 000's research loop configuration on PostgreSQL: one JSON document per project.
import type pg from 'pg';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import type { ResearchConfigRepository } from '../ports.js';
import { queryRows } from './pg-pool.js';

export class PgResearchConfigRepository implements ResearchConfigRepository {
  constructor(private readonly pool: pg.Pool) {}

  async get(projectId: string): Promise<{ document: unknown; updated_at: number } | null> {
    const rows = await queryRows<{ document: string; updated_at: number }>(this.pool, 'SELECT document, updated_at FROM research_config WHERE project_id = $1', [projectId]);
    const row = rows[0];
    if (!row) return null;
    return { document: JSON.parse(row.document) as unknown, updated_at: row.updated_at };
  }

  async put(projectId: string, document: unknown, at: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO research_config (project_id, document, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (project_id) DO UPDATE SET document = EXCLUDED.document, updated_at = EXCLUDED.updated_at`,
      [projectId, JSON.stringify(document), sqlTimestamp(at)],
    );
  }
}
