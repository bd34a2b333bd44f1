// Word index for log search. DuckDB's full-text extension cannot be loaded offline, and a scan
// of 1M calls' text costs ~0.5 s, so a background indexer keeps an inverted index of the
// lowercased letter-and-digit runs ("words") of every call's input and output. It runs on its
// own connection, after the rows are committed, and records how far it got as a watermark over
// the commit numbers; searches probe the index for rows at or below the watermark and scan the
// few rows above it. The index only narrows: every candidate is checked with the real
// substring condition, so results are exactly those of a scan.
import { listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import { BackgroundLoop } from '../background-loop.js';
import { isDuckDbOutOfMemory } from '../store-errors.js';
import type { DuckDbPool } from './connection-pool.js';

/** Runs shorter than this match too much of the vocabulary to narrow anything. */
export const MIN_RUN_LENGTH = 3;
/**
 * Above this many candidate ids the newest-first scan wins: a term that frequent fills a page
 * from the last day's rows, while probing thousands of ids costs ~5 ms per 1,000.
 */
export const MAX_CANDIDATES = 4_000;
/**
 * Rows per indexer transaction at most. The posting query holds every (call, word) pair of its
 * chunk with the call's id, so the chunk bounds its memory: for chat-like prose, 10,000 calls
 * took 130 MB at the query's peak and 50,000 calls 400 MB (bench/search-postings-memory.bench.ts).
 */
const INDEX_CHUNK_ROWS = 10_000;
/**
 * Posting rows merged per transaction, about: 896,821 rows of chat-like prose took +327 to +380
 * MB to merge at once, so by proportion a part holds some 40 MB.
 */
const MERGE_PART_ROWS = 100_000;
/** Chunks per run: a run indexes up to 50,000 rows, the share of the machine measured as bearable. */
const CHUNKS_PER_RUN = 5;

/**
 * SQL for the words of a lowercased text expression, its maximal runs of [a-z0-9] (as
 * searchRuns takes them from a term), as a list that may also hold empty strings: drop them
 * after unnest. Every run of other characters that is not a lone space becomes one space,
 * then the text is split at spaces: the same words as regexp_extract_all(text, '[a-z0-9]+')
 * for 0.4-0.6 of its CPU, because the regex stops only at punctuation (a few times per
 * sentence) instead of at every word (bench/search-words.bench.ts).
 */
export function wordListSql(lowercased: string): string {
  return `string_split(regexp_replace(${lowercased}, '[^a-z0-9]*[^a-z0-9 ][^a-z0-9]*', ' ', 'g'), ' ')`;
}

/**
 * The postings of the calls of `table` that match `where`: one row per project and word, with
 * the first and last time, the number of calls holding the word and (for words in at most
 * MAX_CANDIDATES calls; a word that frequent is never probed) their ids. Each call counts once
 * per word. Calls ingested since migration 12 carry their distinct words (search_words, taken
 * in JavaScript as they were prepared: search-words.ts), which are only split here. The words
 * of the others (gateway calls, copies, older calls) are extracted from their text and
 * deduplicated within each call's list: no hash table of every (call, word) pair of the chunk,
 * which held 0.4-0.6 of the query's peak memory (bench/search-postings-memory.bench.ts;
 * test/search-postings.test.ts compares the postings with the former query's).
 */
export function postingsSql(table: string, where: string): string {
  return `SELECT project_id, token, min(started_at) AS first_at, max(started_at) AS last_at, count(*) AS n,
      CASE WHEN count(*) <= ${MAX_CANDIDATES} THEN list(id) ELSE [] END AS ids
    FROM (
      SELECT project_id, id, started_at, unnest(string_split(search_words, ' ')) AS token
      FROM ${table} WHERE (${where}) AND search_words IS NOT NULL
      UNION ALL
      SELECT project_id, id, started_at,
        unnest(list_distinct(${wordListSql("lower(concat_ws(' ', CAST(input AS VARCHAR), CAST(output AS VARCHAR)))")})) AS token
      FROM ${table} WHERE (${where}) AND search_words IS NULL
    )
    WHERE token <> ''
    GROUP BY project_id, token`;
}

/** What the index says about a term: ids to check, and the commit number they cover. */
export interface SearchCandidates {
  watermark: bigint;
  ids: string[];
}

/**
 * The lowercased ASCII letter-and-digit runs of the term as it appears in stored JSON, or null
 * when the index cannot answer exactly: no run of MIN_RUN_LENGTH, or a character whose case
 * mapping is not one-to-one (search then uses the regex 'i' flag, whose folding, e.g. "ſ" for
 * "s", a lowercased word would not reproduce).
 */
export function searchRuns(term: string): string[] | null {
  const needle = JSON.stringify(term).slice(1, -1);
  for (const char of needle) {
    const lower = char.toLowerCase();
    const upper = char.toUpperCase();
    if (lower === upper) continue;
    if ([...lower].length !== 1 || [...upper].length !== 1 || upper.toLowerCase() !== lower) return null;
  }
  const runs = (needle.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((run) => run.length >= MIN_RUN_LENGTH);
  return runs.length > 0 ? [...new Set(runs)] : null;
}

interface TimeRange {
  from?: number;
  to?: number;
}

async function readRows(connection: DuckDBConnection, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql, params as DuckDBValue[])).getRowObjectsJS();
}

export class CallSearchIndex {
  private readonly loop = new BackgroundLoop(async () => {
    try {
      let indexed = 0;
      for (let chunk = 0; chunk < CHUNKS_PER_RUN && !this.loop.isStopped; chunk++) {
        const limit = this.chunkRows;
        const rows = await this.indexChunk();
        indexed += rows;
        if (rows < limit) break;
      }
      if (indexed > 0) await this.mergeIfGrown();
      this.lastError = null;
    } catch (error) {
      this.lastError = error as Error;
    }
  });
  /** Rows the next chunk may take: halved after a chunk ran out of memory, grown back after each success. */
  private chunkRows = INDEX_CHUNK_ROWS;
  /** Posting rows after the last merge; null until first read. */
  private mergedRows: number | null = null;
  /** Posting rows of each day (UTC, as DuckDB prints it) right after this process merged it. */
  private readonly mergedDays = new Map<string, number>();
  /** The last indexer failure, kept for diagnosis; searches stay exact without the index. */
  lastError: Error | null = null;

  constructor(private readonly pool: DuckDbPool) {}

  /** Rows the next chunk may take (below the maximum after a chunk ran out of memory). */
  get chunkLimit(): number {
    return this.chunkRows;
  }

  /**
   * Indexes at most CHUNKS_PER_RUN chunks of new rows every `intervalMs` until stop(). The cap
   * bounds the indexer's share of this 2-core machine: run back to back under full ingestion
   * load it halved the ingestion rate (10,250 against 14,720 rec/s, same bench); rows it has
   * not reached yet are scanned, so searches stay exact while it lags.
   */
  start(intervalMs: number): void {
    this.loop.start(intervalMs);
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Indexes every committed row above the watermark; returns how many rows it indexed. */
  async catchUp(): Promise<number> {
    let total = 0;
    for (;;) {
      const indexed = await this.indexChunk();
      total += indexed;
      if (indexed === 0 || this.loop.isStopped) return total;
    }
  }

  /**
   * Indexes the next chunk. One whose words do not fit in DuckDB's memory limit (large contents,
   * a low limit, or memory held by other work at that moment) is tried again at half the rows,
   * down to a single commit; the size grows back by a quarter after each chunk that fits.
   */
  private async indexChunk(): Promise<number> {
    for (;;) {
      try {
        const rows = await this.indexRows(this.chunkRows);
        this.chunkRows = Math.min(INDEX_CHUNK_ROWS, Math.ceil(this.chunkRows * 1.25));
        return rows;
      } catch (error) {
        if (!isDuckDbOutOfMemory(error) || this.chunkRows === 1) throw error;
        this.chunkRows = Math.max(1, Math.floor(this.chunkRows / 2));
      }
    }
  }

  /** One transaction: index up to `limit` rows (whole commits, at least one) after the watermark, then move it. */
  private indexRows(limit: number): Promise<number> {
    return this.pool.maintain(async (connection) => {
      await connection.run('BEGIN TRANSACTION');
      try {
        const [state] = await readRows(connection, 'SELECT watermark FROM call_search_state');
        const watermark = BigInt(state?.watermark as bigint);
        // Whole commits only: every row of the highest commit number taken is indexed.
        const [next] = await readRows(
          connection,
          `SELECT max(commit_seq) AS high FROM (SELECT commit_seq FROM calls WHERE commit_seq > $1 ORDER BY commit_seq LIMIT ${limit})`,
          [watermark],
        );
        if (next?.high === null || next?.high === undefined) {
          await connection.run('COMMIT');
          return 0;
        }
        const high = BigInt(next.high as bigint);
        // Counted up to the end of the last commit taken, which may run past the limit.
        const [taken] = await readRows(connection, 'SELECT count(*) AS n FROM calls WHERE commit_seq > $1 AND commit_seq <= $2', [watermark, high]);
        await connection.run(`INSERT INTO call_search_postings ${postingsSql('calls', 'commit_seq > $1 AND commit_seq <= $2')}`, [watermark, high]);
        await connection.run('UPDATE call_search_state SET watermark = $1', [high]);
        await connection.run('COMMIT');
        return Number(taken?.n ?? 0);
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * Each indexer run adds a posting row per word it saw, so a steady trickle of calls would
   * grow the table by a vocabulary every tick and every search would read them all. Once the
   * table has doubled since the last merge, its rows are merged into one per project, word
   * and day: the merge costs a pass over the days that grew, at most once per doubling, so its
   * cost per indexed row stays constant while the table stays within twice its merged size.
   */
  private async mergeIfGrown(): Promise<void> {
    const rows = await this.postingRows();
    if (this.mergedRows === null) this.mergedRows = rows;
    else if (rows > 2 * Math.max(this.mergedRows, 10_000)) await this.merge();
  }

  private postingRows(): Promise<number> {
    return this.pool.maintain(async (connection) => Number((await readRows(connection, 'SELECT count(*) AS n FROM call_search_postings'))[0]?.n ?? 0));
  }

  /**
   * Merges posting rows per project, word and day of their first call; returns the rows left.
   * A word whose merged count passes MAX_CANDIDATES keeps no ids, as a single run would.
   *
   * One merge of the whole table held every row's ids at once: +327 MB for the 896,821 rows of
   * 200,000 prose calls, out of memory under a 256 MB limit, after which it failed on every
   * run while the table kept growing. Each day is merged on its own, in parts of about
   * MERGE_PART_ROWS rows (split by a hash of the word, so a word's rows of the day fall in one
   * part), each part one transaction; a part that runs out of memory is done again in twice
   * as many parts. A day whose row count has not changed since this process merged it is
   * left as it is.
   */
  async merge(): Promise<number> {
    const days = await this.pool.maintain((connection) => readRows(
      connection,
      "SELECT CAST(date_trunc('day', first_at) AS VARCHAR) AS day, count(*) AS n FROM call_search_postings GROUP BY ALL ORDER BY day",
    ));
    let total = 0;
    for (const row of days) {
      const day = String(row.day);
      const rows = Number(row.n);
      total += this.mergedDays.get(day) === rows ? rows : await this.mergeDay(day, rows);
      // Stopping: the days not reached are merged by a later run.
      if (this.loop.isStopped) return total;
    }
    this.mergedRows = total;
    return total;
  }

  /** Merges one day's posting rows; returns the rows the day has left. */
  private async mergeDay(day: string, rows: number): Promise<number> {
    let parts = Math.max(1, Math.ceil(rows / MERGE_PART_ROWS));
    for (let part = 0; part < parts; part++) {
      try {
        await this.mergePart(day, part, parts);
      } catch (error) {
        if (!isDuckDbOutOfMemory(error) || parts >= rows) throw error;
        // The parts already merged are merged again within the finer ones: merging is idempotent.
        parts *= 2;
        part = -1;
      }
    }
    const left = await this.pool.maintain(async (connection) => Number((await readRows(
      connection,
      "SELECT count(*) AS n FROM call_search_postings WHERE first_at >= $1::TIMESTAMP AND first_at < $1::TIMESTAMP + INTERVAL 1 DAY",
      [day],
    ))[0]?.n ?? 0));
    this.mergedDays.set(day, left);
    return left;
  }

  private mergePart(day: string, part: number, parts: number): Promise<void> {
    const where = `first_at >= $1::TIMESTAMP AND first_at < $1::TIMESTAMP + INTERVAL 1 DAY AND hash(token) % ${parts} = ${part}`;
    return this.pool.maintain(async (connection) => {
      await connection.run('BEGIN TRANSACTION');
      try {
        await connection.run(`CREATE TEMP TABLE merged_postings AS
          SELECT project_id, token, min(first_at) AS first_at, max(last_at) AS last_at, CAST(sum(n) AS INTEGER) AS n,
            CASE WHEN sum(n) <= ${MAX_CANDIDATES} THEN flatten(list(ids)) ELSE [] END AS ids
          FROM call_search_postings WHERE ${where} GROUP BY project_id, token`, [day]);
        await connection.run(`DELETE FROM call_search_postings WHERE ${where}`, [day]);
        await connection.run('INSERT INTO call_search_postings SELECT * FROM merged_postings');
        await connection.run('DROP TABLE merged_postings');
        await connection.run('COMMIT');
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * Candidate ids for a term in a project and time range, read with the watermark in one
   * snapshot (so no row falls between the index and the scan above the watermark); null when
   * the index cannot narrow the search enough to beat a scan.
   */
  candidates(projectId: string, term: string, range: TimeRange): Promise<SearchCandidates | null> {
    const runs = searchRuns(term);
    if (!runs) return Promise.resolve(null);
    const params: unknown[] = [projectId];
    let overlap = '';
    if (range.from !== undefined) {
      params.push(sqlTimestamp(range.from));
      overlap += ` AND p.last_at >= $${params.length}::TIMESTAMP`;
    }
    if (range.to !== undefined) {
      params.push(sqlTimestamp(range.to));
      overlap += ` AND p.first_at < $${params.length}::TIMESTAMP`;
    }
    return this.pool.read(async (connection) => {
      await connection.run('BEGIN TRANSACTION');
      try {
        const [state] = await readRows(connection, 'SELECT watermark FROM call_search_state');
        const watermark = BigInt(state?.watermark as bigint);
        // The run with the fewest postings narrows most; each of the term's runs must occur
        // inside some word of every matching row, so any one of them is a sound filter.
        const frequencies = await readRows(
          connection,
          `SELECT r.run, coalesce(sum(p.n), 0) AS df
           FROM (SELECT unnest($${params.length + 1}::VARCHAR[]) AS run) r
           LEFT JOIN call_search_postings p ON p.project_id = $1 AND contains(p.token, r.run)${overlap}
           GROUP BY r.run ORDER BY df, r.run LIMIT 1`,
          [...params, listValue(runs)],
        );
        const best = frequencies[0];
        if (!best || Number(best.df) > MAX_CANDIDATES) {
          await connection.run('COMMIT');
          return null;
        }
        const rows = Number(best.df) === 0
          ? []
          : await readRows(
            connection,
            `SELECT DISTINCT unnest(p.ids) AS id FROM call_search_postings p
             WHERE p.project_id = $1 AND contains(p.token, $${params.length + 1})${overlap}`,
            [...params, String(best.run)],
          );
        await connection.run('COMMIT');
        return { watermark, ids: rows.map((row) => String(row.id)) };
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }
}
