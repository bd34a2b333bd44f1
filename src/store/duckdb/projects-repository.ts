// Projects on DuckDB.
import type { Project } from '../../domain/project.js';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import type { ProjectRepository } from '../ports.js';
import type { DuckDbPool } from './connection-pool.js';

/** A project added before the switch existed has it on (NULL). */
const COLUMNS = 'id, name, created_at, COALESCE(capture_content, true) AS capture_content';

export class DuckDbProjectRepository implements ProjectRepository {
  constructor(private readonly pool: DuckDbPool) {}

  async ensure(id: string, name: string, createdAt?: number): Promise<Project> {
    await this.pool.write((connection) =>
      createdAt === undefined
        ? connection.run('INSERT INTO projects (id, name, created_at) VALUES ($1, $2, now()::TIMESTAMP) ON CONFLICT DO NOTHING', [id, name])
        : connection.run('INSERT INTO projects (id, name, created_at) VALUES ($1, $2, $3::TIMESTAMP) ON CONFLICT DO NOTHING', [id, name, sqlTimestamp(createdAt)]),
    );
    const project = await this.get(id);
    if (!project) throw new Error(`project ${id} could not be created`);
    return project;
  }

  async get(id: string): Promise<Project | null> {
    const rows = await this.pool.query<Project>(`SELECT ${COLUMNS} FROM projects WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  list(): Promise<Project[]> {
    return this.pool.query<Project>(`SELECT ${COLUMNS} FROM projects ORDER BY created_at`);
  }

  async setCaptureContent(id: string, capture: boolean): Promise<Project | null> {
    await this.pool.write((connection) => connection.run('UPDATE projects SET capture_content = $2 WHERE id = $1', [id, capture]));
    return this.get(id);
  }
}
