// PostgreSQL's rollup tables without member rows: its distinct users and sessions are kept as
// member ids and bitmaps instead (src/analytics/rollups/member-bitmaps.ts), and each agent's and
// user's sessions as bitmaps of those ids (person-session-bitmaps.ts). Statements for every
// rollup, in the caller's transaction or for a bulk rebuild.
import {
  addMembersStatements, MEMBER_BITS_GRAINS, MEMBER_IDS_LOCK, MEMBER_IDS_TABLE, memberBitsTable, membersOfCalls, purgeMemberBitsStatements, rebuildMemberBitsStatements,
  refreshMemberBitsStatements,
} from '../../analytics/rollups/member-bitmaps.js';
import {
  dayRanges, FOLDED_ONLY_SQL, GRAIN_MS, mergeRollupRowsSql, rollupRowsSql, MEMBER_ROLLUPS, physicalTables, purgeStatements, rebuildStatements, refreshStatements, ROLLUP_TABLES,
  ROLLUP_SOURCE_COLUMNS,
  type RollupScope, type RollupTable, type Statement,
} from '../../analytics/rollups/rollup-schema.js';
import { PEOPLE_ROLLUP_TABLES } from '../../analytics/rollups/people-rollup-schema.js';
import { TAG_ROLLUPS } from '../../analytics/rollups/tag-rollup-schema.js';
import { ERROR_ROLLUPS } from '../../analytics/rollups/error-rollup-schema.js';
import {
  PERSON_SESSION_BITS_TABLE, purgePersonSessionBitsStatement, refreshPersonSessionBitsStatements, setPersonSessionBitsStatement,
} from '../../analytics/rollups/person-session-bitmaps.js';

export const PG_ROLLUP_TABLES: readonly RollupTable[] = [...ROLLUP_TABLES.filter((table) => table !== MEMBER_ROLLUPS), ...PEOPLE_ROLLUP_TABLES, TAG_ROLLUPS, ERROR_ROLLUPS];

/** Holds member registration against retention's purge of members (see MEMBER_IDS_LOCK). */
const SHARE_MEMBER_IDS: Statement = { sql: `SELECT pg_advisory_xact_lock_shared(${MEMBER_IDS_LOCK})`, params: [] };

/**
 * Every rollup table's upsert as one statement that reads its calls once: a CTE named `calls`
 * (a non-recursive CTE's body still sees the table) shadows the table for the rest. Each
 * table's finest grain is aggregated from those calls, its coarser grains from that aggregate
 * (a few hundred rows instead of thousands of calls). `source`: a query giving
 * ROLLUP_SOURCE_COLUMNS of the calls to add.
 */
function addCallsInOneStatement(source: string, tables: readonly RollupTable[]): Statement {
  const parts = [`calls AS MATERIALIZED (${source})`];
  tables.forEach((table, t) => {
    const [finest, ...coarser] = [...table.grains].sort((a, b) => GRAIN_MS[a] - GRAIN_MS[b]);
    const finer = `rows_${t}`;
    parts.push(`${finer} AS MATERIALIZED (${rollupRowsSql(table, finest!, { where: 'TRUE', params: [] })})`);
    parts.push(`merged_${t}_${finest} AS (${mergeRollupRowsSql(table, finest!, `SELECT * FROM ${finer}`, false)})`);
    for (const grain of coarser) parts.push(`merged_${t}_${grain} AS (${mergeRollupRowsSql(table, grain, `SELECT * FROM ${finer}`, true)})`);
  });
  return { sql: `WITH ${parts.join(',\n')}\nSELECT 1`, params: [] };
}

/** Every call of `table` (a table with ROLLUP_SOURCE_COLUMNS) added to the rollups and the member bitmaps. */
export function foldStatements(table: string): Statement[] {
  return [
    addCallsInOneStatement(`SELECT * FROM ${table}`, PG_ROLLUP_TABLES),
    SHARE_MEMBER_IDS,
    ...addMembersStatements(membersOfCalls({ where: 'TRUE', params: [] }, table), 'member'),
    setPersonSessionBitsStatement({ where: 'TRUE', params: [] }, table),
  ];
}

/** A scope rebuilt from its folded calls; queued ones are left to the folder. */
export function refreshPgStatements(scope: RollupScope): Statement[] {
  const ranges = scope.days === undefined ? [null] : dayRanges(scope.days);
  return [
    ...refreshStatements(scope, PG_ROLLUP_TABLES, FOLDED_ONLY_SQL), SHARE_MEMBER_IDS, ...refreshMemberBitsStatements(scope, ranges, FOLDED_ONLY_SQL),
    ...refreshPersonSessionBitsStatements(scope.projectId, ranges, FOLDED_ONLY_SQL),
  ];
}

/** Retention; run in one transaction (the members' purge takes the lock exclusively). */
export function purgePgStatements(before: number): Statement[] {
  return [
    ...purgeStatements(before, PG_ROLLUP_TABLES),
    { sql: `SELECT pg_advisory_xact_lock(${MEMBER_IDS_LOCK})`, params: [] },
    ...purgeMemberBitsStatements(before),
    purgePersonSessionBitsStatement(before),
  ];
}

/** Every rollup rebuilt from every stored call (bulk loads that bypass the insert path, with nothing queued). */
export function rebuildPgStatements(): Statement[] {
  return [
    ...rebuildStatements(PG_ROLLUP_TABLES), ...rebuildMemberBitsStatements(),
    { sql: `DELETE FROM ${PERSON_SESSION_BITS_TABLE}`, params: [] }, setPersonSessionBitsStatement({ where: 'TRUE', params: [] }),
  ];
}

/** The tables to ANALYZE after a bulk load. */
export function pgRollupTableNames(): string[] {
  return [...physicalTables(PG_ROLLUP_TABLES).map(([, , name]) => name), MEMBER_IDS_TABLE, ...MEMBER_BITS_GRAINS.map(memberBitsTable), PERSON_SESSION_BITS_TABLE];
}
