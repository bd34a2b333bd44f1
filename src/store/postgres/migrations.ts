// Versioned schema migrations for PostgreSQL; each runs once, in order, in a transaction,
// under an advisory lock so instances starting together do not race.
import type pg from 'pg';
import { checkout } from './pg-pool.js';
import { PG_SEARCH_TEXT } from '../sql-dialect.js';
import {
  addCallsStatements, addedRollupsMigrationSql, FOLDED_ONLY_SQL, memberHoursMigrationSql, physicalTables, rollupDdl, ROLLUP_QUEUE_TABLE, tableDdl,
} from '../../analytics/rollups/rollup-schema.js';
import { PEOPLE_ROLLUP_TABLES } from '../../analytics/rollups/people-rollup-schema.js';
import { TAG_ROLLUPS } from '../../analytics/rollups/tag-rollup-schema.js';
import { ERROR_ROLLUPS } from '../../analytics/rollups/error-rollup-schema.js';
import { PERSON_SESSION_BITS_DDL, setPersonSessionBitsStatement } from '../../analytics/rollups/person-session-bitmaps.js';
import { ROLLUP_FOLDER_LOCK } from './rollup-queue.js';
import { memberBitsMigrationSql } from '../../analytics/rollups/member-bitmaps.js';
import { SEARCH_SIDE_TABLE_MIGRATION } from './search-side-table.js';
import { OUTCOME_SESSION_MIGRATION_SQL } from '../outcome-rows.js';

/**
 * Migration 10: the day rollups per agent and user and their session bitmaps, filled from the
 * calls already folded (the folder adds the queued ones), under the folder's lock so that no
 * fold runs in between. Every instance must run this version from then on: an older one would
 * fold calls without adding them to these tables.
 */
function peopleRollupsMigrationSql(): string {
  const tables = physicalTables(PEOPLE_ROLLUP_TABLES).map(([table, , name]) => tableDdl(table, name, 'postgres'));
  const fill = [...addCallsStatements({ where: FOLDED_ONLY_SQL, params: [] }, PEOPLE_ROLLUP_TABLES), setPersonSessionBitsStatement({ where: FOLDED_ONLY_SQL, params: [] })];
  return [`SELECT pg_advisory_xact_lock(${ROLLUP_FOLDER_LOCK});`, ...tables, PERSON_SESSION_BITS_DDL, ...fill.map((statement) => `${statement.sql};`)].join('\n');
}

const FOLDER_LOCK = `SELECT pg_advisory_xact_lock(${ROLLUP_FOLDER_LOCK})`;

interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const POSTGRES_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'core tables',
    sql: `
      CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TIMESTAMP NOT NULL
      );
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        name TEXT NOT NULL,
        prefix TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        scopes TEXT[] NOT NULL,
        created_at TIMESTAMP NOT NULL,
        revoked_at TIMESTAMP
      );
      CREATE INDEX api_keys_project ON api_keys (project_id, created_at);
      -- One partition per UTC day (see partitions.ts): retention drops whole days, and time
      -- filters prune partitions. The key must include the partition column, so ids are kept
      -- unique by call_ids below.
      CREATE TABLE calls (
        id TEXT NOT NULL,
        request_id TEXT NOT NULL,
        project_id TEXT NOT NULL,
        trace_id TEXT,
        parent_id TEXT,
        started_at TIMESTAMP NOT NULL,
        ended_at TIMESTAMP,
        latency_ms DOUBLE PRECISION,
        ttft_ms DOUBLE PRECISION,
        tokens_per_second DOUBLE PRECISION,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        response_model TEXT,
        endpoint TEXT,
        is_streaming BOOLEAN NOT NULL,
        finish_reason TEXT,
        params JSON,
        status TEXT NOT NULL,
        http_status INTEGER,
        error_type TEXT,
        error_message TEXT,
        prompt_tokens BIGINT NOT NULL,
        completion_tokens BIGINT NOT NULL,
        total_tokens BIGINT NOT NULL,
        cached_tokens BIGINT NOT NULL,
        cache_write_tokens BIGINT NOT NULL,
        reasoning_tokens BIGINT NOT NULL,
        usage_source TEXT NOT NULL,
        cost_usd DOUBLE PRECISION,
        input_cost_usd DOUBLE PRECISION,
        output_cost_usd DOUBLE PRECISION,
        price_source TEXT NOT NULL,
        is_fallback BOOLEAN NOT NULL,
        original_provider TEXT,
        attempt INTEGER NOT NULL,
        cache_hit BOOLEAN NOT NULL,
        tool_calls_count INTEGER NOT NULL,
        api_key_id TEXT,
        user_id TEXT,
        session_id TEXT,
        agent TEXT,
        conversation_name TEXT,
        account_id TEXT,
        tags TEXT[] NOT NULL,
        properties JSON NOT NULL,
        confidence DOUBLE PRECISION,
        signal TEXT,
        input JSON,
        output JSON,
        body_hash TEXT NOT NULL,
        PRIMARY KEY (id, started_at)
      ) PARTITION BY RANGE (started_at);
      -- The logs list pages by (started_at, id) within a project; the other filters of the
      -- logs page narrow by a column first, then by time.
      CREATE INDEX calls_project_time ON calls (project_id, started_at, id);
      CREATE INDEX calls_project_model ON calls (project_id, model, started_at);
      CREATE INDEX calls_project_provider ON calls (project_id, provider, started_at);
      CREATE INDEX calls_project_status ON calls (project_id, status, started_at) WHERE status <> 'success';
      CREATE INDEX calls_project_session ON calls (project_id, session_id, started_at) WHERE session_id IS NOT NULL;
      CREATE INDEX calls_project_user ON calls (project_id, user_id, started_at) WHERE user_id IS NOT NULL;
      CREATE INDEX calls_trace ON calls (trace_id) WHERE trace_id IS NOT NULL;
      -- Idempotency by id across partitions: the body hash tells a retry from a conflict.
      CREATE TABLE call_ids (
        id TEXT PRIMARY KEY,
        started_at TIMESTAMP NOT NULL,
        body_hash TEXT NOT NULL
      );
      CREATE INDEX call_ids_time ON call_ids (started_at);
      CREATE FUNCTION ensure_calls_partition(day DATE) RETURNS VOID LANGUAGE plpgsql AS $fn$
      DECLARE
        partition_name TEXT := 'calls_' || to_char(day, 'YYYYMMDD');
      BEGIN
        IF to_regclass(format('%I.%I', current_schema(), partition_name)) IS NOT NULL THEN
          RETURN;
        END IF;
        PERFORM pg_advisory_xact_lock(hashtext(current_schema() || '.calls partitions'));
        IF to_regclass(format('%I.%I', current_schema(), partition_name)) IS NULL THEN
          EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.calls FOR VALUES FROM (%L) TO (%L)',
            current_schema(), partition_name, current_schema(), day::timestamp, (day + 1)::timestamp);
        END IF;
      END
      $fn$;
      CREATE TABLE outcomes (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        target TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        value DOUBLE PRECISION,
        closed_at TIMESTAMP,
        lesson TEXT,
        properties JSON NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL,
        target_type TEXT DEFAULT 'call'
      );
      CREATE INDEX outcomes_project_time ON outcomes (project_id, created_at);
      CREATE INDEX outcomes_target ON outcomes (target);
      CREATE TABLE price_overrides (
        project_id TEXT NOT NULL,
        model TEXT NOT NULL,
        cost_per_1k_input_tokens DOUBLE PRECISION,
        cost_per_1k_output_tokens DOUBLE PRECISION,
        electricity_cost_per_hour DOUBLE PRECISION,
        updated_at TIMESTAMP NOT NULL,
        PRIMARY KEY (project_id, model)
      );
      CREATE TABLE budgets (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        name TEXT NOT NULL,
        budget_type TEXT NOT NULL,
        amount DOUBLE PRECISION NOT NULL,
        scope TEXT NOT NULL,
        scope_value TEXT,
        action TEXT NOT NULL,
        is_active BOOLEAN NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL
      );
      CREATE TABLE providers (
        name TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        type TEXT NOT NULL,
        provider_type TEXT NOT NULL,
        base_url TEXT NOT NULL,
        api_key_sealed TEXT,
        models JSONB NOT NULL,
        priority INTEGER NOT NULL,
        timeout_seconds DOUBLE PRECISION NOT NULL,
        circuit_breaker_threshold INTEGER NOT NULL,
        circuit_breaker_timeout DOUBLE PRECISION NOT NULL,
        max_retries INTEGER NOT NULL,
        is_enabled BOOLEAN NOT NULL,
        source TEXT NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL
      );
      CREATE TABLE provider_health (
        name TEXT PRIMARY KEY,
        circuit_state TEXT NOT NULL,
        failure_count INTEGER NOT NULL,
        total_requests BIGINT NOT NULL,
        successful_requests BIGINT NOT NULL,
        failed_requests BIGINT NOT NULL,
        avg_response_time_ms DOUBLE PRECISION,
        last_success_at TIMESTAMP,
        last_failure_at TIMESTAMP,
        updated_at TIMESTAMP NOT NULL
      );
      CREATE TABLE research_config (
        project_id TEXT PRIMARY KEY,
        document JSON NOT NULL,
        updated_at TIMESTAMP NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'trigram index for logs search',
    // pg_trgm ships with PostgreSQL's contrib and is a trusted extension (a database owner may
    // create it). Where it cannot be installed, search still works, by scanning.
    sql: `
      DO $do$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
          BEGIN
            CREATE EXTENSION pg_trgm;
          EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'pg_trgm unavailable (%); logs search will scan', SQLERRM;
          END;
        END IF;
        IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
          EXECUTE 'CREATE INDEX calls_search_trgm ON calls USING gin (${PG_SEARCH_TEXT.replaceAll("'", "''")} gin_trgm_ops)';
        END IF;
      END
      $do$;
    `,
  },
  {
    version: 3,
    name: 'shared budget ledger and circuit breakers',
    // Spend per budget and period, the worst cases held by calls in flight (an instance that
    // dies stops extending its holds, so they expire), and the breaker columns every instance
    // reads. The functions make each step one atomic statement: rows are locked in budget id
    // order, so concurrent reservations queue on the counter instead of deadlocking.
    sql: `
      CREATE TABLE budget_usage (
        budget_id TEXT NOT NULL,
        period_start TIMESTAMP NOT NULL,
        spent_nanos BIGINT NOT NULL,
        -- Highest threshold (0.8, 1) announced this period, and the amount it was announced at.
        announced DOUBLE PRECISION NOT NULL DEFAULT 0,
        announced_amount DOUBLE PRECISION,
        PRIMARY KEY (budget_id, period_start)
      );
      CREATE TABLE budget_holds (
        hold_id TEXT NOT NULL,
        budget_id TEXT NOT NULL,
        amount_nanos BIGINT NOT NULL,
        expires_at TIMESTAMP NOT NULL,
        PRIMARY KEY (hold_id, budget_id)
      );
      CREATE INDEX budget_holds_budget ON budget_holds (budget_id, expires_at);
      ALTER TABLE provider_health ADD COLUMN open_until TIMESTAMP, ADD COLUMN probe_until TIMESTAMP;

      CREATE FUNCTION loupe_budget_reached(spent BIGINT, cap DOUBLE PRECISION) RETURNS DOUBLE PRECISION
        LANGUAGE sql IMMUTABLE AS $fn$ SELECT CASE WHEN spent >= cap THEN 1.0 WHEN spent >= 0.8 * cap THEN 0.8 ELSE 0.0 END $fn$;

      CREATE FUNCTION loupe_budget_reserve(p_hold TEXT, p_budgets TEXT[], p_periods TIMESTAMP[], p_amount BIGINT, p_ttl_ms BIGINT)
      RETURNS TABLE (o_refused TEXT, o_committed BIGINT) LANGUAGE plpgsql AS $fn$
      DECLARE
        now_utc TIMESTAMP := clock_timestamp() AT TIME ZONE 'UTC';
        r RECORD;
        held BIGINT;
        cap DOUBLE PRECISION;
      BEGIN
        -- A hold is short-lived: the lock on the counter is released without waiting for the
        -- WAL flush. A hold lost in a database crash only matters for the calls in flight then.
        PERFORM set_config('synchronous_commit', 'off', true);
        FOR r IN
          SELECT u.budget_id, u.spent_nanos, b.amount, b.action, b.is_active
          FROM unnest(p_budgets, p_periods) AS w(budget_id, period_start)
          JOIN budget_usage u ON u.budget_id = w.budget_id AND u.period_start = w.period_start
          JOIN budgets b ON b.id = u.budget_id
          ORDER BY u.budget_id
          FOR UPDATE OF u
        LOOP
          DELETE FROM budget_holds h WHERE h.budget_id = r.budget_id AND h.expires_at <= now_utc;
          IF r.action = 'block' AND r.is_active THEN
            SELECT coalesce(sum(h.amount_nanos), 0) INTO held FROM budget_holds h WHERE h.budget_id = r.budget_id;
            cap := floor(r.amount * 1e9 + 0.5);
            IF r.spent_nanos + held >= cap OR r.spent_nanos + held + p_amount > cap THEN
              o_refused := r.budget_id;
              o_committed := r.spent_nanos + held;
              RETURN NEXT;
              RETURN;
            END IF;
          END IF;
        END LOOP;
        IF p_amount > 0 THEN
          INSERT INTO budget_holds (hold_id, budget_id, amount_nanos, expires_at)
          SELECT p_hold, held_budget, p_amount, now_utc + p_ttl_ms * interval '1 millisecond' FROM unnest(p_budgets) AS held_budget;
        END IF;
      END
      $fn$;

      CREATE FUNCTION loupe_budget_settle(p_hold TEXT, p_budgets TEXT[], p_periods TIMESTAMP[], p_nanos BIGINT[])
      RETURNS TABLE (o_budget TEXT, o_threshold DOUBLE PRECISION, o_spent BIGINT, o_amount DOUBLE PRECISION) LANGUAGE plpgsql AS $fn$
      DECLARE
        r RECORD;
        cap DOUBLE PRECISION;
        base DOUBLE PRECISION;
        reached DOUBLE PRECISION;
        new_spent BIGINT;
      BEGIN
        IF p_hold IS NOT NULL THEN
          DELETE FROM budget_holds h WHERE h.hold_id = p_hold;
        END IF;
        FOR r IN
          SELECT u.budget_id, u.period_start, u.spent_nanos, u.announced, u.announced_amount, w.nanos, b.amount
          FROM unnest(p_budgets, p_periods, p_nanos) AS w(budget_id, period_start, nanos)
          JOIN budget_usage u ON u.budget_id = w.budget_id AND u.period_start = w.period_start
          JOIN budgets b ON b.id = u.budget_id
          ORDER BY u.budget_id, u.period_start
          FOR UPDATE OF u
        LOOP
          cap := floor(r.amount * 1e9 + 0.5);
          new_spent := r.spent_nanos + r.nanos;
          -- A changed amount re-arms the thresholds the spend had not crossed at that amount.
          base := CASE WHEN r.announced_amount IS DISTINCT FROM r.amount THEN loupe_budget_reached(r.spent_nanos, cap) ELSE r.announced END;
          reached := loupe_budget_reached(new_spent, cap);
          UPDATE budget_usage u SET spent_nanos = new_spent, announced = greatest(base, reached), announced_amount = r.amount
          WHERE u.budget_id = r.budget_id AND u.period_start = r.period_start;
          IF reached > base THEN
            o_budget := r.budget_id;
            o_threshold := reached;
            o_spent := new_spent;
            o_amount := r.amount;
            RETURN NEXT;
          END IF;
        END LOOP;
      END
      $fn$;

      -- Breakers: the write that changes circuit_state returns the state before it, so exactly
      -- one instance announces each change.
      CREATE FUNCTION loupe_breaker_failure(p_name TEXT, p_threshold INTEGER, p_open_ms BIGINT, p_retry_ms BIGINT)
      RETURNS TABLE (o_from TEXT, o_state TEXT, o_open_until TIMESTAMP, o_failures INTEGER) LANGUAGE plpgsql AS $fn$
      DECLARE
        now_utc TIMESTAMP := clock_timestamp() AT TIME ZONE 'UTC';
        r RECORD;
      BEGIN
        INSERT INTO provider_health (name, circuit_state, failure_count, total_requests, successful_requests, failed_requests, updated_at)
        VALUES (p_name, 'closed', 0, 0, 0, 0, now_utc) ON CONFLICT (name) DO NOTHING;
        SELECT h.circuit_state, h.failure_count, h.open_until INTO r FROM provider_health h WHERE h.name = p_name FOR UPDATE;
        o_from := r.circuit_state;
        o_failures := r.failure_count + 1;
        IF r.circuit_state <> 'closed' OR o_failures >= p_threshold THEN
          o_state := 'open';
          o_open_until := greatest(r.open_until, now_utc + greatest(p_open_ms, coalesce(p_retry_ms, 0)) * interval '1 millisecond');
        ELSE
          o_state := 'closed';
          o_open_until := NULL;
        END IF;
        UPDATE provider_health h SET circuit_state = o_state, failure_count = o_failures, open_until = o_open_until,
          probe_until = CASE WHEN o_state = 'open' THEN NULL ELSE h.probe_until END, updated_at = now_utc
        WHERE h.name = p_name;
        RETURN NEXT;
      END
      $fn$;

      CREATE FUNCTION loupe_breaker_success(p_name TEXT)
      RETURNS TABLE (o_from TEXT, o_state TEXT, o_open_until TIMESTAMP, o_failures INTEGER) LANGUAGE plpgsql AS $fn$
      DECLARE
        now_utc TIMESTAMP := clock_timestamp() AT TIME ZONE 'UTC';
        r RECORD;
      BEGIN
        SELECT h.circuit_state, h.failure_count, h.open_until INTO r FROM provider_health h WHERE h.name = p_name FOR UPDATE;
        IF NOT FOUND THEN
          o_from := 'closed'; o_state := 'closed'; o_open_until := NULL; o_failures := 0;
          RETURN NEXT;
          RETURN;
        END IF;
        o_from := r.circuit_state;
        -- An open circuit is closed only by its probe (which made it half-open), never by a
        -- call that was admitted before it opened.
        IF r.circuit_state = 'open' THEN
          o_state := 'open'; o_open_until := r.open_until; o_failures := r.failure_count;
        ELSE
          o_state := 'closed'; o_open_until := NULL; o_failures := 0;
          IF r.circuit_state <> 'closed' OR r.failure_count <> 0 THEN
            UPDATE provider_health h SET circuit_state = 'closed', failure_count = 0, open_until = NULL, probe_until = NULL, updated_at = now_utc WHERE h.name = p_name;
          END IF;
        END IF;
        RETURN NEXT;
      END
      $fn$;

      CREATE FUNCTION loupe_breaker_probe(p_name TEXT, p_lease_ms BIGINT)
      RETURNS TABLE (o_from TEXT, o_state TEXT, o_open_until TIMESTAMP, o_failures INTEGER) LANGUAGE plpgsql AS $fn$
      DECLARE
        now_utc TIMESTAMP := clock_timestamp() AT TIME ZONE 'UTC';
        r RECORD;
      BEGIN
        SELECT h.circuit_state, h.failure_count, h.open_until, h.probe_until INTO r FROM provider_health h WHERE h.name = p_name FOR UPDATE;
        IF NOT FOUND OR r.circuit_state = 'closed' OR r.open_until > now_utc OR (r.circuit_state = 'half_open' AND r.probe_until > now_utc) THEN
          RETURN;
        END IF;
        UPDATE provider_health h SET circuit_state = 'half_open', probe_until = now_utc + p_lease_ms * interval '1 millisecond', updated_at = now_utc WHERE h.name = p_name;
        o_from := r.circuit_state; o_state := 'half_open'; o_open_until := r.open_until; o_failures := r.failure_count;
        RETURN NEXT;
      END
      $fn$;
    `,
  },
  {
    version: 4,
    name: 'call rollups',
    // The tables, then every stored call added to them (back-fill of an existing store). Built
    // from the rollup definition: changing that definition needs a new migration that rebuilds.
    sql: `${rollupDdl('postgres')}\n${addCallsStatements({ where: 'TRUE', params: [] }).map((statement) => `${statement.sql};`).join('\n')}`,
  },  {
    version: 5,
    name: 'member rollups per hour, and by member',
    sql: memberHoursMigrationSql('postgres'),
  },
  {
    version: 7,
    name: 'distinct users and sessions as member ids and bitmaps',
    sql: memberBitsMigrationSql(),
  },
  { version: 8, ...SEARCH_SIDE_TABLE_MIGRATION },
  {
    version: 9,
    name: 'rollups folded behind a queue',
    // Every stored call is in the rollups already (inserts added them until now): nothing to queue.
    sql: `CREATE TABLE ${ROLLUP_QUEUE_TABLE} (batch BIGSERIAL PRIMARY KEY, ids TEXT[] NOT NULL, started TIMESTAMP[] NOT NULL);`,
  },
  { version: 10, name: 'rollups per agent and user, with their sessions as bitmaps', sql: peopleRollupsMigrationSql() },
  // Under the folder's lock, as migration 10; every instance must run these versions from then on.
  { version: 11, name: 'rollups per tag (the cost breakdown by tag)', sql: addedRollupsMigrationSql([TAG_ROLLUPS], 'postgres', FOLDER_LOCK) },
  { version: 12, name: 'rollups of failed calls by error type and message (analytics/errors)', sql: addedRollupsMigrationSql([ERROR_ROLLUPS], 'postgres', FOLDER_LOCK) },
  {
    version: 13,
    name: 'index of calls whose request id is not their own (request details)',
    // Only calls of a request with its own id (gateway attempts, client request ids) need it: a
    // call recorded without one has its id as request id and is found by id.
    sql: 'CREATE INDEX calls_project_request ON calls (project_id, request_id) WHERE request_id <> id;',
  },
  {
    version: 14,
    name: 'outcomes keep the session they belong to (pipelines without a join of outcomes with calls)',
    sql: `${OUTCOME_SESSION_MIGRATION_SQL}
      CREATE INDEX outcomes_project_session ON outcomes (project_id, session_id);`,
  },
  {
    version: 15,
    name: 'alert rules and the events they open and resolve (one open event per rule, whichever instance opens it)',
    sql: `
      CREATE TABLE alert_rules (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        name TEXT NOT NULL,
        metric TEXT NOT NULL,
        operator TEXT NOT NULL,
        threshold DOUBLE PRECISION NOT NULL,
        window_minutes INTEGER NOT NULL,
        provider TEXT,
        model TEXT,
        is_active BOOLEAN NOT NULL,
        webhook_url TEXT,
        webhook_secret_sealed TEXT,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL
      );
      CREATE TABLE alert_events (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        rule_name TEXT NOT NULL,
        metric TEXT NOT NULL,
        operator TEXT NOT NULL,
        threshold DOUBLE PRECISION NOT NULL,
        metric_value DOUBLE PRECISION NOT NULL,
        message TEXT NOT NULL,
        triggered_at TIMESTAMP NOT NULL,
        resolved_at TIMESTAMP,
        resolved_value DOUBLE PRECISION,
        webhook_status TEXT
      );
      CREATE UNIQUE INDEX alert_events_one_open ON alert_events (rule_id) WHERE resolved_at IS NULL;
      CREATE INDEX alert_events_project_triggered ON alert_events (project_id, triggered_at);
    `,
  },
  {
    version: 16,
    name: 'optimization suggestions, one per type and model',
    sql: `
      CREATE TABLE suggestions (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        key TEXT NOT NULL,
        suggestion_type TEXT NOT NULL,
        model_name TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        priority TEXT NOT NULL,
        potential_improvement TEXT NOT NULL,
        is_implemented BOOLEAN NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL,
        implemented_at TIMESTAMP
      );
      CREATE INDEX suggestions_project ON suggestions (project_id, created_at);
    `,
  },
  {
    version: 17,
    name: "a project's switch for storing the content of its calls",
    sql: 'ALTER TABLE projects ADD COLUMN capture_content BOOLEAN NOT NULL DEFAULT true',
  },
  {
    version: 18,
    name: "a key's requests and tokens per minute at the gateway",
    sql: 'ALTER TABLE api_keys ADD COLUMN rate_limit_rpm INTEGER, ADD COLUMN rate_limit_tpm BIGINT',
  },
  {
    version: 19,
    name: 'the models a key may ask the gateway for',
    sql: 'ALTER TABLE api_keys ADD COLUMN allowed_models TEXT[]',
  },
  {
    version: 20,
    name: 'rate-limit counts shared by the instances',
    // Unlogged: a minute of counts is not worth a WAL write per second, and a crash that loses
    // them only lets each key start a fresh minute.
    sql: `CREATE UNLOGGED TABLE rate_usage (
      key_id TEXT NOT NULL,
      second BIGINT NOT NULL,
      instance TEXT NOT NULL,
      requests DOUBLE PRECISION NOT NULL,
      tokens DOUBLE PRECISION NOT NULL,
      PRIMARY KEY (key_id, second, instance)
    )`,
  },
  {
    version: 21,
    name: "providers that take a caller's own key",
    sql: 'ALTER TABLE providers ADD COLUMN allow_client_key BOOLEAN NOT NULL DEFAULT false',
  },
  {
    version: 22,
    name: 'keys that expire',
    sql: 'ALTER TABLE api_keys ADD COLUMN expires_at TIMESTAMP',
  },
];

const MIGRATION_LOCK = "hashtext(current_schema() || '.loupe migrations')";

export async function migratePostgres(pool: pg.Pool): Promise<number[]> {
  const client = await checkout(pool);
  const ran: number[] = [];
  try {
    await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)');
      const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((row) => Number(row.version)));
      for (const migration of POSTGRES_MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query("INSERT INTO schema_migrations VALUES ($1, $2, now() AT TIME ZONE 'UTC')", [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`);
        }
        ran.push(migration.version);
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`);
    }
  } finally {
    client.release();
  }
  return ran;
}
