// The SQL every outcome analytic starts from: each outcome resolved to the one call that made
// the decision, with that call's model, confidence and signal. An outcome on a call belongs
// to that call; an outcome on a session belongs to the session's last call (its final
// decision), so a session's P&L is never counted once per call.
import { compileCallFilters, type Dialect } from '../analytics/filters.js';
import { SqlParams } from '../analytics/sql-params.js';
import type { CallFilters } from '../store/ports.js';

export interface OutcomeScope {
  filters: CallFilters;
  /** Only outcomes with this name (outcomes double as general feedback scores). */
  outcomeName?: string;
}

/** More columns of the deciding call for `decisions`, as SQL over the calls table's own
 * columns (unqualified) by output name; their parameters go into the query's `params`. */
export type DecisionColumns = (params: SqlParams) => Record<string, string>;

export interface CompiledQuery {
  params: SqlParams;
  /** `WITH ... decisions AS (...)`; callers append more CTEs with a leading comma. */
  with: string;
  /** The WHERE clause of the filtered calls, for per-call figures beside the outcomes; its
   * values join `params` only when asked for, since an unused parameter is an error. */
  callWhere(): string;
}

/** Columns of `decisions`: call_id, provider, model, agent, session_id, confidence, signal,
 * cost_usd, started_at, outcome_id, status, value, closed_at, lesson, won (1 win, 0 loss, else
 * null), and any `extraColumns`. */
export function decisionsQuery(scope: OutcomeScope, dialect: Dialect, extraColumns?: DecisionColumns): CompiledQuery {
  const params = new SqlParams();
  const project = params.add(scope.filters.projectId);
  const extra = Object.entries(extraColumns?.(params) ?? {});
  const extraInner = extra.map(([name, sql]) => `, ${sql} AS ${name}`).join('');
  const extraOuter = extra.map(([name]) => `, c.${name}`).join('');
  const decisionWhere = compileCallFilters(scope.filters, params, dialect);
  const nameCondition = scope.outcomeName !== undefined ? ` AND o.name = ${params.add(scope.outcomeName)}` : '';
  const targetSessions = `FROM calls WHERE project_id = ${project}
          AND session_id IN (SELECT target FROM outcomes WHERE project_id = ${project} AND target_type = 'session')`;
  // DuckDB's arg_max is a hash aggregate; the portable window function sorts every call of
  // the targeted sessions (0.04 s of 0.056 s at 300k calls, measured).
  const lastCall = dialect === 'duckdb'
    ? `SELECT session_id, arg_max(id, (started_at, id)) AS id ${targetSessions} GROUP BY session_id`
    : `SELECT session_id, id FROM (
        SELECT session_id, id, ROW_NUMBER() OVER (PARTITION BY session_id ORDER BY started_at DESC, id DESC) AS rn ${targetSessions}
      ) ranked WHERE rn = 1`;
  const sql = `WITH session_last AS (${lastCall}),
    resolved AS (
      -- A pure equality join: a type test in the ON clause of a LEFT JOIN makes DuckDB fall
      -- back to a nested loop (0.55 s for 33k outcomes, measured). session_last holds one row
      -- per target session, so a call id equal to some session id cannot duplicate a row.
      SELECT o.id AS outcome_id, o.status, o.value, o.closed_at, o.lesson,
             CASE WHEN o.target_type = 'session' THEN s.id ELSE o.target END AS call_id
      FROM outcomes o LEFT JOIN session_last s ON s.session_id = o.target
      WHERE o.project_id = ${project}${nameCondition}
    ),
    decisions AS (
      SELECT c.id AS call_id, c.provider, c.model, c.agent, c.session_id, c.confidence, c.signal, c.cost_usd, c.started_at,
             r.outcome_id, r.status, r.value, r.closed_at, r.lesson,
             CASE WHEN r.status = 'win' THEN 1.0 WHEN r.status = 'loss' THEN 0.0 END AS won${extraOuter}
      FROM resolved r
      JOIN (SELECT id, provider, model, agent, session_id, confidence, signal, cost_usd, started_at${extraInner} FROM calls WHERE ${decisionWhere}) c
        ON c.id = r.call_id
    )`;
  return { params, with: sql, callWhere: () => compileCallFilters(scope.filters, params, dialect) };
}

/** Outcome counts and value over rows of `decisions` (open outcomes carry no realized value). */
export const OUTCOME_AGGREGATES = `count(*) AS outcomes,
  count(*) FILTER (WHERE status = 'win') AS wins,
  count(*) FILTER (WHERE status = 'loss') AS losses,
  count(*) FILTER (WHERE status = 'neutral') AS neutral,
  count(*) FILTER (WHERE status = 'open') AS open,
  sum(value) FILTER (WHERE status <> 'open') AS total_value,
  avg(value) FILTER (WHERE status <> 'open') AS avg_value`;

export interface OutcomeAggregateRow {
  outcomes: number | null;
  wins: number | null;
  losses: number | null;
  neutral: number | null;
  open: number | null;
  total_value: number | null;
  avg_value: number | null;
}

/** Win rate counts wins against losses; neutral and open outcomes are not decided. */
export function outcomeFigures(row: Partial<OutcomeAggregateRow>) {
  const wins = row.wins ?? 0;
  const losses = row.losses ?? 0;
  return {
    outcomes: row.outcomes ?? 0,
    wins,
    losses,
    neutral: row.neutral ?? 0,
    open: row.open ?? 0,
    win_rate: wins + losses === 0 ? null : wins / (wins + losses),
    total_value: row.total_value ?? 0,
    avg_value: row.avg_value ?? null,
  };
}
