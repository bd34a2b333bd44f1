// Calls on PostgreSQL: ids are claimed in call_ids first, which sorts created rows from
// duplicates and conflicts across instances; the created rows then go in with one COPY.
import type pg from 'pg';
import { CALL_COLUMNS, type CallRecord } from '../../domain/call-record.js';
import { compileCallFilters, pgSearchPattern, timeBoundConditions } from '../../analytics/filters.js';
import { pgSearchHits } from '../sql-dialect.js';
import { SqlParams, sqlTimestamp } from '../../analytics/sql-params.js';
import { decodeCursor, encodeCursor, InvalidCursorError, type CursorPayload, rowToCall, rowToCallSummary, sortExpression, keysetCondition } from '../call-row.js';
import type { CallRepository, CallWrite, InsertOutcome, LogPage, LogQuery, RepriceRequest } from '../ports.js';
import { copyCalls } from './copy-calls.js';
import type { CallPartitions } from './partitions.js';
import { inTransaction, queryRows } from './pg-pool.js';
import { SEARCH_INDEXER_LOCK } from './search-indexer.js';
import { purgeRollupsBefore, refreshRollups } from './rollups.js';
import { queueBatch } from './batch-queues.js';

const SUMMARY_COLUMNS = CALL_COLUMNS.filter((column) => column !== 'input' && column !== 'output' && column !== 'params').join(', ');
const ALL_COLUMNS = CALL_COLUMNS.join(', ');

/** Whether the filters are a search within a project and a time range, and nothing else. */
function searchAndTimeOnly(filters: LogQuery['filters']): boolean {
  return Object.entries(filters).every(([key, value]) => value === undefined || ['projectId', 'from', 'to', 'search'].includes(key));
}

/** Claims each new id in call_ids; what could not be claimed is compared by body hash. */
async function claimIds(client: pg.PoolClient, writes: CallWrite[]): Promise<InsertOutcome[]> {
  const outcomes = new Array<InsertOutcome>(writes.length);
  const firstIndex = new Map<string, number>();
  const unique: CallWrite[] = [];
  writes.forEach((write, i) => {
    const seen = firstIndex.get(write.call.id);
    if (seen === undefined) {
      firstIndex.set(write.call.id, i);
      unique.push(write);
    }
  });
  const claimed = new Set(
    (await queryRows<{ id: string }>(
      client,
      `INSERT INTO call_ids (id, started_at, body_hash) SELECT * FROM unnest($1::text[], $2::timestamp[], $3::text[])
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [unique.map((w) => w.call.id), unique.map((w) => sqlTimestamp(w.call.started_at)), unique.map((w) => w.bodyHash)],
    )).map((row) => row.id),
  );
  const taken = unique.filter((write) => !claimed.has(write.call.id)).map((write) => write.call.id);
  const stored = new Map<string, string>();
  if (taken.length > 0) {
    for (const row of await queryRows<{ id: string; body_hash: string }>(client, 'SELECT id, body_hash FROM call_ids WHERE id = ANY($1::text[])', [taken])) {
      stored.set(row.id, row.body_hash);
    }
  }
  writes.forEach((write, i) => {
    const id = write.call.id;
    if (claimed.has(id) && firstIndex.get(id) === i) {
      outcomes[i] = 'created';
      return;
    }
    const hash = claimed.has(id) ? writes[firstIndex.get(id)!]!.bodyHash : stored.get(id);
    outcomes[i] = hash === write.bodyHash ? 'duplicate' : 'conflict';
  });
  return outcomes;
}

export class PgCallRepository implements CallRepository {
  /** Search indexes the stored text (search-indexer.ts). */
  readonly keepsSearchWords = false;
  constructor(private readonly pool: pg.Pool, private readonly partitions: CallPartitions) {}

  async insertBatch(writes: CallWrite[]): Promise<InsertOutcome[]> {
    if (writes.length === 0) return [];
    const days = writes.map((write) => write.call.started_at);
    await this.partitions.ensureFor(days);
    try {
      return await this.insertClaimed(writes);
    } catch (error) {
      // Another instance's retention dropped a day this one still knew: create it again.
      if ((error as { code?: string }).code !== '23514') throw error;
      this.partitions.forgetAll();
      await this.partitions.ensureFor(days);
      return this.insertClaimed(writes);
    }
  }

  private insertClaimed(writes: CallWrite[]): Promise<InsertOutcome[]> {
    return inTransaction(this.pool, async (client) => {
      const outcomes = await claimIds(client, writes);
      const fresh = writes.filter((_, i) => outcomes[i] === 'created');
      await copyCalls(client, fresh);
      await queueBatch(client, fresh);
      return outcomes;
    });
  }

  async reprice(request: RepriceRequest): Promise<number> {
    const params = new SqlParams();
    const conditions = [`project_id = ${params.add(request.projectId)}`, `model = ${params.add(request.model)}`, "price_source NOT IN ('reported', 'cache')"];
    if (request.from !== undefined) conditions.push(`started_at >= ${params.add(sqlTimestamp(request.from))}::TIMESTAMP`);
    if (request.to !== undefined) conditions.push(`started_at < ${params.add(sqlTimestamp(request.to))}::TIMESTAMP`);
    const rate = (value: number) => `${params.add(value)}::float8`;
    const rates = request.rates;
    let set: string;
    if (rates.kind === 'local') {
      set = `cost_usd = COALESCE(latency_ms, 0) / 3600000.0 * ${rate(rates.perHour)}, input_cost_usd = NULL, output_cost_usd = NULL, price_source = 'local'`;
    } else {
      const input = `(prompt_tokens - cached_tokens - cache_write_tokens) * ${rate(rates.inputPerToken)} + cached_tokens * ${rate(rates.cacheReadPerToken)} + cache_write_tokens * ${rate(rates.cacheWritePerToken)}`;
      const output = `completion_tokens * ${rate(rates.outputPerToken)}`;
      set = `input_cost_usd = ${input}, output_cost_usd = ${output}, cost_usd = ${input} + ${output}, price_source = ${params.add(rates.source)}`;
    }
    return inTransaction(this.pool, async (client) => {
      // The days that changed come back from the update itself, so only those are rebuilt,
      // even when no range was given.
      const changed = await client.query<{ day: number; n: number }>(
        `WITH updated AS (UPDATE calls SET ${set} WHERE ${conditions.join(' AND ')} RETURNING started_at)
         SELECT (extract(epoch FROM date_trunc('day', started_at)) * 1000)::float8 AS day, count(*)::float8 AS n FROM updated GROUP BY 1 ORDER BY 1`,
        params.values,
      );
      const days = changed.rows.map((row) => Number(row.day));
      if (days.length > 0) await refreshRollups(client, { projectId: request.projectId, model: request.model, days });
      return changed.rows.reduce((sum, row) => sum + Number(row.n), 0);
    });
  }

  async get(projectId: string, id: string): Promise<CallRecord | null> {
    // call_ids holds the partition key, so the lookup touches one partition.
    const rows = await queryRows(
      this.pool,
      `SELECT ${ALL_COLUMNS} FROM calls WHERE id = $1 AND project_id = $2 AND started_at = (SELECT started_at FROM call_ids WHERE id = $1)`,
      [id, projectId],
    );
    return rows[0] ? rowToCall(rows[0]) : null;
  }

  async list(query: LogQuery): Promise<LogPage> {
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    if (query.cursor && !cursor) throw new InvalidCursorError('cursor is not a cursor returned by this API');
    const [rows, total] = await Promise.all([this.fetchPage(query, cursor), query.withTotal ? this.countMatching(query) : Promise.resolve(null)]);
    const hasMore = rows.length > query.limit;
    const page = hasMore ? rows.slice(0, query.limit) : rows;
    const last = page[page.length - 1];
    const nextCursor = hasMore && last ? encodeCursor(last.sort_key as string | number, String(last.id)) : null;
    return { items: page.map(rowToCallSummary), nextCursor, total };
  }

  private fetchPage(query: LogQuery, cursor: CursorPayload | null): Promise<Record<string, unknown>[]> {
    const params = new SqlParams();
    const where = compileCallFilters(query.filters, params, 'postgres');
    const sortKey = sortExpression(query.sort);
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    const keyset = keysetCondition(query, cursor, params);
    const offset = !cursor && query.page && query.page > 1 ? ` OFFSET ${(query.page - 1) * query.limit}` : '';
    const order = (key: string) => `ORDER BY ${key} ${direction}, id ${direction} LIMIT ${query.limit + 1}${offset}`;
    if (query.filters.search && query.sort === 'started_at' && searchAndTimeOnly(query.filters)) return this.fetchSearchPageByTime(query, cursor, query.filters.search);
    if (query.filters.search) {
      // Walking the time index and testing each row's text can read millions of rows for a
      // rare term; matching through the trigram index first, then sorting the few matches,
      // is what the planner will not choose by itself.
      return queryRows(
        this.pool,
        `WITH matched AS MATERIALIZED (SELECT ${SUMMARY_COLUMNS}, ${sortKey} AS sort_key FROM calls WHERE ${where}${keyset})
         SELECT * FROM matched ${order('sort_key')}`,
        params.values,
      );
    }
    return queryRows(this.pool, `SELECT ${SUMMARY_COLUMNS}, ${sortKey} AS sort_key FROM calls WHERE ${where}${keyset} ${order(sortKey)}`, params.values);
  }

  /**
   * A page of a search with no other filter, by time: the page's ids come from the search hits
   * alone (ordered and cut to the page before any call row is read), then only those rows are
   * read. Every indexed hit has its call in the same snapshot (deletes and retention remove
   * both together), so the page is the one the general query would give.
   */
  private fetchSearchPageByTime(query: LogQuery, cursor: CursorPayload | null, search: string): Promise<Record<string, unknown>[]> {
    const params = new SqlParams();
    const project = params.add(query.filters.projectId);
    const hits = pgSearchHits(project, params.add(pgSearchPattern(search)), timeBoundConditions(query.filters, params));
    const keyset = keysetCondition(query, cursor, params);
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    const offset = !cursor && query.page && query.page > 1 ? ` OFFSET ${(query.page - 1) * query.limit}` : '';
    const order = `ORDER BY started_at ${direction}, id ${direction} LIMIT ${query.limit + 1}`;
    return queryRows(
      this.pool,
      `WITH page AS MATERIALIZED (SELECT id, started_at FROM (${hits}) hit WHERE TRUE${keyset} ${order}${offset})
       SELECT ${SUMMARY_COLUMNS}, started_at AS sort_key FROM calls WHERE project_id = ${project} AND (id, started_at) IN (SELECT id, started_at FROM page) ${order}`,
      params.values,
    );
  }

  private async countMatching(query: LogQuery): Promise<number> {
    const params = new SqlParams();
    const where = compileCallFilters(query.filters, params, 'postgres');
    const rows = await queryRows<{ n: number }>(this.pool, `SELECT count(*) AS n FROM calls WHERE ${where}`, params.values);
    return rows[0]?.n ?? 0;
  }

  async deleteByIds(projectId: string, ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return inTransaction(this.pool, async (client) => {
      // Waits for a move in progress, so no text of a deleted row reaches call_search after
      // this delete (an id deleted can be used again, by another call).
      await client.query(`SELECT pg_advisory_xact_lock(${SEARCH_INDEXER_LOCK})`);
      const deleted = await queryRows<{ id: string; started_at: number }>(client, 'DELETE FROM calls WHERE project_id = $1 AND id = ANY($2::text[]) RETURNING id, started_at', [projectId, ids]);
      if (deleted.length > 0) {
        const deletedIds = deleted.map((row) => row.id);
        await client.query('DELETE FROM call_ids WHERE id = ANY($1::text[])', [deletedIds]);
        await client.query('DELETE FROM call_search WHERE id = ANY($1::text[]) AND project_id = $2', [deletedIds, projectId]);
      }
      await refreshRollups(client, { projectId, days: deleted.map((row) => row.started_at) });
      return deleted.length;
    });
  }

  async count(projectId: string): Promise<number> {
    const rows = await queryRows<{ n: number }>(this.pool, 'SELECT count(*) AS n FROM calls WHERE project_id = $1', [projectId]);
    return rows[0]?.n ?? 0;
  }

  async purgeBefore(before: number): Promise<number> {
    const dropped = await this.partitions.dropBefore(before);
    await purgeRollupsBefore(this.pool, before);
    return dropped;
  }
}
