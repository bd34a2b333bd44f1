// Daily partitions of `calls`: created ahead for the coming week (at start and hourly), and
// on demand for whatever days a batch brings (imports of old calls, clocks ahead).
import type pg from 'pg';
import { checkout } from './pg-pool.js';
import { SEARCH_INDEXER_LOCK } from './search-indexer.js';

const DAY_MS = 86_400_000;
const DAYS_AHEAD = 7;
const AHEAD_INTERVAL_MS = 3_600_000;

export function utcDay(ms: number): string {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

export class CallPartitions {
  private readonly known = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly pool: pg.Pool) {}

  /** Makes sure a partition exists for each day of `timestamps` (epoch ms). */
  async ensureFor(timestamps: Iterable<number>): Promise<void> {
    const missing = new Set<string>();
    for (const ms of timestamps) {
      const day = utcDay(ms);
      if (!this.known.has(day)) missing.add(day);
    }
    if (missing.size === 0) return;
    const days = [...missing];
    // Outside the caller's transaction: a new partition is visible to every instance at once.
    const ensure = () => this.pool.query('SELECT ensure_calls_partition(day) FROM unnest($1::date[]) AS day', [days]);
    try {
      await ensure();
    } catch (error) {
      // Another instance created the partition while this one waited for the lock, and this
      // statement's catalog lookup could not see it yet: a new statement does.
      if ((error as { code?: string }).code !== '42P07') throw error;
      await ensure();
    }
    for (const day of days) this.known.add(day);
  }

  forgetAll(): void {
    this.known.clear();
  }

  async createAhead(now = Date.now()): Promise<void> {
    const days: number[] = [];
    for (let i = -1; i <= DAYS_AHEAD; i++) days.push(now + i * DAY_MS);
    await this.ensureFor(days);
  }

  startAhead(): void {
    this.timer = setInterval(() => {
      this.createAhead().catch(() => undefined);
    }, AHEAD_INTERVAL_MS);
    this.timer.unref();
  }

  /**
   * Retention: drops the partitions of the days before `before` (a UTC midnight) whole, which
   * costs no vacuum, and forgets their ids. Returns the number of calls dropped.
   */
  async dropBefore(before: number): Promise<number> {
    const cutoff = utcDay(before);
    const old = await this.pool.query<{ name: string }>(
      `SELECT c.relname AS name
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       WHERE p.oid = 'calls'::regclass AND c.relname ~ '^calls_[0-9]{8}$' AND c.relname < $1`,
      [`calls_${cutoff.replaceAll('-', '')}`],
    );
    let dropped = 0;
    for (const { name } of old.rows) {
      const client = await checkout(this.pool);
      try {
        await client.query('BEGIN');
        // Not while the search indexer moves rows, which may be this day's.
        await client.query(`SELECT pg_advisory_xact_lock(${SEARCH_INDEXER_LOCK})`);
        const counted = await client.query<{ n: number }>(`SELECT count(*) AS n FROM "${name}"`);
        await client.query(`DROP TABLE "${name}"`);
        await client.query(`DROP TABLE IF EXISTS "call_search_${name.slice(6)}"`);
        await client.query('COMMIT');
        dropped += Number(counted.rows[0]?.n ?? 0);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        // Another instance dropped it first.
        if (!/does not exist/.test((error as Error).message)) throw error;
      } finally {
        client.release();
      }
      this.known.delete(`${name.slice(6, 10)}-${name.slice(10, 12)}-${name.slice(12, 14)}`);
    }
    await this.pool.query('DELETE FROM call_ids WHERE started_at < $1::timestamp', [`${cutoff} 00:00:00`]);
    return dropped;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
