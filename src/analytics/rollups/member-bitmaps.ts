// PostgreSQL's distinct users and sessions: every member (a user id or a session id) gets a
// small integer id, dense in the order members are first seen, and each project × hour and
// project × day keeps the set of its members' ids as bitmaps of CHUNK_BITS ids each. The
// distinct members of a range of whole days and hours are then the bits set in the OR of their
// bitmaps, chunk by chunk: a 30-day range ORs a few hundred 512-byte rows instead of walking
// one index entry per member per day (1.25M at 10M calls). Counts stay exact: a member has one
// id, so it is one bit however many buckets saw it. DuckDB keeps member rows (rollup-schema.ts)
// and counts them by hashing.
import type { CallFilters } from '../../store/ports.js';
import { compileCallFilters } from '../filters.js';
import type { SqlParams } from '../sql-params.js';
import { sqlTimestamp } from '../sql-params.js';
import type { Segment } from './rollup-plan.js';
import { perCallRowsSql, rollupTableName, MEMBER_ROLLUPS, unfoldedCalls, type CallSelection, type RollupScope, type Statement } from './rollup-schema.js';

export type MemberKind = 'u' | 's';
export const MEMBER_KINDS: readonly MemberKind[] = ['u', 's'];

/** Members and their ids: one row per (kind, member), with the last day it was seen (retention). */
export const MEMBER_IDS_TABLE = 'call_member_ids';
/** One id sequence per kind, so each kind's ids stay dense (users are few and recur, sessions many). */
const idSequence = (kind: MemberKind) => `call_member_ids_${kind}`;
export const MEMBER_BITS_GRAINS = ['hour', 'day'] as const;
export type MemberBitsGrain = (typeof MEMBER_BITS_GRAINS)[number];
export const memberBitsTable = (grain: MemberBitsGrain) => `call_member_bits_${grain}`;

/** Ids per bitmap row: 512 bytes, under the size at which PostgreSQL would compress or move a row out of line. */
export const CHUNK_BITS = 4096;
export const CHUNK_SHIFT = Math.log2(CHUNK_BITS);
export const EMPTY_CHUNK = `repeat('0', ${CHUNK_BITS})::bit(${CHUNK_BITS})`;

/**
 * Advisory lock key: member registration holds it shared, retention's purge of members not
 * seen since the cutoff holds it exclusively, so a purge cannot remove a member that an insert
 * has just found registered and is about to set bits for.
 */
export const MEMBER_IDS_LOCK = "hashtext(current_schema() || '.loupe member ids')";

/**
 * Where member sightings come from: rows (project_id, kind, member, started_at), read from
 * calls (or from a table of some of their columns).
 */
export interface MemberSource {
  sql: string;
  params: unknown[];
}

/** Sightings in the selected rows of `calls` (or of `table`, which has its columns). */
export function membersOfCalls(selection: CallSelection, table = 'calls'): MemberSource {
  return {
    sql: `SELECT project_id, members.kind, members.member, started_at ${perCallRowsSql(MEMBER_ROLLUPS, `${table} AS calls`, selection.where)}`,
    params: selection.params,
  };
}

/** The ddl of the members' ids and bitmaps (PostgreSQL migration 7, which replaced member rows). */
export function memberBitsDdl(): string {
  return [
    ...MEMBER_KINDS.map((kind) => `CREATE SEQUENCE ${idSequence(kind)};`),
    `CREATE TABLE ${MEMBER_IDS_TABLE} (kind TEXT NOT NULL, member TEXT NOT NULL, id BIGINT NOT NULL, last_day TIMESTAMP NOT NULL, PRIMARY KEY (kind, member));`,
    ...MEMBER_BITS_GRAINS.map((grain) => `CREATE TABLE ${memberBitsTable(grain)} (project_id TEXT NOT NULL, kind TEXT NOT NULL, bucket TIMESTAMP NOT NULL,
      chunk INTEGER NOT NULL, bits BIT(${CHUNK_BITS}) NOT NULL, PRIMARY KEY (project_id, kind, bucket, chunk));`),
  ].join('\n');
}

/**
 * Gives an id to every member of the source that has none. `order`: 'member' for inserts (rows
 * locked in one order by every writer, so two writers registering the same new members cannot
 * deadlock); 'first seen' for bulk builds, which then give the members of a day neighbouring
 * ids (fewer, fuller chunks). Ids are drawn after the sort, and only for members not yet known.
 */
export function registerMembersStatement(source: MemberSource, order: 'member' | 'first seen'): Statement {
  const sequence = `CASE seen.kind WHEN 'u' THEN '${idSequence('u')}' ELSE '${idSequence('s')}' END`;
  return {
    sql: `INSERT INTO ${MEMBER_IDS_TABLE} (kind, member, id, last_day)
      SELECT seen.kind, seen.member, nextval(${sequence}::regclass), seen.last_day
      FROM (SELECT kind, member, min(started_at) AS first_at, date_trunc('day', max(started_at)) AS last_day FROM (${source.sql}) sightings GROUP BY kind, member) seen
      WHERE NOT EXISTS (SELECT 1 FROM ${MEMBER_IDS_TABLE} known WHERE known.kind = seen.kind AND known.member = seen.member)
      ORDER BY ${order === 'member' ? 'seen.kind, seen.member' : 'seen.first_at, seen.kind, seen.member'}
      ON CONFLICT (kind, member) DO NOTHING`,
    params: source.params,
  };
}

/**
 * Sets the bits of the source's members in the hour and day bitmaps (OR-ed into what is there)
 * and moves their last day forward. Run after registerMembersStatement, as a statement of its
 * own: its snapshot then sees every member registered, by this transaction or, after waiting
 * on the conflict, by another. Dictionary rows are locked in member order before the update.
 */
export function setMemberBitsStatement(source: MemberSource): Statement {
  const bitsOf = (grain: MemberBitsGrain, rows: string, bucket: string) => `INSERT INTO ${memberBitsTable(grain)} AS existing (project_id, kind, bucket, chunk, bits)
      SELECT project_id, kind, ${bucket}, (id >> ${CHUNK_SHIFT})::int, bit_or(set_bit(${EMPTY_CHUNK}, (id & ${CHUNK_BITS - 1})::int, 1))
      FROM ${rows} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
      ON CONFLICT (project_id, kind, bucket, chunk) DO UPDATE SET bits = existing.bits | EXCLUDED.bits`;
  return {
    sql: `WITH sightings AS MATERIALIZED (
        SELECT DISTINCT s.project_id, s.kind, s.member, known.id, date_trunc('hour', s.started_at) AS hour
        FROM (${source.sql}) s JOIN ${MEMBER_IDS_TABLE} known ON known.kind = s.kind AND known.member = s.member),
      latest AS (SELECT kind, member, date_trunc('day', max(hour)) AS last_day FROM sightings GROUP BY kind, member),
      stale AS (SELECT known.kind, known.member, latest.last_day FROM ${MEMBER_IDS_TABLE} known JOIN latest ON known.kind = latest.kind AND known.member = latest.member
        WHERE known.last_day < latest.last_day ORDER BY known.kind, known.member FOR UPDATE OF known),
      moved AS (UPDATE ${MEMBER_IDS_TABLE} known SET last_day = greatest(known.last_day, stale.last_day) FROM stale WHERE known.kind = stale.kind AND known.member = stale.member),
      hours AS (${bitsOf('hour', 'sightings', 'hour')})
      ${bitsOf('day', '(SELECT DISTINCT project_id, kind, id, date_trunc(\'day\', hour) AS day FROM sightings) days', 'day')}`,
    params: source.params,
  };
}

export function addMembersStatements(source: MemberSource, order: 'member' | 'first seen'): Statement[] {
  return [registerMembersStatement(source, order), setMemberBitsStatement(source)];
}

/** The bitmaps of a scope's days (or all of its project) cleared, then set again from its folded calls. */
export function refreshMemberBitsStatements(scope: RollupScope, ranges: ([number, number] | null)[], folded: string): Statement[] {
  const statements: Statement[] = [];
  for (const range of ranges) {
    const bounds = range ? [sqlTimestamp(range[0]), sqlTimestamp(range[1])] : [];
    const within = (column: string) => (range ? ` AND ${column} >= $2::TIMESTAMP AND ${column} < $3::TIMESTAMP` : '');
    for (const grain of MEMBER_BITS_GRAINS) {
      statements.push({ sql: `DELETE FROM ${memberBitsTable(grain)} WHERE project_id = $1${within('bucket')}`, params: [scope.projectId, ...bounds] });
    }
    statements.push(...addMembersStatements(membersOfCalls({ where: `project_id = $1${within('started_at')} AND ${folded}`, params: [scope.projectId, ...bounds] }), 'member'));
  }
  return statements;
}

/** Every bitmap rebuilt from every stored call (bulk loads that bypass the insert path). */
export function rebuildMemberBitsStatements(): Statement[] {
  return [
    ...MEMBER_BITS_GRAINS.map((grain) => ({ sql: `DELETE FROM ${memberBitsTable(grain)}`, params: [] })),
    ...addMembersStatements(membersOfCalls({ where: 'TRUE', params: [] }), 'first seen'),
  ];
}

/** Retention: bitmaps of the buckets before a UTC midnight, and members not seen since. */
export function purgeMemberBitsStatements(before: number): Statement[] {
  return [
    ...MEMBER_BITS_GRAINS.map((grain) => ({ sql: `DELETE FROM ${memberBitsTable(grain)} WHERE bucket < $1::TIMESTAMP`, params: [sqlTimestamp(before)] })),
    { sql: `DELETE FROM ${MEMBER_IDS_TABLE} WHERE last_day < $1::TIMESTAMP`, params: [sqlTimestamp(before)] },
  ];
}

/**
 * PostgreSQL migration 7: the member rows per hour and day (migrations 4 and 5) replaced by ids
 * and bitmaps, filled from the calls already stored.
 */
export function memberBitsMigrationSql(): string {
  const rebuild = addMembersStatements(membersOfCalls({ where: 'TRUE', params: [] }), 'first seen');
  return [
    ...MEMBER_BITS_GRAINS.map((grain) => `DROP TABLE IF EXISTS ${rollupTableName(MEMBER_ROLLUPS, grain)};`),
    memberBitsDdl(),
    ...rebuild.map((statement) => `${statement.sql};`),
  ].join('\n');
}

/**
 * Distinct members of one kind in a range, exactly: the bits set in the OR of the bitmaps of
 * its whole days and hours, plus the members of its raw segments (the minutes at the ends) and
 * of the calls of `tail` not yet folded into the bitmaps, whose bit is not among them. A raw member without an id (a call stored by a path that
 * bypassed registration) counts by its text, so the count never drops a member.
 */
export function memberBitsCountSql(kind: MemberKind, segments: readonly Segment[], filters: CallFilters, params: SqlParams, tail: Segment | null): string {
  const where = (segment: Segment, column: string) => {
    const scoped: CallFilters = { ...filters, from: segment.from, to: segment.to };
    if (!Number.isFinite(segment.to)) delete scoped.to;
    return compileCallFilters(scoped, params, 'postgres', column);
  };
  const column = kind === 'u' ? 'user_id' : 'session_id';
  const rolled = segments.filter((segment): segment is Segment & { grain: MemberBitsGrain } => segment.grain !== null)
    .map((segment) => `SELECT chunk, bits FROM ${memberBitsTable(segment.grain)} WHERE kind = '${kind}' AND ${where(segment, 'bucket')}`);
  const raw = segments.filter((segment) => segment.grain === null)
    .map((segment) => `SELECT ${column} AS member FROM calls WHERE ${where(segment, 'started_at')} AND ${column} IS NOT NULL`);
  if (tail) {
    const unfolded = unfoldedCalls('postgres', 0);
    raw.push(`SELECT ${column} AS member FROM ${unfolded.from} WHERE ${where(tail, 'started_at')} AND ${column} IS NOT NULL AND ${unfolded.where}`);
  }
  const union = rolled.length > 0 ? `SELECT chunk, bit_or(bits) AS bits FROM (${rolled.join(' UNION ALL ')}) rows GROUP BY chunk` : `SELECT 0 AS chunk, ${EMPTY_CHUNK} AS bits WHERE FALSE`;
  // Each edge member looked up once (not once per call), its chunk found by a hash join.
  const rawCount = raw.length === 0 ? '0' : `(SELECT count(*) FROM (SELECT DISTINCT member FROM (${raw.join(' UNION ALL ')}) edge_rows) edge
      LEFT JOIN ${MEMBER_IDS_TABLE} known ON known.kind = '${kind}' AND known.member = edge.member
      LEFT JOIN union_bits ON union_bits.chunk = (known.id >> ${CHUNK_SHIFT})::int
    WHERE known.id IS NULL OR union_bits.bits IS NULL OR get_bit(union_bits.bits, (known.id & ${CHUNK_BITS - 1})::int) = 0)`;
  return `WITH union_bits AS MATERIALIZED (${union})
    SELECT (COALESCE((SELECT sum(bit_count(bits)) FROM union_bits), 0) + ${rawCount})::bigint`;
}
