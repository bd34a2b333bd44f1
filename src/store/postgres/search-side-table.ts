// Migration: logs search text moves off the insert path. Maintaining the trigram index on
// `calls` cost most of a batch's insert (docs/BENCHMARKS.md); instead each insert batch queues
// its ids in call_search_pending (one row per batch), and a background indexer copies the
// queued rows' text into call_search, whose trigram index it maintains (search-indexer.ts).
/** Ids per queue row when existing calls are queued by the migration. */
const BACKFILL_CHUNK = 5_000;

export const SEARCH_SIDE_TABLE_MIGRATION = {
  name: 'logs search text indexed behind a queue',
  sql: `
    -- Partitioned by day like calls, with the same partition bounds, so retention drops both.
    CREATE TABLE call_search (
      id TEXT NOT NULL,
      project_id TEXT NOT NULL,
      started_at TIMESTAMP NOT NULL,
      search_text TEXT NOT NULL
    ) PARTITION BY RANGE (started_at);
    -- Deletes find a call's indexed text by id; the indexer never stores a call twice.
    CREATE UNIQUE INDEX call_search_key ON call_search (id, started_at);
    -- One row per committed insert batch whose rows are not indexed yet. It commits with the
    -- batch's rows, so a row is queued exactly when it becomes visible, whatever order
    -- concurrent writers commit in (a watermark over an insertion sequence could pass a row
    -- whose transaction commits late).
    CREATE TABLE call_search_pending (
      batch BIGSERIAL PRIMARY KEY,
      ids TEXT[] NOT NULL,
      started TIMESTAMP[] NOT NULL
    );
    DO $do$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX call_search_trgm ON call_search USING gin (search_text gin_trgm_ops);
      END IF;
    END
    $do$;
    DROP INDEX IF EXISTS calls_search_trgm;

    CREATE OR REPLACE FUNCTION ensure_calls_partition(day DATE) RETURNS VOID LANGUAGE plpgsql AS $fn$
    DECLARE
      suffix TEXT := to_char(day, 'YYYYMMDD');
    BEGIN
      IF to_regclass(format('%I.%I', current_schema(), 'calls_' || suffix)) IS NOT NULL
        AND to_regclass(format('%I.%I', current_schema(), 'call_search_' || suffix)) IS NOT NULL THEN
        RETURN;
      END IF;
      PERFORM pg_advisory_xact_lock(hashtext(current_schema() || '.calls partitions'));
      IF to_regclass(format('%I.%I', current_schema(), 'calls_' || suffix)) IS NULL THEN
        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.calls FOR VALUES FROM (%L) TO (%L)',
          current_schema(), 'calls_' || suffix, current_schema(), day::timestamp, (day + 1)::timestamp);
      END IF;
      IF to_regclass(format('%I.%I', current_schema(), 'call_search_' || suffix)) IS NULL THEN
        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.call_search FOR VALUES FROM (%L) TO (%L)',
          current_schema(), 'call_search_' || suffix, current_schema(), day::timestamp, (day + 1)::timestamp);
      END IF;
    END
    $fn$;
    SELECT ensure_calls_partition(to_date(substr(c.relname, 7), 'YYYYMMDD'))
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'calls'::regclass AND c.relname ~ '^calls_[0-9]{8}$';

    -- Calls stored before this migration are queued, not indexed here: the migration stays
    -- short, searches read them raw until the indexer has taken them in.
    INSERT INTO call_search_pending (ids, started)
    SELECT array_agg(id), array_agg(started_at)
    FROM (
      SELECT id, started_at, (row_number() OVER ()) / ${BACKFILL_CHUNK} AS chunk
      FROM calls WHERE input IS NOT NULL OR output IS NOT NULL
    ) stored
    GROUP BY chunk;
  `,
};

