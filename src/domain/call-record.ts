// The call record: one row per attempt at an LLM call. The input schema is what ingestion
// accepts (strict: unknown fields are refused by name); CallRecord is the normalized,
// complete form that the recorder stores and every reader gets back.
import { z } from 'zod';
import { contentJson, safeJson, safeStringMap, timestampSchema } from './primitives.js';
import type { UsageColumns } from './usage.js';

export const CALL_STATUSES = ['success', 'error', 'timeout', 'cancelled'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
/**
 * `reported`: the client sent the cost with the record (kept as given, never re-priced);
 * `cache`: answered from the gateway's cache, no provider called, so it cost nothing.
 */
export const PRICE_SOURCES = ['catalog', 'override', 'local', 'unpriced', 'reported', 'cache'] as const;
export type PriceSource = (typeof PRICE_SOURCES)[number];
export const USAGE_SOURCES = ['provider', 'estimated'] as const;
export type UsageSource = (typeof USAGE_SOURCES)[number];

const tokenCount = z.number().int().min(0).max(1e9);
const shortText = (max = 256) => z.string().max(max);
const money = z.number().min(0).max(1e7);

export const callRecordInputSchema = z.strictObject({
  id: z.string().min(1).max(128).regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters').optional(),
  request_id: shortText(128).nullish(),
  trace_id: shortText(128).nullish(),
  parent_id: shortText(128).nullish(),

  started_at: timestampSchema.optional(),
  ended_at: timestampSchema.nullish(),
  latency_ms: z.number().min(0).max(86_400_000).nullish(),
  ttft_ms: z.number().min(0).max(86_400_000).nullish(),
  tokens_per_second: z.number().min(0).max(1e7).nullish(),

  provider: shortText(128).min(1),
  model: shortText(256).min(1),
  response_model: shortText(256).nullish(),
  endpoint: shortText(256).nullish(),
  is_streaming: z.boolean().optional(),
  finish_reason: shortText(64).nullish(),
  params: safeJson.optional(),

  status: z.enum(CALL_STATUSES).optional(),
  http_status: z.number().int().min(100).max(599).nullish(),
  error_type: shortText(128).nullish(),
  error_message: z.string().max(10_000).nullish(),

  prompt_tokens: tokenCount.optional(),
  completion_tokens: tokenCount.optional(),
  total_tokens: tokenCount.optional(),
  cached_tokens: tokenCount.optional(),
  cache_write_tokens: tokenCount.optional(),
  reasoning_tokens: tokenCount.optional(),
  usage_source: z.enum(USAGE_SOURCES).optional(),

  cost_usd: money.nullish(),
  input_cost_usd: money.nullish(),
  output_cost_usd: money.nullish(),

  is_fallback: z.boolean().optional(),
  original_provider: shortText(128).nullish(),
  attempt: z.number().int().min(1).max(100).optional(),
  cache_hit: z.boolean().optional(),
  tool_calls_count: z.number().int().min(0).max(10_000).optional(),

  user_id: shortText().nullish(),
  session_id: shortText().nullish(),
  agent: shortText().nullish(),
  conversation_name: shortText().nullish(),
  account_id: shortText().nullish(),
  tags: z.array(shortText(128)).max(64).optional(),
  properties: safeStringMap.optional(),
  confidence: z.number().min(0).max(1).nullish(),
  signal: shortText(64).nullish(),

  input: contentJson.optional(),
  output: contentJson.optional(),
}).superRefine((record, ctx) => {
  for (const issue of accountingIssues(record)) ctx.addIssue({ code: 'custom', ...issue });
});

/** The validated fields the record-level rules read (timestamps already epoch milliseconds). */
export interface AccountingFields {
  prompt_tokens?: number | undefined;
  completion_tokens?: number | undefined;
  cached_tokens?: number | undefined;
  cache_write_tokens?: number | undefined;
  reasoning_tokens?: number | undefined;
  started_at?: number | undefined;
  ended_at?: number | null | undefined;
}

/**
 * The record-level rules of callRecordInputSchema (fields already valid one by one), apart so
 * that ingestion's compiled fast path (src/ingest/compiled-schema.ts) applies the very same.
 */
export function accountingIssues(record: AccountingFields): { path: [string]; message: string }[] {
  const issues: { path: [string]; message: string }[] = [];
  // Accounting rules: cached tokens are part of the prompt, reasoning part of the completion.
  // An absent prompt_tokens is stored as 0, so cached tokens alone already exceed it (and the
  // catalog refuses to price such usage).
  const cached = (record.cached_tokens ?? 0) + (record.cache_write_tokens ?? 0);
  if (cached > (record.prompt_tokens ?? 0)) {
    issues.push({ path: ['cached_tokens'], message: 'cached_tokens + cache_write_tokens exceed prompt_tokens (prompt_tokens counts all input, cached included)' });
  }
  if (record.completion_tokens !== undefined && (record.reasoning_tokens ?? 0) > record.completion_tokens) {
    issues.push({ path: ['reasoning_tokens'], message: 'reasoning_tokens exceed completion_tokens (completion_tokens counts all output, reasoning included)' });
  }
  if (record.ended_at != null && record.started_at !== undefined && record.ended_at < record.started_at) {
    issues.push({ path: ['ended_at'], message: 'is before started_at' });
  }
  return issues;
}

export type CallRecordInput = z.infer<typeof callRecordInputSchema>;

/** A stored call. Timestamps are epoch milliseconds; absent values are null, never undefined. */
export interface CallRecord extends UsageColumns {
  id: string;
  request_id: string;
  project_id: string;
  trace_id: string | null;
  parent_id: string | null;
  started_at: number;
  ended_at: number | null;
  latency_ms: number | null;
  ttft_ms: number | null;
  tokens_per_second: number | null;
  provider: string;
  model: string;
  response_model: string | null;
  endpoint: string | null;
  is_streaming: boolean;
  finish_reason: string | null;
  params: unknown;
  status: CallStatus;
  http_status: number | null;
  error_type: string | null;
  error_message: string | null;
  usage_source: UsageSource;
  cost_usd: number | null;
  input_cost_usd: number | null;
  output_cost_usd: number | null;
  price_source: PriceSource;
  is_fallback: boolean;
  original_provider: string | null;
  attempt: number;
  cache_hit: boolean;
  tool_calls_count: number;
  api_key_id: string | null;
  user_id: string | null;
  session_id: string | null;
  agent: string | null;
  conversation_name: string | null;
  account_id: string | null;
  tags: string[];
  properties: Record<string, string>;
  confidence: number | null;
  signal: string | null;
  input: unknown;
  output: unknown;
}

/** Every column of CallRecord, in storage order. */
export const CALL_COLUMNS = [
  'id', 'request_id', 'project_id', 'trace_id', 'parent_id',
  'started_at', 'ended_at', 'latency_ms', 'ttft_ms', 'tokens_per_second',
  'provider', 'model', 'response_model', 'endpoint', 'is_streaming', 'finish_reason', 'params',
  'status', 'http_status', 'error_type', 'error_message',
  'prompt_tokens', 'completion_tokens', 'total_tokens', 'cached_tokens', 'cache_write_tokens',
  'reasoning_tokens', 'usage_source',
  'cost_usd', 'input_cost_usd', 'output_cost_usd', 'price_source',
  'is_fallback', 'original_provider', 'attempt', 'cache_hit', 'tool_calls_count', 'api_key_id',
  'user_id', 'session_id', 'agent', 'conversation_name', 'account_id', 'tags', 'properties',
  'confidence', 'signal', 'input', 'output',
] as const satisfies readonly (keyof CallRecord)[];
