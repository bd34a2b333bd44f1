// Figures per agent, user or tag other than sessions, from the day rollups by member
// (people-rollup-schema.ts, tag-rollup-schema.ts) read as keyed-rollup-parts.ts reads them.
// Sums and counts are exact; p95 (agents and users) comes from the latency histogram, within the
// bin error like the other rollup reads.
import type { CallFilters } from '../../store/ports.js';
import { SqlParams } from '../sql-params.js';
import { quantileBinsSql, type Group } from './compile-rollup-query.js';
import type { Dialect } from '../filters.js';
import { rollupParts } from './keyed-rollup-parts.js';
import type { RollupRead } from './rollup-plan.js';
import { binValueSql, type RollupTable } from './rollup-schema.js';
import { PEOPLE_ROLLUPS } from './people-rollup-schema.js';
import { TAG_ROLLUPS } from './tag-rollup-schema.js';
import type { PeopleDimension } from './people-sessions.js';

/** What the day rollups break figures down by: tags have sums only (no p95). */
export type KeyedDimension = PeopleDimension | 'tag';
const KEYED_ROLLUPS: Record<KeyedDimension, { sums: RollupTable; latency?: RollupTable }> = { ...PEOPLE_ROLLUPS, tag: { sums: TAG_ROLLUPS } };

/** The metrics this answers, each as an aggregate over the parts of PEOPLE_VALUES (p95_latency
 * comes from the histogram). */
const FIGURES = {
  requests: 'sum(calls)',
  success_rate: 'CAST(sum(successes) AS DOUBLE PRECISION) / NULLIF(sum(calls), 0)',
  prompt_tokens: 'sum(prompt_tokens)',
  completion_tokens: 'sum(completion_tokens)',
  total_tokens: 'sum(total_tokens)',
  cost: 'sum(cost_usd)',
  priced_calls: 'sum(priced_calls)',
  unpriced_calls: 'sum(calls) - sum(priced_calls)',
  unpriced_tokens: 'sum(unpriced_tokens)',
  avg_cost_per_call: 'CAST(sum(cost_usd) AS DOUBLE PRECISION) / NULLIF(sum(priced_calls), 0)',
  avg_latency: 'CAST(sum(latency_sum) AS DOUBLE PRECISION) / NULLIF(sum(latency_calls), 0)',
  tool_calls: 'sum(tool_calls)',
} as const satisfies Record<string, string>;
export type PeopleFigure = keyof typeof FIGURES | 'p95_latency';

/** What to answer: the figures after the member, in order; rows ordered by `orderBy`
 * descending, then by member, as the raw breakdown orders them; at most `limit` rows. */
export interface PeopleFiguresShape {
  figures: readonly PeopleFigure[];
  orderBy: keyof typeof FIGURES;
  limit: number;
}

/**
 * Figures per member over the filters' range, from its whole days (wholeDaysRead). The member
 * column is named after the dimension (`agent`, `user`, `tag`), NULL for calls without one.
 */
export function keyedFiguresSql(by: KeyedDimension, filters: CallFilters, read: RollupRead, shape: PeopleFiguresShape, dialect: Dialect): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  const { ctes: queued, parts } = rollupParts(filters, read, params, dialect);
  const { sums, latency } = KEYED_ROLLUPS[by];
  const member = `"${by}"`;
  const group: Group = { select: ['named', 'member'], names: ['named', 'member'] };
  const withP95 = shape.figures.includes('p95_latency');
  if (withP95 && !latency) throw new Error(`no latency rollup by ${by}`);
  const summed = [...new Set([...shape.figures, shape.orderBy])].filter((name) => name !== 'p95_latency');
  const figures = summed.map((name) => `${FIGURES[name]} AS ${name}`);
  const ctes = [
    ...queued,
    `sum_parts AS (${parts(sums)})`,
    `aggregated AS (SELECT named, member, ${figures.join(', ')} FROM sum_parts GROUP BY named, member)`,
    ...(withP95 && latency ? [`latency_parts AS (${parts(latency)})`, `latency_bins AS (${quantileBinsSql('latency_parts', 'latency_bin', [0.95], group)})`] : []),
  ];
  const outputs = shape.figures.map((name) => (name === 'p95_latency' ? `${binValueSql('latency_bins.b0')} AS p95_latency` : `aggregated.${name}`));
  const joined = withP95 ? ' LEFT JOIN latency_bins ON aggregated.named = latency_bins.named AND aggregated.member = latency_bins.member' : '';
  const sql = `WITH ${ctes.join(',\n    ')}
    SELECT CASE WHEN aggregated.named = 1 THEN aggregated.member END AS ${member}, ${outputs.join(', ')}
    FROM aggregated${joined}
    ORDER BY aggregated.${shape.orderBy} DESC NULLS LAST, ${member} LIMIT ${Math.max(1, Math.floor(shape.limit))}`;
  return { sql, params: params.values };
}
