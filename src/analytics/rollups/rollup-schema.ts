// The rollup tables: calls pre-aggregated per hour and per day × project × provider × model ×
// status, with log-scale latency and TTFT histograms, so long ranges are answered without
// scanning raw rows. One definition gives the DDL, the per-call values (also read for the raw
// edges of a range) and the merge rules, for both engines.
//
// No minute grain: keyed by histogram bin as well, a minute holds about one row per call (the
// first build at 1M calls over 30 days had 980,262 minute rows), so a minute rollup is no
// cheaper to read than the calls themselves; the sub-hour edges of a range are read raw.
import type { Dialect } from '../filters.js';
import { CALL_COLUMNS } from '../../domain/call-record.js';
import { sqlTimestamp, type SqlParams } from '../sql-params.js';

export const ROLLUP_GRAINS = ['hour', 'day'] as const;
export type RollupGrain = (typeof ROLLUP_GRAINS)[number];
export const GRAIN_MS: Record<RollupGrain, number> = { hour: 3_600_000, day: 86_400_000 };

/**
 * Histogram bins grow by this ratio; a bin is read at its geometric middle, so a value read
 * from it is within √1.1 − 1 = 4.9 % of any value the bin holds.
 */
export const BIN_RATIO = 1.1;
export const BIN_RELATIVE_ERROR = Math.sqrt(BIN_RATIO) - 1;
const LOG_RATIO = Math.log(BIN_RATIO);
/** Bins of no value (NULL) and of zero, which a logarithm cannot place. */
export const NULL_BIN = -32768;
export const ZERO_BIN = -32767;

/** Upper bounds (ms, exclusive) of the performance route's latency histogram; the last band is
 * open. Bands are a rollup key, so counts per band are exact; changing them needs a rebuild. */
export const LATENCY_BUCKETS_MS = [250, 500, 1000, 2000, 5000, 10_000, 30_000];
export const NULL_BAND = -1;

/** The log-scale bin of a value (ms), as SQL. */
export function binSql(column: string): string {
  return `CASE WHEN ${column} IS NULL THEN ${NULL_BIN} WHEN ${column} <= 0 THEN ${ZERO_BIN} ELSE CAST(floor(ln(${column}) / ${LOG_RATIO}) AS INTEGER) END`;
}

/** The value a bin stands for: its geometric middle (0 for the zero bin). */
export function binValueSql(bin: string): string {
  return `CASE WHEN ${bin} = ${ZERO_BIN} THEN 0 ELSE exp((${bin} + 0.5) * ${LOG_RATIO}) END`;
}

export function bandSql(column: string): string {
  const cases = LATENCY_BUCKETS_MS.map((bound, index) => `WHEN ${column} < ${bound} THEN ${index}`).join(' ');
  return `CASE WHEN ${column} IS NULL THEN ${NULL_BAND} ${cases} ELSE ${LATENCY_BUCKETS_MS.length} END`;
}

/** Text and timestamp values are kept by min or max only. */
type ColumnType = 'bigint' | 'double' | 'text' | 'timestamp';
type Merge = 'sum' | 'min' | 'max';

export interface ValueColumn {
  name: string;
  /** The column's value for one call row. */
  perCall: string;
  type: ColumnType;
  merge: Merge;
}

const count = (condition: string) => `CASE WHEN ${condition} THEN 1 ELSE 0 END`;

/** Sums never hold NULL (a NULL would poison every later addition); min and max may. */
export const VALUE_COLUMNS: readonly ValueColumn[] = [
  { name: 'calls', perCall: '1', type: 'bigint', merge: 'sum' },
  { name: 'streaming_calls', perCall: count('is_streaming'), type: 'bigint', merge: 'sum' },
  { name: 'fallback_calls', perCall: count('is_fallback'), type: 'bigint', merge: 'sum' },
  { name: 'prompt_tokens', perCall: 'prompt_tokens', type: 'bigint', merge: 'sum' },
  { name: 'completion_tokens', perCall: 'completion_tokens', type: 'bigint', merge: 'sum' },
  { name: 'total_tokens', perCall: 'total_tokens', type: 'bigint', merge: 'sum' },
  { name: 'cached_tokens', perCall: 'cached_tokens', type: 'bigint', merge: 'sum' },
  { name: 'reasoning_tokens', perCall: 'reasoning_tokens', type: 'bigint', merge: 'sum' },
  { name: 'tool_calls', perCall: 'tool_calls_count', type: 'bigint', merge: 'sum' },
  { name: 'cost_usd', perCall: 'COALESCE(cost_usd, 0)', type: 'double', merge: 'sum' },
  { name: 'priced_calls', perCall: count('cost_usd IS NOT NULL'), type: 'bigint', merge: 'sum' },
  { name: 'unpriced_tokens', perCall: 'CASE WHEN cost_usd IS NULL THEN total_tokens ELSE 0 END', type: 'bigint', merge: 'sum' },
  { name: 'latency_sum', perCall: 'COALESCE(latency_ms, 0)', type: 'double', merge: 'sum' },
  { name: 'latency_calls', perCall: count('latency_ms IS NOT NULL'), type: 'bigint', merge: 'sum' },
  { name: 'latency_min', perCall: 'latency_ms', type: 'double', merge: 'min' },
  { name: 'latency_max', perCall: 'latency_ms', type: 'double', merge: 'max' },
  { name: 'ttft_sum', perCall: 'COALESCE(ttft_ms, 0)', type: 'double', merge: 'sum' },
  { name: 'ttft_calls', perCall: count('ttft_ms IS NOT NULL'), type: 'bigint', merge: 'sum' },
  { name: 'tps_sum', perCall: 'COALESCE(tokens_per_second, 0)', type: 'double', merge: 'sum' },
  { name: 'tps_calls', perCall: count('tokens_per_second IS NOT NULL'), type: 'bigint', merge: 'sum' },
  { name: 'tps_min', perCall: 'tokens_per_second', type: 'double', merge: 'min' },
  { name: 'tps_max', perCall: 'tokens_per_second', type: 'double', merge: 'max' },
  // The performance score of docs/API.md, summed so its mean is exact.
  { name: 'score_sum', perCall: "CASE WHEN status = 'success' THEN 100.0 * 1000 / (1000 + COALESCE(latency_ms, 0)) ELSE 0 END", type: 'double', merge: 'sum' },
];

/** One of VALUE_COLUMNS by name. */
export function valueColumn(name: string): ValueColumn {
  const column = VALUE_COLUMNS.find((value) => value.name === name);
  if (!column) throw new Error(`no rollup value column ${name}`);
  return column;
}

/** Dimensions every rollup row is keyed by; also the only filters a rollup can answer. */
export const ROLLUP_DIMENSIONS = ['provider', 'model', 'status'] as const;

export interface RollupTable {
  /** One table per grain: `<name>_<grain>` (small day tables scan in no time). */
  name: string;
  /** Rollup dimensions in the key (members have none: distinct counts need no per-model split). */
  dimensions: readonly string[];
  /** Key columns after project, bucket and the dimensions, with their per-call value. */
  extraKeys: { name: string; perCall: string; type: 'integer' | 'text' }[];
  values: readonly ValueColumn[];
  grains: readonly RollupGrain[];
  /** Calls without a value here add nothing to the table. */
  only?: string;
  /** A FROM item joined to each call, whose columns the keys read: a call counts once under
   * each of its rows (none when it has none). */
  lateral?: string;
}

/**
 * FROM and WHERE of a table's per-call rows: the calls of `from` that `where` selects, fanned
 * out by the table's lateral item, with its `only` condition. The selection comes first: DuckDB
 * joins every call of the table to a lateral item and filters afterwards (67 against 5 ms for a
 * day of 1M calls).
 */
export function perCallRowsSql(table: RollupTable, from: string, where: string): string {
  if (table.lateral) return `FROM (SELECT * FROM ${from} WHERE ${where}) AS calls ${table.lateral}${table.only ? ` WHERE ${table.only}` : ''}`;
  return `FROM ${from} WHERE ${table.only ? `(${where}) AND ${table.only}` : where}`;
}

export const CALL_ROLLUPS: RollupTable = {
  name: 'call_rollups',
  dimensions: ROLLUP_DIMENSIONS,
  extraKeys: [{ name: 'latency_bin', perCall: binSql('latency_ms'), type: 'integer' }, { name: 'latency_band', perCall: bandSql('latency_ms'), type: 'integer' }],
  values: VALUE_COLUMNS,
  grains: ROLLUP_GRAINS,
};

export const TTFT_ROLLUPS: RollupTable = {
  name: 'call_rollup_ttft',
  dimensions: ROLLUP_DIMENSIONS,
  extraKeys: [{ name: 'ttft_bin', perCall: binSql('ttft_ms'), type: 'integer' }],
  values: [{ name: 'calls', perCall: '1', type: 'bigint', merge: 'sum' }],
  grains: ROLLUP_GRAINS,
  only: 'ttft_ms IS NOT NULL',
};

/** Distinct users and sessions per hour and per day (kind 'u' or 's'), for exact distinct
 * counts. Keyed by project and bucket only: per model, a session that used eight models is
 * eight rows. PostgreSQL replaced these with member-id bitmaps (its migration 7,
 * member-bitmaps.ts) and maintains the other tables only (src/store/postgres/member-rollups.ts). */
export const MEMBER_ROLLUPS: RollupTable = {
  name: 'call_rollup_members',
  dimensions: [],
  extraKeys: [{ name: 'kind', perCall: 'members.kind', type: 'text' }, { name: 'member', perCall: 'members.member', type: 'text' }],
  values: [{ name: 'calls', perCall: '1', type: 'bigint', merge: 'sum' }],
  grains: ROLLUP_GRAINS,
  only: 'members.member IS NOT NULL',
  lateral: "CROSS JOIN LATERAL (SELECT 'u' AS kind, user_id AS member UNION ALL SELECT 's', session_id) AS members",
};

export const ROLLUP_TABLES = [CALL_ROLLUPS, TTFT_ROLLUPS, MEMBER_ROLLUPS] as const;

/**
 * DuckDB: the commit number up to which calls are in the rollups (src/store/duckdb/rollups.ts).
 */
export const ROLLUP_WATERMARK_TABLE = 'call_rollup_state';

/**
 * PostgreSQL: the insert batches not yet in the rollups, one row per batch (its ids and
 * times), committed with the batch's calls (src/store/postgres/rollup-queue.ts). A watermark
 * over an insertion sequence would pass over a batch of a writer that commits late.
 */
export const ROLLUP_QUEUE_TABLE = 'call_rollup_pending';

/** PostgreSQL: the keys of every queued call. */
export const QUEUED_CALL_KEYS_SQL = `SELECT k.id, k.started_at FROM ${ROLLUP_QUEUE_TABLE} q CROSS JOIN LATERAL unnest(q.ids, q.started) AS k(id, started_at)`;

/** The columns of `calls` that rollups read: all but the content. */
export const ROLLUP_SOURCE_COLUMNS = CALL_COLUMNS.filter((column) => column !== 'input' && column !== 'output' && column !== 'params').join(', ');

/** PostgreSQL: the CTE a statement reads its queued calls from (unfoldedCallsCte). */
export const UNFOLDED_CALLS_CTE = 'unfolded_calls';

/**
 * PostgreSQL: the queued calls of a project within [from, to), as a CTE that a statement reads
 * once however many of its parts need them. Read by key, one probe each (LIMIT 1 keeps the
 * probe a nested loop rather than a scan of the range's calls).
 */
export function pgUnfoldedCallsCte(projectId: string, from: number, to: number, params: SqlParams): string {
  const [project, since, until] = [params.add(projectId), params.add(sqlTimestamp(from)), params.add(sqlTimestamp(to))];
  return `${UNFOLDED_CALLS_CTE} AS MATERIALIZED (SELECT queued_call.* FROM (${QUEUED_CALL_KEYS_SQL} WHERE k.started_at >= ${since}::timestamp AND k.started_at < ${until}::timestamp) queued
    CROSS JOIN LATERAL (SELECT ${ROLLUP_SOURCE_COLUMNS} FROM calls c WHERE c.id = queued.id AND c.started_at = queued.started_at AND c.project_id = ${project} LIMIT 1) queued_call)`;
}

/**
 * The calls not yet in the rollups, as a FROM item named `calls` and a condition on it, read
 * in the query's own snapshot (so each call is in the rollups or here, never both).
 * `watermarkFloor` (DuckDB): a watermark seen earlier, a constant that lets zone maps skip
 * the calls below it. PostgreSQL: the statement's pgUnfoldedCallsCte.
 */
export function unfoldedCalls(dialect: Dialect, watermarkFloor: number): { from: string; where: string } {
  if (dialect === 'duckdb') {
    return { from: 'calls', where: `commit_seq > ${Math.floor(watermarkFloor)} AND commit_seq > (SELECT watermark FROM ${ROLLUP_WATERMARK_TABLE})` };
  }
  return { from: `${UNFOLDED_CALLS_CTE} AS calls`, where: 'TRUE' };
}

/** PostgreSQL: a condition on `calls` that leaves out queued calls (rebuilds count the folded ones only). */
export const FOLDED_ONLY_SQL = `NOT EXISTS (${QUEUED_CALL_KEYS_SQL} WHERE k.id = calls.id AND k.started_at = calls.started_at)`;

/** DuckDB: true once every stored call is folded into the rollups. */
export const ROLLUPS_CAUGHT_UP_SQL = `SELECT (SELECT watermark FROM ${ROLLUP_WATERMARK_TABLE}) >= (SELECT COALESCE(max(commit_seq), 0) FROM calls) AS caught_up`;

function sqlType(type: ColumnType | 'integer', dialect: Dialect): string {
  if (type === 'double') return 'DOUBLE PRECISION';
  if (type === 'text') return dialect === 'duckdb' ? 'VARCHAR' : 'TEXT';
  return type.toUpperCase();
}

export function rollupTableName(table: RollupTable, grain: RollupGrain): string {
  return `${table.name}_${grain}`;
}

/** Every physical table: [definition, grain, name] (`tables`: a dialect's own set, when it keeps members apart). */
export function physicalTables(tables: readonly RollupTable[] = ROLLUP_TABLES): [RollupTable, RollupGrain, string][] {
  return tables.flatMap((table) => table.grains.map((grain): [RollupTable, RollupGrain, string] => [table, grain, rollupTableName(table, grain)]));
}

function keyColumns(table: RollupTable): string[] {
  return ['project_id', 'bucket', ...table.dimensions, ...table.extraKeys.map((key) => key.name)];
}

export function tableDdl(table: RollupTable, name: string, dialect: Dialect): string {
  const text = sqlType('text', dialect);
  const columns = [
    `project_id ${text} NOT NULL`, 'bucket TIMESTAMP NOT NULL',
    ...table.dimensions.map((dimension) => `${dimension} ${text} NOT NULL`),
    ...table.extraKeys.map((key) => `${key.name} ${sqlType(key.type, dialect)} NOT NULL`),
    ...table.values.map((value) => `${value.name} ${sqlType(value.type, dialect)}${value.merge === 'sum' ? ' NOT NULL' : ''}`),
  ];
  // Project and bucket lead the key: every read is a range of buckets of one project.
  return `CREATE TABLE ${name} (${columns.join(', ')}, PRIMARY KEY (${keyColumns(table).join(', ')}));`;
}

export function rollupDdl(dialect: Dialect): string {
  return physicalTables().map(([table, , name]) => tableDdl(table, name, dialect)).join('\n');
}

/**
 * PostgreSQL: member rows in member order within a project and kind, so distinct members of a
 * range of days come out of an index-only scan without a sort (compile-rollup-query.ts), and
 * an edge member is looked up among them by one probe. DuckDB counts distinct values by
 * hashing and needs none.
 */
const MEMBER_INDEX_DDL = `CREATE INDEX IF NOT EXISTS ${rollupTableName(MEMBER_ROLLUPS, 'day')}_by_member ON ${rollupTableName(MEMBER_ROLLUPS, 'day')} (project_id, kind, member, bucket)`;

/**
 * The migration that added member rows per hour (PostgreSQL 5, DuckDB 8): the table, filled
 * from the calls already rolled up (DuckDB: those at or below the watermark, the folder adds the
 * rest), and on PostgreSQL the member index. Dropped first: a store created since then got the
 * table from the first rollup migration, which is built from the current definition.
 */
export function memberHoursMigrationSql(dialect: Dialect): string {
  const name = rollupTableName(MEMBER_ROLLUPS, 'hour');
  // PostgreSQL had no queue when this migration was written: it adds every call.
  const where = dialect === 'duckdb' ? `commit_seq <= (SELECT watermark FROM ${ROLLUP_WATERMARK_TABLE})` : 'TRUE';
  return [
    `DROP TABLE IF EXISTS ${name};`,
    tableDdl(MEMBER_ROLLUPS, name, dialect),
    `${addToRollupSql(MEMBER_ROLLUPS, 'hour', { where, params: [] })};`,
    ...(dialect === 'postgres' ? [`${MEMBER_INDEX_DDL};`] : []),
  ].join('\n');
}

/** The calls a rollup statement reads: a condition on `calls` (no alias) and its parameters. */
export interface CallSelection {
  where: string;
  params: unknown[];
}

export interface Statement {
  sql: string;
  params: unknown[];
}

function mergeSql(value: ValueColumn, table: string): string {
  const current = `${table}.${value.name}`;
  const added = `EXCLUDED.${value.name}`;
  if (value.merge === 'sum') return `${value.name} = ${current} + ${added}`;
  // COALESCE: least/greatest treat NULL differently on the two engines.
  const pick = value.merge === 'min' ? 'least' : 'greatest';
  return `${value.name} = COALESCE(${pick}(${current}, ${added}), ${current}, ${added})`;
}

/** The rows one rollup table gets from the selected calls, one per key (columns in table order). */
export function rollupRowsSql(table: RollupTable, grain: RollupGrain, selection: CallSelection): string {
  const selected = [
    'project_id', `date_trunc('${grain}', started_at) AS bucket`, ...table.dimensions,
    ...table.extraKeys.map((key) => `${key.perCall} AS ${key.name}`),
    ...table.values.map((value) => `${value.merge}(${value.perCall}) AS ${value.name}`),
  ];
  return `SELECT ${selected.join(', ')} ${perCallRowsSql(table, 'calls', selection.where)} GROUP BY ${keyColumns(table).map((_, i) => i + 1).join(', ')}`;
}

/**
 * Merges rows of `rows` (a query giving rollupRowsSql's columns for a grain no coarser than
 * `grain`) into one rollup table. Rows go in key order, so concurrent writers lock shared rows
 * in the same order. From a finer grain, a value is the merge of the finer rows' values.
 */
export function mergeRollupRowsSql(table: RollupTable, grain: RollupGrain, rows: string, fromFinerGrain: boolean): string {
  const keys = keyColumns(table);
  const name = rollupTableName(table, grain);
  const positions = keys.map((_, i) => i + 1).join(', ');
  const update = table.values.map((value) => mergeSql(value, name)).join(', ');
  const selected = fromFinerGrain
    ? `SELECT project_id, date_trunc('${grain}', bucket) AS bucket, ${[...table.dimensions, ...table.extraKeys.map((key) => key.name)].map((column) => `${column}, `).join('')}${table.values.map((value) => `${value.merge}(${value.name}) AS ${value.name}`).join(', ')}
      FROM (${rows}) finer GROUP BY ${positions} ORDER BY ${positions}`
    : `SELECT * FROM (${rows}) added ORDER BY ${positions}`;
  return `INSERT INTO ${name} (${[...keys, ...table.values.map((value) => value.name)].join(', ')})
    ${selected}
    ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${update}`;
}

/** Adds the selected calls to one rollup table: one row per key, merged into what is there. */
export function addToRollupSql(table: RollupTable, grain: RollupGrain, selection: CallSelection): string {
  return mergeRollupRowsSql(table, grain, rollupRowsSql(table, grain, selection), false);
}

/** Adds the selected calls to every rollup table. */
export function addCallsStatements(selection: CallSelection, tables: readonly RollupTable[] = ROLLUP_TABLES): Statement[] {
  return physicalTables(tables).map(([table, grain]) => ({ sql: addToRollupSql(table, grain, selection), params: selection.params }));
}

/** What a refresh rebuilds: whole UTC days of one project (all of it when `days` is absent),
 * optionally of one model only. */
export interface RollupScope {
  projectId: string;
  model?: string;
  /** Midnights (epoch ms) of the days to rebuild. */
  days?: number[];
}

function scopeCondition(scope: Omit<RollupScope, 'model'> & { model?: string | undefined }, timeColumn: string, dayParams: [number, number] | null): { where: string; params: unknown[] } {
  const params: unknown[] = [scope.projectId];
  const conditions = ['project_id = $1'];
  if (scope.model !== undefined) {
    params.push(scope.model);
    conditions.push(`model = $${params.length}`);
  }
  if (dayParams) {
    params.push(sqlTimestamp(dayParams[0]), sqlTimestamp(dayParams[1]));
    conditions.push(`${timeColumn} >= $${params.length - 1}::TIMESTAMP AND ${timeColumn} < $${params.length}::TIMESTAMP`);
  }
  return { where: conditions.join(' AND '), params };
}

/** Consecutive days joined into ranges [from, to). */
export function dayRanges(days: number[]): [number, number][] {
  const sorted = [...new Set(days.map((day) => Math.floor(day / GRAIN_MS.day) * GRAIN_MS.day))].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const day of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === day) last[1] = day + GRAIN_MS.day;
    else ranges.push([day, day + GRAIN_MS.day]);
  }
  return ranges;
}

/**
 * Rebuilds the rollups of a scope from the calls that remain: after deletes and repricing,
 * which a running sum cannot undo exactly (a minimum, a distinct member). Every grain of a
 * day lies within the day, so clearing its buckets clears all of them. `folded`: a condition
 * on `calls` for the calls the rollups hold (PostgreSQL: not queued).
 */
export function refreshStatements(scope: RollupScope, tables: readonly RollupTable[] = ROLLUP_TABLES, folded = 'TRUE'): Statement[] {
  const ranges = scope.days === undefined ? [null] : dayRanges(scope.days);
  const statements: Statement[] = [];
  for (const range of ranges) {
    const rollupScope = scopeCondition(scope, 'bucket', range);
    for (const [table, , name] of physicalTables(tables)) {
      // Members have no model column: a model's refresh rebuilds the day's members whole.
      const where = scope.model !== undefined && !table.dimensions.includes('model') ? scopeCondition({ ...scope, model: undefined }, 'bucket', range) : rollupScope;
      statements.push({ sql: `DELETE FROM ${name} WHERE ${where.where}`, params: where.params });
    }
    for (const [table, grain] of physicalTables(tables)) {
      const selection = scopeCondition(table.dimensions.includes('model') ? scope : { ...scope, model: undefined }, 'started_at', range);
      statements.push({ sql: addToRollupSql(table, grain, { where: `${selection.where} AND ${folded}`, params: selection.params }), params: selection.params });
    }
  }
  return statements;
}

/**
 * A migration that adds rollup tables to a store in use: the tables, filled from the calls
 * already folded into the others (the folder adds the rest with them). `lock`: PostgreSQL's
 * statement that holds its folder off meanwhile.
 */
export function addedRollupsMigrationSql(tables: readonly RollupTable[], dialect: Dialect, lock: string | null): string {
  const folded = dialect === 'duckdb' ? `commit_seq <= (SELECT watermark FROM ${ROLLUP_WATERMARK_TABLE})` : FOLDED_ONLY_SQL;
  const ddl = physicalTables(tables).map(([table, , name]) => tableDdl(table, name, dialect));
  const fill = addCallsStatements({ where: folded, params: [] }, tables);
  return [...(lock ? [`${lock};`] : []), ...ddl, ...fill.map((statement) => `${statement.sql};`)].join('\n');
}

/** Every rollup rebuilt from every stored call (bulk loads that bypass the insert path, on
 * PostgreSQL; DuckDB's folder picks such rows up by itself). */
export function rebuildStatements(tables: readonly RollupTable[] = ROLLUP_TABLES): Statement[] {
  return [
    ...physicalTables(tables).map(([, , name]) => ({ sql: `DELETE FROM ${name}`, params: [] })),
    ...addCallsStatements({ where: 'TRUE', params: [] }, tables),
  ];
}

/** Retention: removes the buckets before a UTC midnight, matching the calls it removed. */
export function purgeStatements(before: number, tables: readonly RollupTable[] = ROLLUP_TABLES): Statement[] {
  return physicalTables(tables).map(([, , name]) => ({ sql: `DELETE FROM ${name} WHERE bucket < $1::TIMESTAMP`, params: [sqlTimestamp(before)] }));
}

/** The days a time range touches, or no bound (all days) when the range is open. */
export function daysOfRange(from: number | undefined, to: number | undefined): { days?: number[] } {
  if (from === undefined || to === undefined) return {};
  const days: number[] = [];
  for (let day = Math.floor(from / GRAIN_MS.day) * GRAIN_MS.day; day < to; day += GRAIN_MS.day) days.push(day);
  return { days };
}
