// Rollups per UTC day by agent and by user: the sums analytics/agents and /users report,
// and a log-scale latency histogram for their p95, so those routes read about one row per member
// and day (per latency bin for the histogram) instead of every call of the range.
//
// Day grain only: keyed by user and latency bin, an hour held about one row per call (953,224
// rows for 1,000,000 synthetic calls over 30 days, against 344,013 per day and 15,500 per day
// without the bin), so the partial days at a range's ends are read raw, as the distinct sessions
// per member are (people-sessions.ts). Sums and histogram are two tables: the sums of a range
// then never read the histogram's rows.
import { addCallsStatements, binSql, physicalTables, ROLLUP_WATERMARK_TABLE, tableDdl, valueColumn, type RollupTable } from './rollup-schema.js';
import type { PeopleDimension } from './people-sessions.js';

/** What the people routes and the cost breakdown by agent and user report, and no more: every column costs each fold. */
export const PEOPLE_VALUES: RollupTable['values'] = [
  valueColumn('calls'),
  // The provider × model rollups key by status instead; members are not split by status.
  { name: 'successes', perCall: "CASE WHEN status = 'success' THEN 1 ELSE 0 END", type: 'bigint', merge: 'sum' },
  ...['total_tokens', 'cost_usd', 'priced_calls', 'latency_sum', 'latency_calls', 'tool_calls'].map(valueColumn),
  // The cost breakdown by agent and user (DuckDB migration 13).
  ...['prompt_tokens', 'completion_tokens', 'unpriced_tokens'].map(valueColumn),
];

/** Key columns are NOT NULL, and calls without an agent or user are a member of their own (as
 * in the raw breakdown): `named` 0 marks that member, whose `member` is ''. */
export function memberKeys(column: string): RollupTable['extraKeys'] {
  return [
    { name: 'named', perCall: `CASE WHEN ${column} IS NULL THEN 0 ELSE 1 END`, type: 'integer' },
    { name: 'member', perCall: `COALESCE(${column}, '')`, type: 'text' },
  ];
}

export interface PeopleRollups {
  sums: RollupTable;
  latency: RollupTable;
}

function peopleRollups(plural: string, singular: string, column: string): PeopleRollups {
  return {
    sums: { name: `call_rollup_${plural}`, dimensions: [], extraKeys: memberKeys(column), values: PEOPLE_VALUES, grains: ['day'] },
    latency: {
      name: `call_rollup_${singular}_latency`, dimensions: [],
      extraKeys: [...memberKeys(column), { name: 'latency_bin', perCall: binSql('latency_ms'), type: 'integer' }],
      values: [valueColumn('calls')], grains: ['day'], only: 'latency_ms IS NOT NULL',
    },
  };
}

export const PEOPLE_ROLLUPS: Record<PeopleDimension, PeopleRollups> = {
  agent: peopleRollups('agents', 'agent', 'agent'),
  user: peopleRollups('users', 'user', 'user_id'),
};

/** Kept by each engine's folder with the other rollups (src/store/duckdb/rollups.ts,
 * src/store/postgres/member-rollups.ts). */
export const PEOPLE_ROLLUP_TABLES: readonly RollupTable[] = Object.values(PEOPLE_ROLLUPS).flatMap(({ sums, latency }) => [sums, latency]);

/** DuckDB migration 10: the tables, filled from the calls already folded into the other rollups
 * (the folder adds the rest with them). */
export function peopleRollupsMigrationSql(): string {
  const tables = physicalTables(PEOPLE_ROLLUP_TABLES).map(([table, , name]) => tableDdl(table, name, 'duckdb'));
  const fill = addCallsStatements({ where: `commit_seq <= (SELECT watermark FROM ${ROLLUP_WATERMARK_TABLE})`, params: [] }, PEOPLE_ROLLUP_TABLES);
  return [...tables, ...fill.map((statement) => `${statement.sql};`)].join('\n');
}

/** DuckDB migration 13: the sums tables again with the cost breakdown's token columns, filled
 * from the calls already folded (the folder adds the rest). The histograms stay as they are. */
export function peopleSumsMigrationSql(): string {
  const sums = Object.values(PEOPLE_ROLLUPS).map(({ sums: table }) => table);
  const tables = physicalTables(sums).flatMap(([table, , name]) => [`DROP TABLE IF EXISTS ${name};`, tableDdl(table, name, 'duckdb')]);
  const fill = addCallsStatements({ where: `commit_seq <= (SELECT watermark FROM ${ROLLUP_WATERMARK_TABLE})`, params: [] }, sums);
  return [...tables, ...fill.map((statement) => `${statement.sql};`)].join('\n');
}
