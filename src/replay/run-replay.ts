// One replay through the gateway's own path (routing, budgets, retries, fallback, breakers,
// recording), answered in memory: what the provider said and what was recorded for it.
import type { KeyRestrictions } from '../gateway/key-restrictions.js';
import type { CallRecord } from '../domain/call-record.js';
import type { GatewayReply } from '../gateway/deliver-response.js';
import { proxyCall, type GatewayDeps } from '../gateway/proxy-call.js';
import type { CallSummary, CallWrite } from '../store/ports.js';
import { CollectedReply } from './collected-reply.js';

const CHAT = { path: '/chat/completions', endpoint: 'chat', streamable: false, format: 'openai' } as const;

export interface ReplayRun {
  body: Buffer;
  projectId: string;
  apiKeyId: string;
  /** The caller's key's rate limits and models: a replay is no way around them. */
  restrictions: KeyRestrictions;
  tags: string[];
  properties: Record<string, string>;
  /** The replay's own client, whose going away stops the call. */
  client: GatewayReply['raw'];
}

/** What a replay's call recorded: the same figures whether just sent or read back later. */
export interface RecordedFigures {
  call_id: string | null;
  request_id: string | null;
  provider: string | null;
  model: string | null;
  status: CallRecord['status'];
  finish_reason: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number; cached_tokens: number; reasoning_tokens: number; source: CallRecord['usage_source'] } | null;
  cost_usd: number | null;
  price_source: CallRecord['price_source'] | null;
  latency_ms: number | null;
  tokens_per_second: number | null;
}

export interface ReplayResult extends RecordedFigures {
  http_status: number;
  response: string | null;
  message: Record<string, unknown> | null;
  attempts: number;
  error: { code: string; message: string } | null;
}

export function recordedFigures(call: CallSummary | null): RecordedFigures {
  return {
    call_id: call?.id ?? null,
    request_id: call?.request_id ?? null,
    provider: call?.provider ?? null,
    model: call?.model ?? null,
    status: call?.status ?? 'error',
    finish_reason: call?.finish_reason ?? null,
    usage: call && {
      prompt_tokens: call.prompt_tokens, completion_tokens: call.completion_tokens, total_tokens: call.total_tokens,
      cached_tokens: call.cached_tokens, reasoning_tokens: call.reasoning_tokens, source: call.usage_source,
    },
    cost_usd: call?.cost_usd ?? null,
    price_source: call?.price_source ?? null,
    latency_ms: call?.latency_ms ?? null,
    tokens_per_second: call?.tokens_per_second ?? null,
  };
}

function assistantMessage(answer: unknown): Record<string, unknown> | null {
  const choices = (answer as { choices?: unknown } | null)?.choices;
  const first = Array.isArray(choices) ? (choices[0] as { message?: unknown } | undefined) : undefined;
  return first?.message !== null && typeof first?.message === 'object' ? (first.message as Record<string, unknown>) : null;
}

function errorOf(answer: unknown, fallback: string): { code: string; message: string } {
  const error = (answer as { error?: { type?: unknown; code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' ? error.code : typeof error?.type === 'string' ? error.type : 'upstream_error';
  return { code, message: typeof error?.message === 'string' ? error.message : fallback };
}

export async function runReplay(run: ReplayRun, deps: GatewayDeps): Promise<ReplayResult> {
  const reply = new CollectedReply(run.client);
  const recorded: CallWrite[] = [];
  const written: Promise<void>[] = [];
  // A replay asks the model again: never an answer from the cache.
  const headers: Record<string, string> = { 'x-loupe-tags': run.tags.join(','), 'x-loupe-cache': 'false' };
  for (const [name, value] of Object.entries(run.properties)) headers[`x-loupe-property-${name}`] = value;
  const onRecord = (write: CallWrite, stored: Promise<void>) => {
    recorded.push(write);
    written.push(stored);
  };
  await proxyCall({ body: run.body, headers, reply, projectId: run.projectId, apiKeyId: run.apiKeyId, ...run.restrictions, onRecord }, CHAT, deps);
  // A replay answers once its calls can be read back (the logs, the comparison history).
  await Promise.all(written);
  const call = recorded.at(-1)?.call ?? null;
  const answer = reply.json();
  const message = reply.status === 200 ? assistantMessage(answer) : null;
  const ok = call?.status === 'success' && message !== null;
  return {
    ...recordedFigures(call),
    http_status: reply.status,
    response: typeof message?.content === 'string' ? message.content : null,
    message,
    attempts: recorded.length,
    error: ok ? null : call?.error_message ? { code: call.error_type ?? 'upstream_error', message: call.error_message } : errorOf(answer, `the gateway answered HTTP ${reply.status}`),
  };
}
