// Circuit breakers in PostgreSQL, shared by every instance on the database: each transition
// is one call of a function of migration 3, under the provider's row lock, and returns the
// state before and after it so that only the instance that changed it announces the change.
import type pg from 'pg';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import type { BreakerWrite, HealthCounterDelta, SharedBreakers, SharedBreakerState, SharedCircuitState } from '../ports.js';
import type { ProviderHealthRecord } from '../../domain/provider.js';
import { rowToHealth } from '../provider-rows.js';
import { queryRows } from './pg-pool.js';

interface WriteRow { o_from: string; o_state: string; o_open_until: number | null; o_failures: number }

function toWrite(name: string, row: WriteRow): BreakerWrite {
  return { name, from: row.o_from as SharedCircuitState, state: row.o_state as SharedCircuitState, openUntil: row.o_open_until === null ? null : Number(row.o_open_until), failureCount: Number(row.o_failures) };
}

const nullableTimestamp = (ms: number | null) => (ms === null ? null : sqlTimestamp(ms));

export class PgSharedBreakers implements SharedBreakers {
  constructor(private readonly pool: pg.Pool) {}

  async failure(name: string, rule: { threshold: number; openMs: number; retryAfterMs: number | null }): Promise<BreakerWrite> {
    const rows = await queryRows<WriteRow>(this.pool, 'SELECT * FROM loupe_breaker_failure($1, $2, $3, $4)', [name, rule.threshold, Math.round(rule.openMs), rule.retryAfterMs === null ? null : Math.round(rule.retryAfterMs)]);
    return toWrite(name, rows[0]!);
  }

  async success(name: string): Promise<BreakerWrite> {
    const rows = await queryRows<WriteRow>(this.pool, 'SELECT * FROM loupe_breaker_success($1)', [name]);
    return toWrite(name, rows[0]!);
  }

  async acquireProbe(name: string, leaseMs: number): Promise<BreakerWrite | null> {
    const rows = await queryRows<WriteRow>(this.pool, 'SELECT * FROM loupe_breaker_probe($1, $2)', [name, Math.round(leaseMs)]);
    return rows[0] ? toWrite(name, rows[0]) : null;
  }

  async releaseProbe(name: string): Promise<void> {
    await this.pool.query("UPDATE provider_health SET probe_until = NULL WHERE name = $1 AND circuit_state = 'half_open'", [name]);
  }

  async addCounters(deltas: HealthCounterDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    // The stored average is weighted by successes, so sums from several instances combine exactly.
    await this.pool.query(
      `INSERT INTO provider_health AS h (name, circuit_state, failure_count, total_requests, successful_requests, failed_requests, avg_response_time_ms, last_success_at, last_failure_at, updated_at)
       SELECT d.name, 'closed', 0, d.total, d.successes, d.failures, CASE WHEN d.successes > 0 THEN d.latency / d.successes END, d.last_success, d.last_failure, clock_timestamp() AT TIME ZONE 'UTC'
       FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::float8[], $6::timestamp[], $7::timestamp[]) AS d(name, total, successes, failures, latency, last_success, last_failure)
       ON CONFLICT (name) DO UPDATE SET
         total_requests = h.total_requests + EXCLUDED.total_requests,
         successful_requests = h.successful_requests + EXCLUDED.successful_requests,
         failed_requests = h.failed_requests + EXCLUDED.failed_requests,
         avg_response_time_ms = CASE WHEN h.successful_requests + EXCLUDED.successful_requests > 0
           THEN (coalesce(h.avg_response_time_ms, 0) * h.successful_requests + coalesce(EXCLUDED.avg_response_time_ms, 0) * EXCLUDED.successful_requests) / (h.successful_requests + EXCLUDED.successful_requests)
           ELSE h.avg_response_time_ms END,
         last_success_at = greatest(h.last_success_at, EXCLUDED.last_success_at),
         last_failure_at = greatest(h.last_failure_at, EXCLUDED.last_failure_at),
         updated_at = EXCLUDED.updated_at`,
      [
        deltas.map((d) => d.name), deltas.map((d) => d.total), deltas.map((d) => d.successes), deltas.map((d) => d.failures), deltas.map((d) => d.latencySumMs),
        deltas.map((d) => nullableTimestamp(d.lastSuccessAt)), deltas.map((d) => nullableTimestamp(d.lastFailureAt)),
      ],
    );
  }

  async states(): Promise<(SharedBreakerState & { health: ProviderHealthRecord })[]> {
    const rows = await queryRows(this.pool, 'SELECT * FROM provider_health ORDER BY name');
    return rows.map((row) => {
      const health = rowToHealth(row);
      return { name: health.name, state: health.circuit_state, openUntil: row.open_until === null || row.open_until === undefined ? null : Number(row.open_until), failureCount: health.failure_count, health };
    });
  }
}
