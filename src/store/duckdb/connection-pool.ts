// One DuckDB instance owning the data file: a dedicated writer connection (the recorder's
// group commits) and a few reader connections so analytics run in parallel with writes.
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';

type Task<T> = () => Promise<T>;

/** Serializes work on one connection: DuckDB runs one statement per connection at a time. */
class ConnectionLane {
  private tail: Promise<unknown> = Promise.resolve();
  constructor(public connection: DuckDBConnection) {}

  run<T>(task: Task<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
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

  read<T>(task: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const lane = this.readers[this.nextReader++ % this.readers.length]!;
    return lane.run(() => task(lane.connection));
  }

  /**
   * Prepared afresh on every call, never kept: DuckDB 1.5 bakes table statistics into a
   * prepared plan (a filter the data did not match then becomes an empty result, a count of
   * a column without NULLs a count of rows), so a kept statement can answer from the data as
   * it was when prepared (duckdb/duckdb#23704, #24182; connection-pool.test.ts).
   */
  async query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.read(async (connection) => {
      const reader = await connection.runAndReadAll(sql, params as DuckDBValue[]);
      return reader.getRowObjectsJS().map((row) => normalizeRow(row) as Row);
    });
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
    for (const lane of this.readers) await lane.run(async () => undefined);
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
