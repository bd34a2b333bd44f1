// The calls of one request, found by the request's id or by the id of any of its calls: what
// request details and request messages both read.
import type { SqlReader } from '../store/ports.js';

/** The request of the call with this id; the id itself when no call has it (a request id). */
async function requestIdOf(reader: SqlReader, projectId: string, id: string): Promise<string> {
  const [row] = await reader.query<{ request_id: string }>('SELECT request_id FROM calls WHERE project_id = $1 AND id = $2', [projectId, id]);
  return row?.request_id ?? id;
}

/**
 * `columns` of the calls of the request that `id` names, in `orderBy` order, at most `limit`:
 * those with its request_id other than a call's own id, then the call with that id. Two
 * selections, not one `request_id = $2 OR id = $2`: an OR across two columns is no scan filter
 * for DuckDB, which then read the columns of every call, content included (1M calls: 277
 * against 17 ms), and PostgreSQL finds the first in its partial index of such calls (migration
 * 13) and the second by primary key.
 */
export async function requestCalls<Row>(reader: SqlReader, projectId: string, id: string, columns: string, orderBy: string, limit?: number): Promise<Row[]> {
  return reader.query<Row>(
    `SELECT ${columns} FROM calls WHERE project_id = $1 AND request_id = $2 AND request_id <> id
     UNION ALL SELECT ${columns} FROM calls WHERE project_id = $1 AND id = $2
     ORDER BY ${orderBy}${limit === undefined ? '' : ` LIMIT ${Math.trunc(limit)}`}`,
    [projectId, await requestIdOf(reader, projectId, id)],
  );
}
