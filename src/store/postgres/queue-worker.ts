// A PostgreSQL store's background worker over a queue table (the search indexer, the rollup
// folder). Every instance runs one; each run is a transaction that first tries a lock shared by
// every instance, so one works at a time and the others skip their turn, and writers that must
// not interleave with a run (deletes, retention) wait on the same lock.
import type pg from 'pg';
import { BackgroundLoop } from '../background-loop.js';
import { checkout } from './pg-pool.js';

export interface QueueWork {
  /** The advisory lock key (an SQL expression). */
  lock: string;
  /** Takes some of the queue in the run's transaction; returns how many queue rows it took. */
  step(client: pg.PoolClient): Promise<number>;
  /** After a failed run (rolled back): repairs what it can and returns 0, or rethrows. */
  recover?(error: unknown): Promise<number>;
}

export class PgQueueWorker {
  private readonly loop = new BackgroundLoop(() => this.drain());

  constructor(private readonly pool: pg.Pool, private readonly work: QueueWork) {}

  /** One run: how many queue rows it took, or null when another instance held the lock. */
  async runOnce(): Promise<number | null> {
    const client = await checkout(this.pool);
    try {
      await client.query('BEGIN');
      const locked = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(${this.work.lock}) AS locked`);
      if (!locked.rows[0]?.locked) {
        await client.query('ROLLBACK');
        return null;
      }
      const taken = await this.work.step(client);
      await client.query('COMMIT');
      return taken;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (!this.work.recover) throw error;
      return this.work.recover(error);
    } finally {
      client.release();
    }
  }

  /** Runs until the queue is empty (or another instance holds the lock). */
  async drain(): Promise<void> {
    for (;;) {
      const taken = await this.runOnce();
      if (taken === null || taken === 0 || this.loop.isStopped) return;
    }
  }

  start(intervalMs: number): void {
    this.loop.start(intervalMs);
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
