// Rate-limit counts in PostgreSQL: each instance adds its counts per key and second, and reads
// the others' of the last minute, in one statement a second (see gateway/shared-rate-sync.ts).
import type pg from 'pg';
import type { RateCount, SharedRateUsage } from '../ports.js';
import { queryRows } from './pg-pool.js';

const EXCHANGE = `
WITH added AS (
  INSERT INTO rate_usage (key_id, second, instance, requests, tokens)
  SELECT key_id, second, $1, requests, tokens FROM unnest($2::text[], $3::bigint[], $4::float8[], $5::float8[]) AS counted(key_id, second, requests, tokens)
  ON CONFLICT (key_id, second, instance) DO UPDATE SET requests = rate_usage.requests + EXCLUDED.requests, tokens = rate_usage.tokens + EXCLUDED.tokens
)
SELECT key_id, second, sum(requests) AS requests, sum(tokens) AS tokens
FROM rate_usage WHERE instance <> $1 AND second > $6
GROUP BY key_id, second`;

interface CountRow { key_id: string; second: string | number; requests: number; tokens: number }

export class PgSharedRateUsage implements SharedRateUsage {
  constructor(private readonly pool: pg.Pool) {}

  async exchange(instance: string, counts: readonly RateCount[], sinceSecond: number): Promise<RateCount[]> {
    const rows = await queryRows<CountRow>(this.pool, EXCHANGE, [
      instance, counts.map((count) => count.keyId), counts.map((count) => count.second), counts.map((count) => count.requests), counts.map((count) => count.tokens), sinceSecond,
    ]);
    return rows.map((row) => ({ keyId: row.key_id, second: Number(row.second), requests: Number(row.requests), tokens: Number(row.tokens) }));
  }

  async prune(beforeSecond: number): Promise<void> {
    await this.pool.query('DELETE FROM rate_usage WHERE second < $1', [beforeSecond]);
  }
}
