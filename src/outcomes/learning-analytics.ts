// Outcome analytics of seed 000, part 2 (learning): confidence calibration with expected
// calibration error and Brier score, signal reliability, and recurring lessons.
import type { SqlReader } from '../store/ports.js';
import { decisionsQuery, OUTCOME_AGGREGATES, outcomeFigures, type OutcomeAggregateRow, type OutcomeScope } from './decisions-sql.js';

/**
 * Confidence in [0, 1] split into `bucketCount` equal buckets; a confidence on an edge
 * belongs to the upper bucket (1.0 to the last). The epsilon keeps 0.7 × 10 (6.9999…) in
 * bucket 7. Only decided outcomes (win or loss) of calls that stated a confidence count.
 */
export async function calibration(reader: SqlReader, scope: OutcomeScope, bucketCount: number) {
  const query = decisionsQuery(scope, reader.dialect);
  const n = Math.trunc(bucketCount);
  const rows = await reader.query<{ bucket: number; count: number; avg_confidence: number; win_rate: number; squared_error: number }>(
    `${query.with}
    SELECT LEAST(CAST(floor(confidence * ${n} + 1e-9) AS INTEGER), ${n - 1}) AS bucket, count(*) AS count,
           avg(confidence) AS avg_confidence, avg(won) AS win_rate, sum((confidence - won) * (confidence - won)) AS squared_error
    FROM decisions WHERE won IS NOT NULL AND confidence IS NOT NULL GROUP BY 1 ORDER BY 1`,
    query.params.values,
  );
  const total = rows.reduce((sum, row) => sum + row.count, 0);
  const label = (edge: number) => (edge / n).toFixed(n > 20 ? 3 : 2);
  const buckets = rows.map((row) => ({
    bucket: `${label(row.bucket)}-${label(row.bucket + 1)}`,
    lower: row.bucket / n,
    upper: (row.bucket + 1) / n,
    avg_confidence: row.avg_confidence,
    actual_win_rate: row.win_rate,
    count: row.count,
    gap: row.avg_confidence - row.win_rate,
  }));
  const ece = total === 0 ? null : rows.reduce((sum, row) => sum + (row.count / total) * Math.abs(row.avg_confidence - row.win_rate), 0);
  const brier = total === 0 ? null : rows.reduce((sum, row) => sum + row.squared_error, 0) / total;
  return { buckets, decided_outcomes: total, expected_calibration_error: ece, brier_score: brier };
}

/** Per signal label (BUY/SELL/HOLD...): calls, avg confidence, outcomes, win rate, value. */
export async function signalReliability(reader: SqlReader, scope: OutcomeScope) {
  const query = decisionsQuery(scope, reader.dialect);
  const rows = await reader.query<OutcomeAggregateRow & { signal: string; calls: number; avg_confidence: number | null }>(
    `${query.with},
    call_stats AS (SELECT signal, count(*) AS calls, avg(confidence) AS avg_confidence FROM calls WHERE ${query.callWhere()} AND signal IS NOT NULL GROUP BY signal),
    outcome_stats AS (SELECT signal, ${OUTCOME_AGGREGATES} FROM decisions WHERE signal IS NOT NULL GROUP BY signal)
    SELECT cs.*, os.outcomes, os.wins, os.losses, os.neutral, os.open, os.total_value, os.avg_value
    FROM call_stats cs LEFT JOIN outcome_stats os ON os.signal = cs.signal ORDER BY cs.calls DESC, cs.signal`,
    query.params.values,
  );
  return rows.map((row) => ({ signal: row.signal, calls: row.calls, avg_confidence: row.avg_confidence, ...outcomeFigures(row) }));
}

/**
 * Lessons of closed outcomes grouped by their normalized text (lower case, whitespace
 * collapsed, trailing punctuation dropped): how often each recurs and its average value.
 */
export async function lessons(reader: SqlReader, scope: OutcomeScope, options: { minFrequency: number; limit: number }) {
  const query = decisionsQuery(scope, reader.dialect);
  const minFrequency = query.params.add(options.minFrequency);
  const normalized = `lower(trim(regexp_replace(regexp_replace(lesson, '\\s+', ' ', 'g'), '[\\s.!;:,]+$', '', 'g')))`;
  const rows = await reader.query<{ lesson: string; frequency: number; avg_value: number | null; total_value: number | null; wins: number; losses: number; example: string; last_seen: number }>(
    `${query.with},
    closed AS (SELECT ${normalized} AS normalized, lesson, value, status, COALESCE(closed_at, started_at) AS closed_time FROM decisions WHERE status <> 'open' AND lesson IS NOT NULL)
    SELECT normalized AS lesson, count(*) AS frequency, avg(value) AS avg_value, sum(value) AS total_value,
           count(*) FILTER (WHERE status = 'win') AS wins, count(*) FILTER (WHERE status = 'loss') AS losses,
           min(lesson) AS example, max(closed_time) AS last_seen
    FROM closed WHERE normalized <> '' GROUP BY normalized HAVING count(*) >= ${minFrequency}
    ORDER BY frequency DESC, avg_value DESC NULLS LAST, normalized LIMIT ${Math.trunc(options.limit)}`,
    query.params.values,
  );
  return rows.map((row) => ({
    lesson: row.lesson,
    example: row.example,
    frequency: row.frequency,
    avg_value_impact: row.avg_value,
    avg_pnl_impact: row.avg_value,
    total_value: row.total_value ?? 0,
    wins: row.wins,
    losses: row.losses,
    win_rate: row.wins + row.losses === 0 ? null : row.wins / (row.wins + row.losses),
    last_seen: new Date(row.last_seen).toISOString(),
  }));
}
