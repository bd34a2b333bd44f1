// After a copy: every table holds as many rows in the target as in the source, and the calls'
// token and cost totals agree, so a silently skipped or doubled chunk cannot pass.
import type { Store } from '../../store/ports.js';

export const COPIED_TABLES = ['projects', 'api_keys', 'providers', 'provider_health', 'price_overrides', 'budgets', 'research_config', 'alert_rules', 'alert_events', 'suggestions', 'calls', 'outcomes'] as const;

export interface TableComparison {
  table: string;
  source: number;
  target: number;
}

export async function countRows(store: Store): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const table of COPIED_TABLES) {
    const rows = await store.sql.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${table}`);
    counts.set(table, Number(rows[0]?.n ?? 0));
  }
  const totals = await store.sql.query<{ tokens: number | string | null; nanos: number | string | null }>(
    'SELECT sum(total_tokens) AS tokens, sum(round(cost_usd * 1e9)) AS nanos FROM calls',
  );
  counts.set('calls: total tokens', Number(totals[0]?.tokens ?? 0));
  counts.set('calls: cost (nano-dollars)', Number(totals[0]?.nanos ?? 0));
  return counts;
}

export async function compareStores(source: Store, target: Store): Promise<{ rows: TableComparison[]; mismatches: TableComparison[] }> {
  const [before, after] = await Promise.all([countRows(source), countRows(target)]);
  const rows = [...before].map(([table, count]) => ({ table, source: count, target: after.get(table) ?? 0 }));
  return { rows, mismatches: rows.filter((row) => row.source !== row.target) };
}
