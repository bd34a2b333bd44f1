// Outcome analytics of seed 000, part 1: per-model performance (win rate, P&L, cost), the
// P&L timeline, cost against return, and pipelines (the set of agents in a session).
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

/** Sessions grouped by the set of agents that took part: sessions, cost, win rate, value. */
export async function pipelines(reader: SqlReader, scope: OutcomeScope) {
  const query = decisionsQuery(scope, reader.dialect);
  const project = query.params.add(scope.filters.projectId);
  const nameCondition = scope.outcomeName !== undefined ? ` AND o.name = ${query.params.add(scope.outcomeName)}` : '';
  const rows = await reader.query<OutcomeAggregateRow & { pipeline: string; sessions: number; sessions_with_outcomes: number | null; total_cost: number | null }>(
    `${query.with},
    session_agents AS (
      SELECT session_id, string_agg(DISTINCT agent, ' + ' ORDER BY agent) AS pipeline, sum(cost_usd) AS cost
      FROM calls WHERE ${query.callWhere()} AND session_id IS NOT NULL AND agent IS NOT NULL GROUP BY session_id
    ),
    session_outcomes AS (
      SELECT o.status, o.value, CASE WHEN o.target_type = 'session' THEN o.target ELSE c.session_id END AS session_id
      FROM outcomes o LEFT JOIN (SELECT id, session_id FROM calls WHERE project_id = ${project}) c ON c.id = o.target
      WHERE o.project_id = ${project}${nameCondition}
    ),
    per_pipeline AS (SELECT pipeline, count(*) AS sessions, sum(cost) AS total_cost FROM session_agents GROUP BY pipeline),
    pipeline_outcomes AS (
      SELECT sa.pipeline, count(DISTINCT so.session_id) AS sessions_with_outcomes, ${OUTCOME_AGGREGATES}
      FROM session_agents sa JOIN session_outcomes so ON so.session_id = sa.session_id GROUP BY sa.pipeline
    )
    SELECT p.pipeline, p.sessions, p.total_cost, po.sessions_with_outcomes, po.outcomes, po.wins, po.losses, po.neutral, po.open, po.total_value, po.avg_value
    FROM per_pipeline p LEFT JOIN pipeline_outcomes po ON po.pipeline = p.pipeline
    ORDER BY po.total_value DESC NULLS LAST, p.sessions DESC, p.pipeline`,
    query.params.values,
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
