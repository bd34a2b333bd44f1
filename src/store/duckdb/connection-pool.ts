// One DuckDB instance owning the data file: a dedicated writer connection (the recorder's
// group commits) and a few reader connections so analytics run in parallel with writes.
import { DuckDBConnection, DuckDBInstance, type DuckDBPreparedStatement, type DuckDBResultReader, type DuckDBValue } from '@duckdb/node-api';

type Task<T> = () => Promise<T>;

/**
 * Statements kept prepared per reader connection. The analytics and export queries are built
 * from a few templates with their values as parameters, so the same text comes back with other
 * values; preparing it again cost 1.4-2.3 ms for a people-rollup query and 7-8 ms for an
 * export page's 46-cell select list (measured), on every call.
 */
const PREPARED_PER_CONNECTION = 32;
/** Longer texts (ids inlined by the thousand) are one-offs: not worth a slot. */
const MAX_PREPARED_SQL_LENGTH = 16_384;

/** Serializes work on one connection: DuckDB runs one statement per connection at a time. */
class ConnectionLane {
  private tail: Promise<unknown> = Promise.resolve();
  /** Least recently used first (a Map keeps insertion order; a hit moves to the end). */
  private readonly prepared = new Map<string, DuckDBPreparedStatement>();
  constructor(public connection: DuckDBConnection) {}

  run<T>(task: Task<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Runs `sql` with `params` through a prepared statement kept for the next call with the same text; call inside run(). */
  async runPrepared(sql: string, params: readonly unknown[]): Promise<DuckDBResultReader> {
    if (sql.length > MAX_PREPARED_SQL_LENGTH) return this.connection.runAndReadAll(sql, params as DuckDBValue[]);
    let statement = this.prepared.get(sql);
    if (statement) this.prepared.delete(sql);
    else statement = await this.connection.prepare(sql);
    try {
      statement.bind(params as DuckDBValue[]);
      const reader = await statement.runAndReadAll();
      this.keep(sql, statement);
      return reader;
    } catch (error) {
      // Not kept: a statement whose run failed is prepared afresh next time.
      statement.destroySync();
      throw error;
    }
  }

  private keep(sql: string, statement: DuckDBPreparedStatement): void {
    this.prepared.set(sql, statement);
    if (this.prepared.size <= PREPARED_PER_CONNECTION) return;
    const [oldestSql, oldest] = this.prepared.entries().next().value as [string, DuckDBPreparedStatement];
    this.prepared.delete(oldestSql);
    oldest.destroySync();
  }

  /** Frees the kept statements (before the connection closes). */
  forget(): void {
    for (const statement of this.prepared.values()) statement.destroySync();
    this.prepared.clear();
  }
}

export interface DuckDbPoolOptions {
  path: string;
  memoryLimit: string;
  /** WAL size that triggers a checkpoint; see DuckDbStoreOptions. */
  checkpointThreshold?: string;
  threads?: number;
  readers?: number;
}

export class DuckDbPool {
  private nextReader = 0;
  private constructor(
    private readonly memoryLimit: string,
    private readonly instance: DuckDBInstance,
    private readonly writer: ConnectionLane,
    private readonly readers: ConnectionLane[],
    private readonly background: ConnectionLane,
  ) {}

  static async open(options: DuckDbPoolOptions): Promise<DuckDbPool> {
    const settings: Record<string, string> = { memory_limit: options.memoryLimit };
    if (options.threads) settings.threads = String(options.threads);
    if (options.checkpointThreshold) settings.checkpoint_threshold = options.checkpointThreshold;
    const instance = await DuckDBInstance.create(options.path, settings);
    const writer = new ConnectionLane(await instance.connect());
    const readers: ConnectionLane[] = [];
    for (let i = 0; i < (options.readers ?? 3); i++) readers.push(new ConnectionLane(await instance.connect()));
    const background = new ConnectionLane(await instance.connect());
    return new DuckDbPool(options.memoryLimit, instance, writer, readers, background);
  }

  /** Runs work on the writer connection, serialized with every other write. */
  write<T>(task: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.writer.run(() => task(this.writer.connection));
  }

  /**
   * Replaces the writer connection from inside a write task. An appender whose automatic
   * flush failed (a duplicate key in a batch over 2,048 rows) can leave its connection
   * reporting "transaction aborted" even after ROLLBACK; a fresh connection is clean.
   */
  async renewWriter(): Promise<DuckDBConnection> {
    const stale = this.writer.connection;
    this.writer.connection = await this.instance.connect();
    try {
      stale.closeSync();
    } catch {
      // the stale connection is dropped either way
    }
    return this.writer.connection;
  }

  /**
   * Runs maintenance (the search indexer) on its own connection, so it neither waits for nor
   * delays the recorder's commits; it writes only tables the recorder does not touch.
   */
  maintain<T>(task: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.background.run(() => task(this.background.connection));
  }

  /** The reader connections taken in turn. */
  private nextReaderLane(): ConnectionLane {
    return this.readers[this.nextReader++ % this.readers.length]!;
  }

  read<T>(task: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const lane = this.nextReaderLane();
    return lane.run(() => task(lane.connection));
  }

  async query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const lane = this.nextReaderLane();
    return lane.run(async () => (await lane.runPrepared(sql, params)).getRowObjectsJS().map((row) => normalizeRow(row) as Row));
  }

  /**
   * DuckDB's allocator (its own jemalloc, one arena on this 2-core machine) keeps freed pages
   * resident for about 5 s, so a query stream that builds and drops strings holds seconds of
   * its own garbage: ~150 MB during a CSV export of 1M calls without content (measured).
   * Setting memory_limit, even to its current value, purges every arena (BufferPool::SetLimit
   * ends with Allocator::FlushAll); the limit and the cached table blocks stay as they were.
   */
  async releaseFreedMemory(): Promise<void> {
    await this.read((connection) => connection.run(`SET memory_limit = '${this.memoryLimit}'`));
  }

  async close(): Promise<void> {
    await this.writer.run(async () => undefined);
    await this.background.run(async () => undefined);
    for (const lane of this.readers) await lane.run(async () => lane.forget());
    for (const lane of [this.writer, ...this.readers, this.background]) lane.connection.closeSync();
    this.instance.closeSync();
  }
}

/** DuckDB hands back bigint for BIGINT/HUGEINT and Date for timestamps; callers want plain numbers. */
export function normalizeRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row)) {
    const value = row[key];
    out[key] = typeof value === 'bigint' ? Number(value) : value instanceof Date ? value.getTime() : value;
  }
  return out;
}
