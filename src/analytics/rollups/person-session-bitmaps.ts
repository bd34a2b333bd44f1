// PostgreSQL's distinct sessions per agent and per user over long ranges: each project × UTC
// day × agent (or user) keeps the ids of its sessions (the member ids of member-bitmaps.ts) as
// bitmaps of CHUNK_BITS ids each. A member's distinct sessions over whole days are the bits set
// in the OR of its day rows, chunk by chunk; the partial days at the range's ends and the calls
// not yet folded add the sessions whose bit is not among them. Exact, like the overview's
// counts, and a 30-day range reads a few rows per member and day instead of every call.
// DuckDB counts them from day rows of distinct sessions (people-sessions.ts).
import type { CallFilters } from '../../store/ports.js';
import { SqlParams, sqlTimestamp } from '../sql-params.js';
import { CHUNK_BITS, CHUNK_SHIFT, EMPTY_CHUNK, MEMBER_IDS_TABLE } from './member-bitmaps.js';
import { pgUnfoldedCallsCte, unfoldedCalls, type CallSelection, type Statement } from './rollup-schema.js';
import { memberKeys } from './people-rollup-schema.js';
import { PEOPLE, projectRange, type PeopleDimension } from './people-sessions.js';

export const PERSON_SESSION_BITS_TABLE = 'call_person_session_bits_day';

/** The member columns (named, member) of a call's agent or user, as in the people rollups. */
const memberOf = (column: string) => memberKeys(column).map((key) => `${key.perCall} AS ${key.name}`).join(', ');

export const PERSON_SESSION_BITS_DDL = `CREATE TABLE ${PERSON_SESSION_BITS_TABLE} (project_id TEXT NOT NULL, kind TEXT NOT NULL, named INTEGER NOT NULL,
  member TEXT NOT NULL, bucket TIMESTAMP NOT NULL, chunk INTEGER NOT NULL, bits BIT(${CHUNK_BITS}) NOT NULL,
  PRIMARY KEY (project_id, kind, named, member, bucket, chunk));`;

/**
 * Sets the bits of the selected calls' sessions in their people's day rows (OR-ed into what is
 * there). The sessions must be registered first (registerMembersStatement); `table` is `calls`
 * or a table with its columns. Rows go in key order, so concurrent writers lock them alike.
 */
export function setPersonSessionBitsStatement(selection: CallSelection, table = 'calls'): Statement {
  const people = Object.values(PEOPLE).map(({ kind, column }) => `SELECT '${kind}' AS kind, ${memberOf(`calls.${column}`)}`).join(' UNION ALL ');
  return {
    sql: `INSERT INTO ${PERSON_SESSION_BITS_TABLE} AS existing (project_id, kind, named, member, bucket, chunk, bits)
      SELECT project_id, kind, named, member, day, (id >> ${CHUNK_SHIFT})::int, bit_or(set_bit(${EMPTY_CHUNK}, (id & ${CHUNK_BITS - 1})::int, 1))
      FROM (SELECT DISTINCT calls.project_id, people.kind, people.named, people.member, date_trunc('day', calls.started_at) AS day, known.id
        FROM ${table} AS calls CROSS JOIN LATERAL (${people}) AS people
        JOIN ${MEMBER_IDS_TABLE} known ON known.kind = 's' AND known.member = calls.session_id
        WHERE (${selection.where}) AND calls.session_id IS NOT NULL) sightings
      GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
      ON CONFLICT (project_id, kind, named, member, bucket, chunk) DO UPDATE SET bits = existing.bits | EXCLUDED.bits`,
    params: selection.params,
  };
}

/**
 * The day rows of a project's ranges of days (all of it for a null range) cleared and set again
 * from the calls `folded` selects; the sessions must be registered first.
 */
export function refreshPersonSessionBitsStatements(projectId: string, ranges: ([number, number] | null)[], folded: string): Statement[] {
  return ranges.flatMap((range) => {
    const params = [projectId, ...(range ? [sqlTimestamp(range[0]), sqlTimestamp(range[1])] : [])];
    const within = (column: string) => (range ? ` AND ${column} >= $2::TIMESTAMP AND ${column} < $3::TIMESTAMP` : '');
    return [
      { sql: `DELETE FROM ${PERSON_SESSION_BITS_TABLE} WHERE project_id = $1${within('bucket')}`, params },
      setPersonSessionBitsStatement({ where: `project_id = $1${within('started_at')} AND ${folded}`, params }),
    ];
  });
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
  const range = projectRange(filters.projectId, params, 'postgres');
  const unfolded = pgUnfoldedCallsCte(filters.projectId, days[0], days[1], params);
  const project = params.add(filters.projectId);
  const [spanFrom, spanTo] = [params.add(sqlTimestamp(days[0])), params.add(sqlTimestamp(days[1]))];
  const edge = (from: string, where: string) => `SELECT ${memberOf(column)}, session_id FROM ${from} WHERE ${where} AND session_id IS NOT NULL`;
  const sql = `WITH ${unfolded},
    union_bits AS MATERIALIZED (
      SELECT named, member, chunk, bit_or(bits) AS bits FROM ${PERSON_SESSION_BITS_TABLE}
      WHERE project_id = ${project} AND kind = '${kind}' AND bucket >= ${spanFrom}::TIMESTAMP AND bucket < ${spanTo}::TIMESTAMP
      GROUP BY named, member, chunk),
    edge AS (SELECT DISTINCT named, member, session_id FROM (
      ${edge('calls', range(filters.from, days[0]))}
      UNION ALL ${edge('calls', range(days[1], filters.to))}
      UNION ALL ${edge(unfoldedCalls('postgres', 0).from, range(days[0], days[1]))}) edge_rows),
    counted AS (
      SELECT named, member, sum(bit_count(bits)) AS sessions FROM union_bits GROUP BY named, member
      UNION ALL
      SELECT edge.named, edge.member, count(*) FROM edge
        LEFT JOIN ${MEMBER_IDS_TABLE} known ON known.kind = 's' AND known.member = edge.session_id
        LEFT JOIN union_bits ON union_bits.named = edge.named AND union_bits.member = edge.member AND union_bits.chunk = (known.id >> ${CHUNK_SHIFT})::int
        WHERE known.id IS NULL OR union_bits.bits IS NULL OR get_bit(union_bits.bits, (known.id & ${CHUNK_BITS - 1})::int) = 0
        GROUP BY edge.named, edge.member)
    SELECT CASE WHEN named = 1 THEN member END AS member, sum(sessions)::bigint AS sessions FROM counted GROUP BY named, member`;
  return { sql, params: params.values };
}
