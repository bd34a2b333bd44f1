// Waiting for a DuckDB store's background work before timing reads, so benchmarks do not
// measure their queries against the rollup folder's or the search indexer's first pass.
import type { Store } from '../src/store/ports.js';

/** The search indexer has every stored call (it runs every 2 s, on the same instance). */
export const SEARCH_INDEX_CAUGHT_UP_SQL = 'SELECT (SELECT watermark FROM call_search_state) >= (SELECT COALESCE(max(commit_seq), 0) FROM calls) AS caught_up';

/** Polls `sql` (one row with `caught_up`) until it is true. */
export async function waitFor(store: Store, sql: string): Promise<void> {
  for (;;) {
    const [row] = await store.sql.query<{ caught_up: boolean }>(sql);
    if (row?.caught_up) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
