// Exact distinct sessions per agent and per user over long ranges on DuckDB, without hashing
// every (member, session) pair of the range: that hash took ~1 s of the 1.5 s per-user query at
// 10M calls. A day table keeps each member's distinct sessions per UTC day (recomputed for the
// days a fold, delete or repricing touches); a range then adds the days up and takes back the
// sessions counted on more than one day, found from the session member rows of each day
// (call_rollup_members_day) and counted again from the raw calls of those sessions only.
// A day is not recounted by the fold that brings it calls (that was a pass over all of the
// day's calls every few seconds, growing all day for today, and for every day a backfill is
// filling): it is marked pending, read from raw calls like a partial day, and recounted once,
// by the first fold that brings it no calls after it has ended.
import type { CallFilters } from '../../store/ports.js';
import { compileCallFilters, type Dialect } from '../filters.js';
import { SqlParams, sqlTimestamp } from '../sql-params.js';
import { filtersFitRollups, type RollupRead } from './rollup-plan.js';
import { dayRanges, GRAIN_MS, MEMBER_ROLLUPS, ROLLUP_DIMENSIONS, ROLLUP_WATERMARK_TABLE, rollupTableName, unfoldedCalls, type RollupScope, type Statement } from './rollup-schema.js';

export const PEOPLE_SESSIONS_TABLE = 'call_rollup_people_sessions_day';
/** Days whose rows in PEOPLE_SESSIONS_TABLE lag their calls: read raw until recounted. */
export const PEOPLE_SESSIONS_PENDING_TABLE = 'call_rollup_people_sessions_pending';

export type PeopleDimension = 'agent' | 'user';
/** Each dimension's kind letter (in member tables) and its column in `calls`. */
export const PEOPLE: Record<PeopleDimension, { kind: 'a' | 'u'; column: string }> = {
  agent: { kind: 'a', column: 'agent' },
  user: { kind: 'u', column: 'user_id' },
};

/** No primary key: rows are only ever replaced a whole day at a time, and a NULL member (calls
 * without an agent or user) is a group of its own, as in the raw breakdown. */
export const PEOPLE_SESSIONS_DDL = `CREATE TABLE ${PEOPLE_SESSIONS_TABLE} (project_id VARCHAR NOT NULL, bucket TIMESTAMP NOT NULL,
  kind VARCHAR NOT NULL, member VARCHAR, sessions BIGINT NOT NULL);`;

/** Adds each member's distinct sessions per day of the selected calls (whole days only: the
 * caller clears those days first). `where` is a condition on `calls` with `params`. */
function addDaysStatements(where: string, params: unknown[]): Statement[] {
  return Object.values(PEOPLE).map(({ kind, column }) => ({
    sql: `INSERT INTO ${PEOPLE_SESSIONS_TABLE} SELECT project_id, date_trunc('day', started_at), '${kind}', ${column}, count(DISTINCT session_id)
      FROM calls WHERE ${where} GROUP BY 1, 2, 4`,
    params,
  }));
}

/** Recomputes whole days of one project (all of it when `days` is absent) from its calls at or
 * below `upTo` (a commit number), or all of them. */
export function recomputeDaysStatements(scope: Omit<RollupScope, 'model'>, upTo?: bigint): Statement[] {
  const ranges = scope.days === undefined ? [null] : dayRanges(scope.days);
  const statements: Statement[] = [];
  for (const range of ranges) {
    const params: unknown[] = [scope.projectId];
    let within = '';
    if (range) {
      params.push(sqlTimestamp(range[0]), sqlTimestamp(range[1]));
      within = ' AND $2::TIMESTAMP <= {time} AND {time} < $3::TIMESTAMP';
    }
    statements.push({ sql: `DELETE FROM ${PEOPLE_SESSIONS_TABLE} WHERE project_id = $1${within.replaceAll('{time}', 'bucket')}`, params });
    const bounded = upTo === undefined ? params : [...params, upTo];
    const committed = upTo === undefined ? '' : ` AND commit_seq <= $${bounded.length}`;
    statements.push(...addDaysStatements(`project_id = $1${within.replaceAll('{time}', 'started_at')}${committed}`, bounded));
  }
  return statements;
}

/** Retention: the days before a UTC midnight. */
export function purgePeopleSessionsStatements(before: number): Statement[] {
  return [PEOPLE_SESSIONS_TABLE, PEOPLE_SESSIONS_PENDING_TABLE].map((table) => ({ sql: `DELETE FROM ${table} WHERE bucket < $1::TIMESTAMP`, params: [sqlTimestamp(before)] }));
}

/**
 * DuckDB migration 11: the pending days, each with the highest commit number of the fold that
 * last brought it calls (the next fold marks the days it touches).
 */
export const PEOPLE_SESSIONS_PENDING_DDL = `CREATE TABLE ${PEOPLE_SESSIONS_PENDING_TABLE} (project_id VARCHAR NOT NULL, bucket TIMESTAMP NOT NULL,
  touched_seq BIGINT NOT NULL);`;

/**
 * Marks pending every day (per project) of the calls with commit numbers in ($1, $2], as
 * touched by the fold up to $2: a day already pending is marked again with the later number.
 */
export const MARK_TOUCHED_DAYS_STATEMENTS: readonly string[] = [
  `DELETE FROM ${PEOPLE_SESSIONS_PENDING_TABLE} WHERE (project_id, bucket) IN (
    SELECT project_id, date_trunc('day', started_at) FROM calls WHERE commit_seq > $1 AND commit_seq <= $2)`,
  `INSERT INTO ${PEOPLE_SESSIONS_PENDING_TABLE}
    SELECT DISTINCT project_id, date_trunc('day', started_at), $2 FROM calls WHERE commit_seq > $1 AND commit_seq <= $2`,
];

/** Pending days that have ended (before the UTC midnight $1) and that no fold from commit $2 on touched. */
const SETTLED_WHERE = 'bucket < $1::TIMESTAMP AND touched_seq < $2';
/** The days to recount now, as rows (project_id, day in epoch ms). */
export const SETTLED_PENDING_DAYS_SQL = `SELECT project_id, epoch_ms(bucket) AS day FROM ${PEOPLE_SESSIONS_PENDING_TABLE} WHERE ${SETTLED_WHERE}`;
/** Unmarks them once recounted (same parameters). */
export const CLEAR_SETTLED_DAYS_SQL = `DELETE FROM ${PEOPLE_SESSIONS_PENDING_TABLE} WHERE ${SETTLED_WHERE}`;

/** DuckDB migration 9: the table, filled from the calls already folded into the rollups (the
 * folder recomputes the days of the rest). */
export function peopleSessionsMigrationSql(): string {
  const statements = addDaysStatements(`commit_seq <= (SELECT watermark FROM ${ROLLUP_WATERMARK_TABLE})`, []);
  return [PEOPLE_SESSIONS_DDL, ...statements.map((statement) => `${statement.sql};`)].join('\n');
}

/** Only project and time filter: the day rows know nothing else. */
export function filtersFitPeopleSessions(filters: CallFilters): boolean {
  return filtersFitRollups(filters) && ROLLUP_DIMENSIONS.every((dimension) => (filters[dimension]?.length ?? 0) === 0);
}

/** The whole days of a read ([from, to) in epoch ms), or null when it has none. */
export function wholeDaysOf(read: RollupRead): [number, number] | null {
  const days = read.segments.filter((segment) => segment.grain === 'day');
  if (days.length === 0) return null;
  return [Math.min(...days.map((segment) => segment.from)), Math.max(...days.map((segment) => segment.to))];
}

/**
 * Distinct sessions per member over the filters' range, as rows (member, sessions). Every call
 * of the range belongs to one UTC day; a member's sessions are the sum over the days of its
 * distinct sessions that day (day rows for the whole days, raw calls for the partial days at the
 * ends and for any whole day holding calls above the watermark, which its day row lacks), less
 * the repeats of a session seen on several of those days. A session can only repeat if it has
 * calls on two days; those are found from the day member rows and the calls above the watermark,
 * and their repeats are counted exactly from their raw calls in the range.
 */
/** A condition on calls of one project within [from, to) (either end may be open). */
export function projectRange(projectId: string, params: SqlParams, dialect: Dialect = 'duckdb'): (from: number | undefined, to: number | undefined) => string {
  return (from, to) => {
    const scoped: CallFilters = { projectId };
    if (from !== undefined) scoped.from = from;
    if (to !== undefined) scoped.to = to;
    return compileCallFilters(scoped, params, dialect);
  };
}

export function peopleSessionsSql(by: PeopleDimension, filters: CallFilters, read: RollupRead, days: [number, number]): { sql: string; params: unknown[] } {
  const { kind, column } = PEOPLE[by];
  const params = new SqlParams();
  const range = projectRange(filters.projectId, params);
  const [spanFrom, spanTo] = [params.add(sqlTimestamp(days[0])), params.add(sqlTimestamp(days[1]))];
  const project = params.add(filters.projectId);
  const aboveWatermark = unfoldedCalls('duckdb', read.watermarkFloor).where;
  const day = "date_trunc('day', started_at)";
  const rawDays = (where: string) => `SELECT ${column} AS member, count(DISTINCT session_id) AS sessions FROM calls WHERE ${where} GROUP BY ${column}, ${day}`;
  const firstDay = Math.floor((filters.from ?? days[0]) / GRAIN_MS.day) * GRAIN_MS.day;
  const memberDays = rollupTableName(MEMBER_ROLLUPS, 'day');
  const sql = `WITH dirty AS (
      SELECT DISTINCT ${day} AS day FROM calls WHERE ${range(days[0], days[1])} AND ${aboveWatermark}
      UNION SELECT bucket FROM ${PEOPLE_SESSIONS_PENDING_TABLE} WHERE project_id = ${project} AND bucket >= ${spanFrom}::TIMESTAMP AND bucket < ${spanTo}::TIMESTAMP),
    per_day AS (
      SELECT member, sessions FROM ${PEOPLE_SESSIONS_TABLE}
        WHERE project_id = ${project} AND kind = '${kind}' AND bucket >= ${spanFrom}::TIMESTAMP AND bucket < ${spanTo}::TIMESTAMP AND bucket NOT IN (SELECT day FROM dirty)
      UNION ALL ${rawDays(range(filters.from, days[0]))}
      UNION ALL ${rawDays(range(days[1], filters.to))}
      UNION ALL ${rawDays(`${range(days[0], days[1])} AND ${day} IN (SELECT day FROM dirty)`)}),
    sightings AS (
      SELECT member AS session_id, bucket AS day FROM ${memberDays}
        WHERE project_id = ${project} AND kind = 's' AND bucket >= ${params.add(sqlTimestamp(firstDay))}::TIMESTAMP${filters.to === undefined ? '' : ` AND bucket < ${params.add(sqlTimestamp(filters.to))}::TIMESTAMP`}
      UNION ALL SELECT session_id, ${day} FROM calls WHERE ${range(filters.from, filters.to)} AND ${aboveWatermark} AND session_id IS NOT NULL),
    spanning AS (SELECT session_id FROM sightings GROUP BY session_id HAVING min(day) < max(day)),
    repeats AS (
      SELECT member, count(*) - count(DISTINCT session_id) AS extra FROM (
        SELECT DISTINCT ${column} AS member, session_id, ${day} AS day FROM calls
        WHERE ${range(filters.from, filters.to)} AND session_id IN (SELECT session_id FROM spanning)) member_days
      GROUP BY member)
    SELECT totals.member, totals.sessions - COALESCE(repeats.extra, 0) AS sessions
    FROM (SELECT member, sum(sessions) AS sessions FROM per_day GROUP BY member) totals
    LEFT JOIN repeats ON totals.member IS NOT DISTINCT FROM repeats.member`;
  return { sql, params: params.values };
}
