// What local models saved (seed 004 /api/llm/costs): the actual cost against the cost had
// every call gone to a reference remote model, and the monthly projection (seed 003).
import type { SqlReader } from '../store/ports.js';
import { sqlTimestamp } from '../analytics/sql-params.js';
import { catalogModel, currentPrices } from './catalog.js';
import { LOCAL_PROVIDERS } from './price-call.js';

export const DEFAULT_REFERENCE_MODEL = 'anthropic/claude-sonnet-4-20250514';

interface ProviderRow {
  provider: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost: number | null;
  unpriced: number;
  unpriced_tokens: number;
  local_calls: number;
}

export class UnknownReferenceModelError extends Error {}

function referenceRates(reference: string): { input: number; output: number } {
  const slash = reference.indexOf('/');
  const entry = slash > 0 ? catalogModel(reference.slice(0, slash), reference.slice(slash + 1)) : null;
  const prices = entry ? currentPrices(entry.model) : {};
  const input = prices.input_mtok;
  const output = prices.output_mtok;
  if (typeof input !== 'number' || typeof output !== 'number') throw new UnknownReferenceModelError(`'${reference}' has no flat per-token price in the catalog`);
  return { input: input / 1e6, output: output / 1e6 };
}

export async function savings(reader: SqlReader, projectId: string, days: number, reference: string, now = Date.now()) {
  const rates = referenceRates(reference);
  const rows = await reader.query<ProviderRow>(
    `SELECT provider, count(*) AS requests, COALESCE(sum(prompt_tokens), 0) AS prompt_tokens, COALESCE(sum(completion_tokens), 0) AS completion_tokens,
            COALESCE(sum(total_tokens), 0) AS total_tokens, sum(cost_usd) AS cost, count(*) FILTER (WHERE cost_usd IS NULL) AS unpriced,
            COALESCE(sum(total_tokens) FILTER (WHERE cost_usd IS NULL), 0) AS unpriced_tokens, count(*) FILTER (WHERE price_source = 'local') AS local_calls
     FROM calls WHERE project_id = $1 AND started_at >= CAST($2 AS TIMESTAMP) GROUP BY provider ORDER BY requests DESC, provider`,
    [projectId, sqlTimestamp(now - days * 86_400_000)],
  );
  // A provider is local by its name, or because its calls were priced as local (a custom name
  // for a provider configured as local).
  const providers = rows.map((row) => ({
    id: row.provider, name: row.provider, display_name: row.provider, provider_type: LOCAL_PROVIDERS.has(row.provider) || Number(row.local_calls) > 0 ? ('local' as const) : ('remote' as const), request_count: Number(row.requests),
    prompt_tokens: Number(row.prompt_tokens), completion_tokens: Number(row.completion_tokens), total_tokens: Number(row.total_tokens),
    actual_cost_usd: Number(row.cost ?? 0), unpriced_requests: Number(row.unpriced), unpriced_tokens: Number(row.unpriced_tokens),
  }));
  const actual = providers.reduce((sum, row) => sum + row.actual_cost_usd, 0);
  const hypothetical = providers.reduce((sum, row) => sum + row.prompt_tokens * rates.input + row.completion_tokens * rates.output, 0);
  const local = providers.filter((row) => row.provider_type === 'local').reduce((sum, row) => sum + row.request_count, 0);
  const total = providers.reduce((sum, row) => sum + row.request_count, 0);
  return {
    days, reference_model: reference,
    total_cost_usd: actual, total_tokens: providers.reduce((sum, row) => sum + row.total_tokens, 0), total_requests: total,
    local_requests: local, remote_requests: total - local,
    unpriced_requests: providers.reduce((sum, row) => sum + row.unpriced_requests, 0),
    unpriced_tokens: providers.reduce((sum, row) => sum + row.unpriced_tokens, 0),
    hypothetical_reference_cost_usd: hypothetical,
    /** Seed 004's name for the same figure (its reference is Claude Sonnet, our default). */
    hypothetical_claude_cost_usd: hypothetical,
    estimated_savings_usd: hypothetical - actual,
    savings_percentage: hypothetical > 0 ? ((hypothetical - actual) / hypothetical) * 100 : 0,
    providers,
  };
}

/** Average cost per day over the last `days` complete days, times the days of a month. */
export async function costProjection(reader: SqlReader, projectId: string, days: number, now = Date.now()) {
  const today = Math.floor(now / 86_400_000) * 86_400_000;
  const from = today - days * 86_400_000;
  const rows = await reader.query<{ cost: number | null; unpriced: number; unpriced_tokens: number | null }>(
    `SELECT sum(cost_usd) AS cost, count(*) FILTER (WHERE cost_usd IS NULL) AS unpriced,
            sum(total_tokens) FILTER (WHERE cost_usd IS NULL) AS unpriced_tokens FROM calls
     WHERE project_id = $1 AND started_at >= CAST($2 AS TIMESTAMP) AND started_at < CAST($3 AS TIMESTAMP)`,
    [projectId, sqlTimestamp(from), sqlTimestamp(today)],
  );
  const cost = Number(rows[0]?.cost ?? 0);
  const daily = cost / days;
  return {
    method: `average daily cost of the last ${days} complete UTC days (${new Date(from).toISOString().slice(0, 10)} to ${new Date(today - 1).toISOString().slice(0, 10)}) × 30.44 days`,
    window_days: days, window_cost_usd: cost, daily_run_rate_usd: daily, projected_monthly_cost_usd: daily * 30.44,
    // Unpriced calls are not in the projection; they are counted so the gap is visible.
    unpriced_calls_in_window: Number(rows[0]?.unpriced ?? 0), unpriced_tokens_in_window: Number(rows[0]?.unpriced_tokens ?? 0),
  };
}
