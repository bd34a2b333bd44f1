// Where demo batches go: straight into a store that no server holds (fast bulk path, the
// same validation as the API), or through a running server's ingestion API.
import { outcomeInputSchema, type OutcomeInput } from '../domain/outcome.js';
import { prepareCalls, type PreparedCalls } from '../ingest/prepare-calls.js';
import { toRecord } from '../outcomes/record-outcomes.js';
import type { Store } from '../store/ports.js';
import type { DemoBatch } from './generate-demo.js';

export interface DemoTotals {
  calls: number;
  outcomes: number;
}

export type Progress = (totals: DemoTotals) => void;

const OUTCOME_CHUNK = 1000;
/** Validation and normalization of a batch, inline or on a worker thread. */
export type PrepareBatch = (calls: DemoBatch['calls']) => Promise<PreparedCalls>;

export const prepareInline = (projectId: string): PrepareBatch => (calls) => Promise.resolve(prepareCalls(calls, { projectId, apiKeyId: null }));

export async function writeDemoToStore(store: Store, batches: Iterable<DemoBatch>, options: { projectId: string; prepare?: PrepareBatch; onProgress?: Progress }): Promise<DemoTotals> {
  const { projectId, onProgress } = options;
  const prepare = options.prepare ?? prepareInline(projectId);
  await store.projects.ensure(projectId, projectId);
  const totals: DemoTotals = { calls: 0, outcomes: 0 };
  // One batch is prepared (on a worker when given one) while the previous one is written.
  const iterator = batches[Symbol.iterator]();
  const start = (): { batch: DemoBatch; prepared: Promise<PreparedCalls> } | null => {
    const next = iterator.next();
    return next.done ? null : { batch: next.value, prepared: prepare(next.value.calls) };
  };
  for (let current = start(); current; ) {
    const upcoming = start();
    const prepared = await current.prepared;
    const refused = prepared.invalid[0];
    if (refused) throw new Error(`the demo generator made an invalid call: ${refused.error.message}`);
    await store.calls.insertBatch(prepared.writes);
    totals.calls += prepared.writes.length;
    totals.outcomes += await storeOutcomes(store, projectId, current.batch);
    onProgress?.(totals);
    current = upcoming;
  }
  return totals;
}

/**
 * The outcomes' targets are the calls just committed, so the API's target lookup is skipped;
 * each outcome is still validated by its schema. Outcomes a previous run with the same
 * seed stored are skipped, like its duplicate calls.
 */
async function storeOutcomes(store: Store, projectId: string, batch: DemoBatch): Promise<number> {
  const outcomes: OutcomeInput[] = batch.outcomes;
  if (outcomes.length === 0) return 0;
  const now = Date.now();
  const sessions = new Map(batch.calls.map((call) => [call.id, call.session_id ?? null]));
  const taken = new Set(await store.outcomes.existingIds(outcomes.map((outcome) => outcome.id!)));
  const records = outcomes.filter((outcome) => !taken.has(outcome.id!)).map((outcome) => {
    const input = outcomeInputSchema.parse(outcome);
    return toRecord(input, 'call', sessions.get(input.target) ?? null, projectId, now);
  });
  if (records.length > 0) await store.outcomes.insertMany(records);
  return records.length;
}

export interface ServerTarget {
  url: string;
  key: string;
  concurrency?: number;
}

const HTTP_CHUNK = 500;

async function post(target: ServerTarget, path: string, body: unknown): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${target.url.replace(/\/$/, '')}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    // A full recorder queue answers 503 with Retry-After: nothing was stored, so retrying is safe.
    if (response.status !== 503 || attempt >= 10) return response;
    await response.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') ?? 1)));
  }
}

async function sendBatch(target: ServerTarget, batch: DemoBatch): Promise<DemoTotals> {
  const chunks: DemoBatch['calls'][] = [];
  for (let start = 0; start < batch.calls.length; start += HTTP_CHUNK) chunks.push(batch.calls.slice(start, start + HTTP_CHUNK));
  let calls = 0;
  const workers = Array.from({ length: target.concurrency ?? 4 }, async () => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
      const response = await post(target, '/api/v1/calls', chunk);
      const answer = (await response.json()) as { created?: number; duplicates?: number; error?: { message: string } };
      if (response.status !== 200) throw new Error(`POST /api/v1/calls answered ${response.status}: ${answer.error?.message ?? JSON.stringify(answer).slice(0, 300)}`);
      calls += (answer.created ?? 0) + (answer.duplicates ?? 0);
    }
  });
  await Promise.all(workers);
  let outcomes = 0;
  for (let start = 0; start < batch.outcomes.length; start += OUTCOME_CHUNK) {
    const chunk = batch.outcomes.slice(start, start + OUTCOME_CHUNK);
    const response = await post(target, '/api/v1/outcomes', chunk);
    const text = await response.text();
    // 409: this seed ran before and its outcomes are already stored.
    if (response.status === 409) continue;
    if (response.status >= 300) throw new Error(`POST /api/v1/outcomes answered ${response.status}: ${text.slice(0, 300)}`);
    outcomes += chunk.length;
  }
  return { calls, outcomes };
}

export async function writeDemoToServer(target: ServerTarget, batches: Iterable<DemoBatch>, onProgress?: Progress): Promise<DemoTotals> {
  const totals: DemoTotals = { calls: 0, outcomes: 0 };
  for (const batch of batches) {
    const sent = await sendBatch(target, batch);
    totals.calls += sent.calls;
    totals.outcomes += sent.outcomes;
    onProgress?.(totals);
  }
  return totals;
}
