// Projects on DuckDB.
import type { Project } from '../../domain/project.js';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import type { ProjectRepository } from '../ports.js';
import type { DuckDbPool } from './connection-pool.js';

export class DuckDbProjectRepository implements ProjectRepository {
  constructor(private readonly pool: DuckDbPool) {}

  async ensure(id: string, name: string, createdAt?: number): Promise<Project> {
    await this.pool.write((connection) =>
      createdAt === undefined
        ? connection.run('INSERT INTO projects VALUES ($1, $2, now()::TIMESTAMP) ON CONFLICT DO NOTHING', [id, name])
        : connection.run('INSERT INTO projects VALUES ($1, $2, $3::TIMESTAMP) ON CONFLICT DO NOTHING', [id, name, sqlTimestamp(createdAt)]),
    );
    const project = await this.get(id);
    if (!project) throw new Error(`project ${id} could not be created`);
    return project;
  }

  async get(id: string): Promise<Project | null> {
    const rows = await this.pool.query<Project>('SELECT id, name, created_at FROM projects WHERE id = $1', [id]);
    return rows[0] ?? null;
  }

  list(): Promise<Project[]> {
    return this.pool.query<Project>('SELECT id, name, created_at FROM projects ORDER BY created_at');
  }
}
