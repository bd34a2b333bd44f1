// Versioned schema migrations for the embedded store; each runs once, in order, in a transaction.
import type { DuckDBConnection } from '@duckdb/node-api';
import { addCallsStatements, addedRollupsMigrationSql, memberHoursMigrationSql, rollupDdl, ROLLUP_WATERMARK_TABLE } from '../../analytics/rollups/rollup-schema.js';
import { PEOPLE_SESSIONS_PENDING_DDL, peopleSessionsMigrationSql } from '../../analytics/rollups/people-sessions.js';
import { peopleRollupsMigrationSql, peopleSumsMigrationSql } from '../../analytics/rollups/people-rollup-schema.js';
import { TAG_ROLLUPS } from '../../analytics/rollups/tag-rollup-schema.js';
import { ERROR_ROLLUPS } from '../../analytics/rollups/error-rollup-schema.js';
import { OUTCOME_SESSION_MIGRATION_SQL } from '../outcome-rows.js';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const DUCKDB_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'core tables',
    sql: `
      CREATE TABLE projects (
        id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL
      );
      CREATE TABLE api_keys (
        id VARCHAR PRIMARY KEY,
        project_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        prefix VARCHAR NOT NULL,
        hash VARCHAR NOT NULL UNIQUE,
        scopes VARCHAR[] NOT NULL,
        created_at TIMESTAMP NOT NULL,
        revoked_at TIMESTAMP
      );
      -- Rows arrive in time order; DuckDB's zone maps on started_at then prune time filters
      -- without a secondary index (each index slows the appender).
      CREATE TABLE calls (
        id VARCHAR PRIMARY KEY,
        request_id VARCHAR NOT NULL,
        project_id VARCHAR NOT NULL,
        trace_id VARCHAR,
        parent_id VARCHAR,
        started_at TIMESTAMP NOT NULL,
        ended_at TIMESTAMP,
        latency_ms DOUBLE,
        ttft_ms DOUBLE,
        tokens_per_second DOUBLE,
        provider VARCHAR NOT NULL,
        model VARCHAR NOT NULL,
        response_model VARCHAR,
        endpoint VARCHAR,
        is_streaming BOOLEAN NOT NULL,
        finish_reason VARCHAR,
        params JSON,
        status VARCHAR NOT NULL,
        http_status INTEGER,
        error_type VARCHAR,
        error_message VARCHAR,
        prompt_tokens BIGINT NOT NULL,
        completion_tokens BIGINT NOT NULL,
        total_tokens BIGINT NOT NULL,
        cached_tokens BIGINT NOT NULL,
        cache_write_tokens BIGINT NOT NULL,
        reasoning_tokens BIGINT NOT NULL,
        usage_source VARCHAR NOT NULL,
        cost_usd DOUBLE,
        input_cost_usd DOUBLE,
        output_cost_usd DOUBLE,
        price_source VARCHAR NOT NULL,
        is_fallback BOOLEAN NOT NULL,
        original_provider VARCHAR,
        attempt INTEGER NOT NULL,
        cache_hit BOOLEAN NOT NULL,
        tool_calls_count INTEGER NOT NULL,
        api_key_id VARCHAR,
        user_id VARCHAR,
        session_id VARCHAR,
        agent VARCHAR,
        conversation_name VARCHAR,
        account_id VARCHAR,
        tags VARCHAR[] NOT NULL,
        properties JSON NOT NULL,
        confidence DOUBLE,
        signal VARCHAR,
        input JSON,
        output JSON,
        body_hash VARCHAR NOT NULL
      );
      CREATE TABLE outcomes (
        id VARCHAR PRIMARY KEY,
        project_id VARCHAR NOT NULL,
        target VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        value DOUBLE,
        closed_at TIMESTAMP,
        lesson VARCHAR,
        properties JSON NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'cost settings and budgets',
    sql: `
      CREATE TABLE price_overrides (
        project_id VARCHAR NOT NULL,
        model VARCHAR NOT NULL,
        cost_per_1k_input_tokens DOUBLE,
        cost_per_1k_output_tokens DOUBLE,
        electricity_cost_per_hour DOUBLE,
        updated_at TIMESTAMP NOT NULL,
        PRIMARY KEY (project_id, model)
      );
      CREATE TABLE budgets (
        id VARCHAR PRIMARY KEY,
        project_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        budget_type VARCHAR NOT NULL,
        amount DOUBLE NOT NULL,
        scope VARCHAR NOT NULL,
        scope_value VARCHAR,
        action VARCHAR NOT NULL,
        is_active BOOLEAN NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL
      );
    `,
  },
  // @anchor pricing
  {
    version: 3,
    name: 'providers and their health',
    sql: `
      CREATE TABLE providers (
        name VARCHAR PRIMARY KEY,
        display_name VARCHAR NOT NULL,
        type VARCHAR NOT NULL,
        provider_type VARCHAR NOT NULL,
        base_url VARCHAR NOT NULL,
        api_key_sealed VARCHAR,
        models JSON NOT NULL,
        priority INTEGER NOT NULL,
        timeout_seconds DOUBLE NOT NULL,
        circuit_breaker_threshold INTEGER NOT NULL,
        circuit_breaker_timeout DOUBLE NOT NULL,
        max_retries INTEGER NOT NULL,
        is_enabled BOOLEAN NOT NULL,
        source VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL
      );
      CREATE TABLE provider_health (
        name VARCHAR PRIMARY KEY,
        circuit_state VARCHAR NOT NULL,
        failure_count INTEGER NOT NULL,
        total_requests BIGINT NOT NULL,
        successful_requests BIGINT NOT NULL,
        failed_requests BIGINT NOT NULL,
        avg_response_time_ms DOUBLE,
        last_success_at TIMESTAMP,
        last_failure_at TIMESTAMP,
        updated_at TIMESTAMP NOT NULL
      );
    `,
  },
  // @anchor gateway
  {
    version: 4,
    name: 'outcome target type and research config',
    sql: `
      ALTER TABLE outcomes ADD COLUMN target_type VARCHAR DEFAULT 'call';
      CREATE TABLE research_config (
        project_id VARCHAR PRIMARY KEY,
        document JSON NOT NULL,
        updated_at TIMESTAMP NOT NULL
      );
    `,
  },
  // @anchor outcomes
  // @anchor live
  {
    version: 5,
    name: 'commit order and search index',
    sql: `
      -- One number per group commit, in commit order (the writer is serialized), so a
      -- background indexer can tell indexed rows from newer ones with one watermark.
      -- Existing rows are numbered here; no column default, because DuckDB 1.5 fails to
      -- replay a WAL holding a nextval() default (found by the kill -9 test). NOT NULL, so
      -- a writer that forgets the number fails instead of hiding rows from searches.
      CREATE SEQUENCE calls_commit_seq START 1;
      ALTER TABLE calls ADD COLUMN commit_seq BIGINT;
      UPDATE calls SET commit_seq = nextval('calls_commit_seq');
      ALTER TABLE calls ALTER COLUMN commit_seq SET NOT NULL;
      -- Inverted index over the lowercased words of input and output, one row per project,
      -- word and indexer run; ids of deleted calls stay until the call is checked against
      -- the calls table, which every search does.
      CREATE TABLE call_search_postings (
        project_id VARCHAR NOT NULL,
        token VARCHAR NOT NULL,
        first_at TIMESTAMP NOT NULL,
        last_at TIMESTAMP NOT NULL,
        -- len(ids), kept apart so ranking words never reads the id lists
        n INTEGER NOT NULL,
        ids VARCHAR[] NOT NULL
      );
      CREATE TABLE call_search_state (watermark BIGINT NOT NULL);
      INSERT INTO call_search_state VALUES (0);
    `,
  },
  {
    version: 7,
    name: 'call rollups',
    // The tables, then every stored call added to them (back-fill of an existing store). Built
    // from the rollup definition: changing that definition needs a new migration that rebuilds.
    sql: `${rollupDdl('duckdb')}\n${addCallsStatements({ where: 'TRUE', params: [] }).map((statement) => `${statement.sql};`).join('\n')}
      CREATE TABLE ${ROLLUP_WATERMARK_TABLE} (watermark BIGINT NOT NULL);
      INSERT INTO ${ROLLUP_WATERMARK_TABLE} SELECT COALESCE(max(commit_seq), 0) FROM calls;`,
  },  {
    version: 8,
    name: 'member rollups per hour',
    sql: memberHoursMigrationSql('duckdb'),
  },
  {
    version: 9,
    name: 'distinct sessions per agent and user per day',
    sql: peopleSessionsMigrationSql(),
  },
  {
    version: 10,
    name: 'sums and latency histograms per agent and user per day',
    sql: peopleRollupsMigrationSql(),
  },
  {
    version: 11,
    name: 'distinct sessions per agent and user: a day recounted once, by the first fold after its midnight that brings it no calls',
    sql: PEOPLE_SESSIONS_PENDING_DDL,
  },
  {
    version: 12,
    name: 'calls keep the distinct words of their input and output for the search indexer',
    // Taken in JavaScript as an ingested batch is prepared (search-words.ts), so the indexer
    // counts them instead of extracting and deduplicating every word of the text in SQL. Rows
    // without them (older rows, gateway calls) are indexed from their text.
    sql: 'ALTER TABLE calls ADD COLUMN search_words VARCHAR;',
  },
  {
    version: 13,
    name: 'input, output and unpriced tokens in the sums per agent and user per day (the cost breakdown by agent and user)',
    sql: peopleSumsMigrationSql(),
  },
  {
    version: 14,
    name: 'sums per tag per day (the cost breakdown by tag)',
    sql: addedRollupsMigrationSql([TAG_ROLLUPS], 'duckdb', null),
  },
  {
    version: 15,
    name: 'failed calls per error type and message per day (analytics/errors)',
    sql: addedRollupsMigrationSql([ERROR_ROLLUPS], 'duckdb', null),
  },
  {
    version: 16,
    name: 'outcomes keep the session they belong to (pipelines without a join of outcomes with calls)',
    sql: OUTCOME_SESSION_MIGRATION_SQL,
  },
  {
    version: 17,
    name: 'alert rules and the events they open and resolve',
    sql: `
      CREATE TABLE alert_rules (
        id VARCHAR PRIMARY KEY,
        project_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        metric VARCHAR NOT NULL,
        operator VARCHAR NOT NULL,
        threshold DOUBLE NOT NULL,
        window_minutes INTEGER NOT NULL,
        provider VARCHAR,
        model VARCHAR,
        is_active BOOLEAN NOT NULL,
        webhook_url VARCHAR,
        webhook_secret_sealed VARCHAR,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL
      );
      CREATE TABLE alert_events (
        id VARCHAR PRIMARY KEY,
        project_id VARCHAR NOT NULL,
        rule_id VARCHAR NOT NULL,
        rule_name VARCHAR NOT NULL,
        metric VARCHAR NOT NULL,
        operator VARCHAR NOT NULL,
        threshold DOUBLE NOT NULL,
        metric_value DOUBLE NOT NULL,
        message VARCHAR NOT NULL,
        triggered_at TIMESTAMP NOT NULL,
        resolved_at TIMESTAMP,
        resolved_value DOUBLE,
        webhook_status VARCHAR
      );
    `,
  },
  {
    version: 18,
    name: 'optimization suggestions, one per type and model',
    sql: `
      CREATE TABLE suggestions (
        id VARCHAR PRIMARY KEY,
        project_id VARCHAR NOT NULL,
        key VARCHAR NOT NULL,
        suggestion_type VARCHAR NOT NULL,
        model_name VARCHAR NOT NULL,
        title VARCHAR NOT NULL,
        description VARCHAR NOT NULL,
        priority VARCHAR NOT NULL,
        potential_improvement VARCHAR NOT NULL,
        is_implemented BOOLEAN NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL,
        implemented_at TIMESTAMP
      );
    `,
  },
  {
    version: 19,
    name: "a project's switch for storing the content of its calls",
    sql: 'ALTER TABLE projects ADD COLUMN capture_content BOOLEAN DEFAULT true',
  },
  {
    version: 20,
    name: "a key's requests and tokens per minute at the gateway",
    sql: `ALTER TABLE api_keys ADD COLUMN rate_limit_rpm INTEGER;
      ALTER TABLE api_keys ADD COLUMN rate_limit_tpm BIGINT;`,
  },
  {
    version: 21,
    name: 'the models a key may ask the gateway for',
    sql: 'ALTER TABLE api_keys ADD COLUMN allowed_models VARCHAR[]',
  },
  {
    version: 22,
    name: "providers that take a caller's own key",
    sql: 'ALTER TABLE providers ADD COLUMN allow_client_key BOOLEAN DEFAULT false',
  },
  {
    version: 23,
    name: 'keys that expire',
    sql: 'ALTER TABLE api_keys ADD COLUMN expires_at TIMESTAMP',
  },
];

export async function migrateDuckDb(connection: DuckDBConnection): Promise<number[]> {
  await connection.run(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)`);
  const applied = new Set(
    (await connection.runAndReadAll('SELECT version FROM schema_migrations')).getRowObjectsJS().map((row) => Number(row.version)),
  );
  const ran: number[] = [];
  for (const migration of DUCKDB_MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    await connection.run('BEGIN TRANSACTION');
    try {
      await connection.run(migration.sql);
      await connection.run('INSERT INTO schema_migrations VALUES ($1, $2, now()::TIMESTAMP)', [migration.version, migration.name]);
      await connection.run('COMMIT');
    } catch (error) {
      await connection.run('ROLLBACK');
      throw new Error(`migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`);
    }
    ran.push(migration.version);
  }
  return ran;
}
