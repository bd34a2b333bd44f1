// PostgreSQL's distinct sessions per agent and per user over long ranges: each project × UTC
// day × agent (or user) keeps the ids of its sessions (the member ids of member-bitmaps.ts) as
// bitmaps of CHUNK_BITS ids each. A member's distinct sessions over whole days are the bits set
// in the OR of its day rows, chunk by chunk; the partial days at the range's ends and the calls
// not yet folded add the sessions whose bit is not among them. Exact, like the overview's
// counts, and a 30-day range reads a few rows per member and day instead of every call.
// DuckDB counts them from day rows of distinct sessions (people-sessions.ts).
import type { CallFilters } from '../../store/ports.js';
import { compileCallFilters } from '../filters.js';
import { SqlParams, sqlTimestamp } from '../sql-params.js';
import { CHUNK_BITS, CHUNK_SHIFT, EMPTY_CHUNK, MEMBER_IDS_TABLE } from './member-bitmaps.js';
import { pgUnfoldedCallsCte, unfoldedCalls, type CallSelection, type Statement } from './rollup-schema.js';
import type { PeopleDimension } from './people-sessions.js';

export const PERSON_SESSION_BITS_TABLE = 'call_person_session_bits_day';

/** The person of a call for each dimension: `named` 0 is the member without one (person ''). */
const PEOPLE: Record<PeopleDimension, { kind: 'a' | 'u'; column: string }> = {
  agent: { kind: 'a', column: 'agent' },
  user: { kind: 'u', column: 'user_id' },
};
const personOf = (column: string) => `CASE WHEN ${column} IS NULL THEN 0 ELSE 1 END AS named, COALESCE(${column}, '') AS person`;

export const PERSON_SESSION_BITS_DDL = `CREATE TABLE ${PERSON_SESSION_BITS_TABLE} (project_id TEXT NOT NULL, kind TEXT NOT NULL, named INTEGER NOT NULL,
  person TEXT NOT NULL, bucket TIMESTAMP NOT NULL, chunk INTEGER NOT NULL, bits BIT(${CHUNK_BITS}) NOT NULL,
  PRIMARY KEY (project_id, kind, named, person, bucket, chunk));`;

/**
 * Sets the bits of the selected calls' sessions in their people's day rows (OR-ed into what is
 * there). The sessions must be registered first (registerMembersStatement); `table` is `calls`
 * or a table with its columns. Rows go in key order, so concurrent writers lock them alike.
 */
export function setPersonSessionBitsStatement(selection: CallSelection, table = 'calls'): Statement {
  const people = Object.values(PEOPLE).map(({ kind, column }) => `SELECT '${kind}' AS kind, ${personOf(`calls.${column}`)}`).join(' UNION ALL ');
  return {
    sql: `INSERT INTO ${PERSON_SESSION_BITS_TABLE} AS existing (project_id, kind, named, person, bucket, chunk, bits)
      SELECT project_id, kind, named, person, day, (id >> ${CHUNK_SHIFT})::int, bit_or(set_bit(${EMPTY_CHUNK}, (id & ${CHUNK_BITS - 1})::int, 1))
      FROM (SELECT DISTINCT calls.project_id, people.kind, people.named, people.person, date_trunc('day', calls.started_at) AS day, known.id
        FROM ${table} AS calls CROSS JOIN LATERAL (${people}) AS people
        JOIN ${MEMBER_IDS_TABLE} known ON known.kind = 's' AND known.member = calls.session_id
        WHERE (${selection.where}) AND calls.session_id IS NOT NULL) sightings
      GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
      ON CONFLICT (project_id, kind, named, person, bucket, chunk) DO UPDATE SET bits = existing.bits | EXCLUDED.bits`,
    params: selection.params,
  };
}

/** The day rows of one project (all of it when `range` is null) cleared; the caller sets them again. */
export function clearPersonSessionBitsStatement(projectId: string, range: [number, number] | null): Statement {
  return range
    ? { sql: `DELETE FROM ${PERSON_SESSION_BITS_TABLE} WHERE project_id = $1 AND bucket >= $2::TIMESTAMP AND bucket < $3::TIMESTAMP`, params: [projectId, sqlTimestamp(range[0]), sqlTimestamp(range[1])] }
    : { sql: `DELETE FROM ${PERSON_SESSION_BITS_TABLE} WHERE project_id = $1`, params: [projectId] };
}

/** Retention: the days before a UTC midnight. */
export function purgePersonSessionBitsStatement(before: number): Statement {
  return { sql: `DELETE FROM ${PERSON_SESSION_BITS_TABLE} WHERE bucket < $1::TIMESTAMP`, params: [sqlTimestamp(before)] };
}

/**
 * Distinct sessions per member over the filters' range as rows (member, sessions): the whole
 * days [days[0], days[1]) from the day rows, the partial days at the ends from raw calls, and
 * the calls of the whole days still queued for the folder (whose bits are not set yet).
 * An edge session without an id (stored by a path that bypassed registration) counts by its
 * text, so the count never drops a session.
 */
export function personSessionBitsSql(by: PeopleDimension, filters: CallFilters, days: [number, number]): { sql: string; params: unknown[] } {
  const { kind, column } = PEOPLE[by];
  const params = new SqlParams();
  const range = (from: number | undefined, to: number | undefined) => {
    const scoped: CallFilters = { projectId: filters.projectId };
    if (from !== undefined) scoped.from = from;
    if (to !== undefined) scoped.to = to;
    return compileCallFilters(scoped, params, 'postgres');
  };
  const unfolded = pgUnfoldedCallsCte(filters.projectId, days[0], days[1], params);
  const project = params.add(filters.projectId);
  const [spanFrom, spanTo] = [params.add(sqlTimestamp(days[0])), params.add(sqlTimestamp(days[1]))];
  const edge = (from: string, where: string) => `SELECT ${personOf(column)}, session_id FROM ${from} WHERE ${where} AND session_id IS NOT NULL`;
  const sql = `WITH ${unfolded},
    union_bits AS MATERIALIZED (
      SELECT named, person, chunk, bit_or(bits) AS bits FROM ${PERSON_SESSION_BITS_TABLE}
      WHERE project_id = ${project} AND kind = '${kind}' AND bucket >= ${spanFrom}::TIMESTAMP AND bucket < ${spanTo}::TIMESTAMP
      GROUP BY named, person, chunk),
    edge AS (SELECT DISTINCT named, person, session_id FROM (
      ${edge('calls', range(filters.from, days[0]))}
      UNION ALL ${edge('calls', range(days[1], filters.to))}
      UNION ALL ${edge(unfoldedCalls('postgres', 0).from, range(days[0], days[1]))}) edge_rows),
    counted AS (
      SELECT named, person, sum(bit_count(bits)) AS sessions FROM union_bits GROUP BY named, person
      UNION ALL
      SELECT edge.named, edge.person, count(*) FROM edge
        LEFT JOIN ${MEMBER_IDS_TABLE} known ON known.kind = 's' AND known.member = edge.session_id
        LEFT JOIN union_bits ON union_bits.named = edge.named AND union_bits.person = edge.person AND union_bits.chunk = (known.id >> ${CHUNK_SHIFT})::int
        WHERE known.id IS NULL OR union_bits.bits IS NULL OR get_bit(union_bits.bits, (known.id & ${CHUNK_BITS - 1})::int) = 0
        GROUP BY edge.named, edge.person)
    SELECT CASE WHEN named = 1 THEN person END AS member, sum(sessions)::bigint AS sessions FROM counted GROUP BY named, person`;
  return { sql, params: params.values };
}
