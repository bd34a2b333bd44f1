// Projects on PostgreSQL.
import type pg from 'pg';
import type { Project } from '../../domain/project.js';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import type { ProjectRepository } from '../ports.js';
import { queryRows } from './pg-pool.js';

export class PgProjectRepository implements ProjectRepository {
  constructor(private readonly pool: pg.Pool) {}

  async ensure(id: string, name: string, createdAt = Date.now()): Promise<Project> {
    await this.pool.query('INSERT INTO projects (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [id, name, sqlTimestamp(createdAt)]);
    const project = await this.get(id);
    if (!project) throw new Error(`project ${id} could not be created`);
    return project;
  }

  async get(id: string): Promise<Project | null> {
    const rows = await queryRows<Project>(this.pool, 'SELECT id, name, created_at, capture_content FROM projects WHERE id = $1', [id]);
    return rows[0] ?? null;
  }

  list(): Promise<Project[]> {
    return queryRows<Project>(this.pool, 'SELECT id, name, created_at, capture_content FROM projects ORDER BY created_at, id');
  }

  async setCaptureContent(id: string, capture: boolean): Promise<Project | null> {
    await this.pool.query('UPDATE projects SET capture_content = $2 WHERE id = $1', [id, capture]);
    return this.get(id);
  }
}
