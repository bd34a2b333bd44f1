// Comparisons read back from their calls. Every call of a comparison carries its id and name
// as properties; the id is a UUIDv7 made just before the calls start, so its time bounds where
// they are. Of a target's attempts (retries, fallbacks) the last one stands.
import type { CallSummary, Store } from '../store/ports.js';
import { compareSummary } from './compare-summary.js';
import { recordedFigures } from './run-replay.js';

const PAGE_ROWS = 500;
/** Rows read at most to list comparisons: a bound on the cost of a history request. */
const MAX_ROWS = 20_000;
/** A comparison's calls start within this of its id's time (they are sent together, at once). */
const STARTED_WITHIN_MS = 60_000;
/** A UUIDv7's time may run a little ahead of the clock when many are made in one millisecond. */
const CLOCK_SLACK_MS = 1_000;

/** The time a UUIDv7 was made, or null for anything else. */
export function comparisonTime(id: string): number | null {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id) ? parseInt(id.slice(0, 8) + id.slice(9, 13), 16) : null;
}

function resultsOf(calls: CallSummary[]) {
  const byRequest = new Map<string, CallSummary[]>();
  for (const call of calls) {
    const key = call.request_id ?? call.id;
    byRequest.set(key, [...(byRequest.get(key) ?? []), call]);
  }
  // Request ids are UUIDv7s taken in the order of the targets, so they keep that order.
  return [...byRequest.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, attempts]) => {
    const first = attempts.reduce((low, call) => (call.attempt < low.attempt ? call : low));
    const last = attempts.reduce((high, call) => (call.attempt > high.attempt ? call : high));
    // A route asked for by name is what its calls' `route` property names.
    const route = first.properties.route;
    const reasoningEffort = first.properties.reasoning_effort ?? null;
    return {
      target: route ? { provider: null, model: route, reasoning_effort: reasoningEffort } : { provider: first.provider, model: first.model, reasoning_effort: reasoningEffort },
      ...recordedFigures(last),
      attempts: attempts.length,
      error: last.status === 'success' ? null : { code: last.error_type ?? 'upstream_error', message: last.error_message ?? '' },
    };
  });
}

function comparisonOf(id: string, calls: CallSummary[]) {
  const results = resultsOf(calls);
  return {
    comparison_id: id,
    name: calls[0]?.properties.comparison_name ?? null,
    created_at: new Date(comparisonTime(id) ?? calls[0]?.started_at ?? 0).toISOString(),
    replay_of: calls[0]?.properties.replay_of ?? null,
    results,
    summary: compareSummary(results),
  };
}

/** The latest comparisons started since `from`, newest first. */
export async function listComparisons(store: Store, projectId: string, from: number, limit: number) {
  const calls = new Map<string, CallSummary[]>();
  let cursor: string | undefined;
  let oldestKept = Infinity;
  // Newest calls first: once a call started before the oldest comparison kept, every call of
  // the kept ones has been seen (each starts after its comparison's id was made).
  scan: for (let read = 0; read < MAX_ROWS; read += PAGE_ROWS) {
    const page = await store.calls.list({ filters: { projectId, from, tag: 'compare' }, sort: 'started_at', order: 'desc', limit: PAGE_ROWS, withTotal: false, ...(cursor ? { cursor } : {}) });
    for (const call of page.items) {
      if (calls.size === limit && call.started_at < oldestKept - CLOCK_SLACK_MS) break scan;
      const id = call.properties.comparison_id;
      const time = id === undefined ? null : comparisonTime(id);
      if (id === undefined || time === null) continue;
      if (!calls.has(id)) {
        if (calls.size === limit) continue;
        calls.set(id, []);
        oldestKept = Math.min(oldestKept, time);
      }
      calls.get(id)!.push(call);
    }
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  return [...calls.entries()].map(([id, its]) => comparisonOf(id, its)).sort((a, b) => (a.comparison_id < b.comparison_id ? 1 : -1));
}

/** One comparison with each answer's text and the messages sent, or null when there is none. */
export async function getComparison(store: Store, projectId: string, id: string) {
  const time = comparisonTime(id);
  if (time === null) return null;
  const page = await store.calls.list({ filters: { projectId, from: time - CLOCK_SLACK_MS, to: time + STARTED_WITHIN_MS, properties: { comparison_id: id } }, sort: 'started_at', order: 'asc', limit: PAGE_ROWS, withTotal: false });
  if (page.items.length === 0) return null;
  const comparison = comparisonOf(id, page.items);
  const stored = await Promise.all(comparison.results.map((result) => (result.call_id ? store.calls.get(projectId, result.call_id) : null)));
  const text = (output: unknown) => {
    const content = output !== null && typeof output === 'object' ? (output as { content?: unknown }).content : undefined;
    return typeof content === 'string' ? content : null;
  };
  return {
    ...comparison,
    messages: stored.find((call) => call?.input != null)?.input ?? null,
    results: comparison.results.map((result, index) => ({ ...result, response: text(stored[index]?.output) })),
  };
}
