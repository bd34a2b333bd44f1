// Outcome analytics of seed 000, part 1: per-model performance (win rate, P&L, cost), the
// P&L timeline, cost against return, and pipelines (the set of agents in a session).
import { compileCallFilters, type Dialect } from '../analytics/filters.js';
import { SqlParams } from '../analytics/sql-params.js';
import type { SqlReader } from '../store/ports.js';
import { decisionsQuery, OUTCOME_AGGREGATES, outcomeFigures, type OutcomeAggregateRow, type OutcomeScope } from './decisions-sql.js';

interface CallStatsRow {
  calls: number;
  avg_confidence: number | null;
  avg_cost: number | null;
  total_cost: number | null;
  unpriced: number;
}

const CALL_AGGREGATES = `count(*) AS calls, avg(confidence) AS avg_confidence, avg(cost_usd) AS avg_cost,
  sum(cost_usd) AS total_cost, count(*) FILTER (WHERE cost_usd IS NULL) AS unpriced`;

/** Per provider and model: calls, avg confidence, avg cost per (priced) call, outcomes, win rate, P&L. */
export async function modelPerformance(reader: SqlReader, scope: OutcomeScope) {
  const query = decisionsQuery(scope, reader.dialect);
  const rows = await reader.query<CallStatsRow & OutcomeAggregateRow & { provider: string; model: string }>(
    `${query.with},
    call_stats AS (SELECT provider, model, ${CALL_AGGREGATES} FROM calls WHERE ${query.callWhere()} GROUP BY provider, model),
    outcome_stats AS (SELECT provider, model, ${OUTCOME_AGGREGATES} FROM decisions GROUP BY provider, model)
    SELECT cs.*, os.outcomes, os.wins, os.losses, os.neutral, os.open, os.total_value, os.avg_value
    FROM call_stats cs LEFT JOIN outcome_stats os ON os.provider = cs.provider AND os.model = cs.model
    ORDER BY cs.calls DESC, cs.provider, cs.model`,
    query.params.values,
  );
  return rows.map((row) => {
    const figures = outcomeFigures(row);
    return {
      provider: row.provider,
      model: row.model,
      calls: row.calls,
      avg_confidence: row.avg_confidence,
      ...figures,
      total_pnl: figures.total_value,
      avg_cost_per_call: row.avg_cost,
      total_cost: row.unpriced === row.calls ? null : (row.total_cost ?? 0),
      unpriced_calls: row.unpriced,
    };
  });
}

export const PNL_INTERVALS = ['hour', 'day', 'week', 'month'] as const;
export type PnlInterval = (typeof PNL_INTERVALS)[number];

/** Realized value per time bucket (when the outcome closed) and model, with running totals. */
export async function pnlTimeline(reader: SqlReader, scope: OutcomeScope, interval: PnlInterval) {
  const query = decisionsQuery(scope, reader.dialect);
  const rows = await reader.query<{ bucket: number; model: string; value: number | null; outcomes: number; wins: number; losses: number }>(
    `${query.with}
    SELECT date_trunc('${interval}', COALESCE(closed_at, started_at)) AS bucket, model, sum(value) AS value, count(*) AS outcomes,
           count(*) FILTER (WHERE status = 'win') AS wins, count(*) FILTER (WHERE status = 'loss') AS losses
    FROM decisions WHERE status <> 'open' GROUP BY 1, 2 ORDER BY 1, 2`,
    query.params.values,
  );
  const running = new Map<string, number>();
  const totals = new Map<number, { value: number; outcomes: number }>();
  const points = rows.map((row) => {
    const value = row.value ?? 0;
    const cumulative = (running.get(row.model) ?? 0) + value;
    running.set(row.model, cumulative);
    const total = totals.get(row.bucket) ?? { value: 0, outcomes: 0 };
    totals.set(row.bucket, { value: total.value + value, outcomes: total.outcomes + row.outcomes });
    return { bucket: new Date(row.bucket).toISOString(), model: row.model, value, cumulative_value: cumulative, outcomes: row.outcomes, wins: row.wins, losses: row.losses };
  });
  let cumulative = 0;
  const total = [...totals.entries()].sort((a, b) => a[0] - b[0]).map(([bucket, figures]) => {
    cumulative += figures.value;
    return { bucket: new Date(bucket).toISOString(), value: figures.value, cumulative_value: cumulative, outcomes: figures.outcomes };
  });
  return { interval, models: [...running.keys()].sort(), points, total };
}

export const COST_RETURN_DIMENSIONS = ['model', 'provider', 'agent'] as const;
export type CostReturnDimension = (typeof COST_RETURN_DIMENSIONS)[number];

/** Spend on calls against realized value, per model, provider or agent. */
export async function costVsReturn(reader: SqlReader, scope: OutcomeScope, by: CostReturnDimension) {
  const query = decisionsQuery(scope, reader.dialect);
  const rows = await reader.query<CallStatsRow & OutcomeAggregateRow & { key: string | null }>(
    `${query.with},
    call_stats AS (SELECT ${by} AS key, ${CALL_AGGREGATES} FROM calls WHERE ${query.callWhere()} GROUP BY 1),
    outcome_stats AS (SELECT ${by} AS key, ${OUTCOME_AGGREGATES} FROM decisions GROUP BY 1)
    SELECT cs.*, os.outcomes, os.wins, os.losses, os.neutral, os.open, os.total_value, os.avg_value
    FROM call_stats cs LEFT JOIN outcome_stats os ON os.key IS NOT DISTINCT FROM cs.key
    ORDER BY cs.total_cost DESC NULLS LAST, cs.key`,
    query.params.values,
  );
  return rows.map((row) => {
    const figures = outcomeFigures(row);
    const cost = row.total_cost ?? 0;
    const net = figures.total_value - cost;
    return {
      [by]: row.key,
      calls: row.calls,
      total_cost: row.unpriced === row.calls ? null : cost,
      unpriced_calls: row.unpriced,
      total_return: figures.total_value,
      net_return: net,
      roi: cost > 0 ? net / cost : null,
      return_per_dollar: cost > 0 ? figures.total_value / cost : null,
      outcomes: figures.outcomes,
      win_rate: figures.win_rate,
    };
  });
}

/** How sessions are grouped by their set of agents, per dialect. */
interface PipelineKeys {
  /** CTEs ending in `session_agents (session_id, <keys>, cost)`. */
  ctes: string;
  /** The key columns: one agent set, one value (NULLs included). */
  keys: string[];
  /** The agents of a key, in name order joined by " + ", over columns of alias `k`. */
  name: string;
}

/**
 * Each session with a call matching `where`, keyed by its set of agents, with the cost of those
 * calls. PostgreSQL keys it by the agents' names joined in order. On DuckDB that ordered
 * distinct aggregate per session cost far more than a bit mask of the agents (one bit per agent
 * in name order), named only once per distinct mask (351k sessions at 1M calls, measured:
 * `string_agg(DISTINCT agent ORDER BY agent)` 555 ms, a sorted list per session 147 ms, the
 * masks 70 ms). Agents past the 64th are listed apart, from only their own calls: a list
 * aggregate beside the mask cost every session its state even when no agent needed it (the
 * whole query 107 against 97 ms at 1M calls).
 */
function pipelineKeys(where: string, dialect: Dialect): PipelineKeys {
  const selected = `SELECT session_id, agent, cost_usd FROM calls WHERE ${where} AND session_id IS NOT NULL AND agent IS NOT NULL`;
  if (dialect !== 'duckdb') {
    return {
      ctes: `session_agents AS (
        SELECT session_id, string_agg(DISTINCT agent, ' + ' ORDER BY agent) AS pipeline, sum(cost_usd) AS cost FROM (${selected}) c GROUP BY session_id
      )`,
      keys: ['pipeline'],
      name: 'k.pipeline',
    };
  }
  return {
    ctes: `agent_bits AS (SELECT agent, row_number() OVER (ORDER BY agent) - 1 AS bit FROM (SELECT DISTINCT agent FROM (${selected}) c) a),
    session_masks AS (
      SELECT c.session_id, bit_or(CASE WHEN b.bit < 64 THEN 1::UBIGINT << b.bit::UTINYINT END) AS mask, sum(c.cost_usd) AS cost
      FROM (${selected}) c JOIN agent_bits b ON b.agent = c.agent GROUP BY c.session_id
    ),
    session_overflow AS (
      SELECT session_id, string_agg(DISTINCT agent, ' + ' ORDER BY agent) AS overflow
      FROM (${selected}) c WHERE agent IN (SELECT agent FROM agent_bits WHERE bit >= 64) GROUP BY session_id
    ),
    session_agents AS (
      SELECT m.session_id, m.mask, o.overflow, m.cost FROM session_masks m LEFT JOIN session_overflow o ON o.session_id = m.session_id
    )`,
    keys: ['mask', 'overflow'],
    name: `concat_ws(' + ', (SELECT string_agg(agent, ' + ' ORDER BY bit) FROM agent_bits WHERE bit < 64 AND (k.mask >> bit::UTINYINT) & 1 = 1), k.overflow)`,
  };
}

/** Sessions grouped by the set of agents that took part: sessions, cost, win rate, value. */
export async function pipelines(reader: SqlReader, scope: OutcomeScope) {
  // Sessions and their outcomes only: not the outcomes resolved to deciding calls, whose CTEs
  // DuckDB ran even unused (1M calls: 141 against 105 ms, measured).
  const params = new SqlParams();
  const pipeline = pipelineKeys(compileCallFilters(scope.filters, params, reader.dialect), reader.dialect);
  const project = params.add(scope.filters.projectId);
  const nameCondition = scope.outcomeName !== undefined ? ` AND name = ${params.add(scope.outcomeName)}` : '';
  const keys = pipeline.keys.map((key) => `sa.${key}`).join(', ');
  const rows = await reader.query<OutcomeAggregateRow & { pipeline: string; sessions: number; sessions_with_outcomes: number | null; total_cost: number | null }>(
    `WITH ${pipeline.ctes},
    -- Outcomes summed per session first: one row per session to join, and no distinct count
    -- per pipeline (1M calls, the whole query measured: 150 against 135 ms). Each outcome
    -- keeps its session, so there is no join with calls (105 against 79 ms).
    session_figures AS (
      SELECT session_id, ${OUTCOME_AGGREGATES}, count(value) FILTER (WHERE status <> 'open') AS valued
      FROM outcomes WHERE project_id = ${project}${nameCondition} AND session_id IS NOT NULL GROUP BY session_id
    ),
    per_pipeline AS (
      SELECT ${keys}, count(*) AS sessions, sum(sa.cost) AS total_cost,
             count(sf.session_id) AS sessions_with_outcomes, sum(sf.outcomes) AS outcomes, sum(sf.wins) AS wins, sum(sf.losses) AS losses,
             sum(sf.neutral) AS neutral, sum(sf.open) AS open, sum(sf.total_value) AS total_value, sum(sf.valued) AS valued
      FROM session_agents sa LEFT JOIN session_figures sf ON sf.session_id = sa.session_id
      GROUP BY ${keys}
    ),
    named AS (
      SELECT ${pipeline.name} AS pipeline, sessions, total_cost, sessions_with_outcomes, outcomes, wins, losses, neutral, open, total_value,
             CASE WHEN valued > 0 THEN total_value / valued END AS avg_value
      FROM per_pipeline k
    )
    SELECT * FROM named ORDER BY total_value DESC NULLS LAST, sessions DESC, pipeline`,
    params.values,
  );
  return rows.map((row) => ({
    pipeline: row.pipeline,
    agents: row.pipeline.split(' + '),
    sessions: row.sessions,
    sessions_with_outcomes: row.sessions_with_outcomes ?? 0,
    total_cost: row.total_cost,
    ...outcomeFigures(row),
  }));
}
