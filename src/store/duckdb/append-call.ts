// Writes one CallRecord as an appender row, column by column in storage order.
import { DuckDBTimestampValue, LIST, listValue, VARCHAR, type DuckDBAppender } from '@duckdb/node-api';

const TAG_LIST = LIST(VARCHAR);
import type { CallWrite } from '../ports.js';

function text(appender: DuckDBAppender, value: string | null): void {
  if (value === null) appender.appendNull();
  else appender.appendVarchar(value);
}

function double(appender: DuckDBAppender, value: number | null): void {
  if (value === null) appender.appendNull();
  else appender.appendDouble(value);
}

function timestamp(appender: DuckDBAppender, ms: number | null): void {
  if (ms === null) appender.appendNull();
  else appender.appendTimestamp(new DuckDBTimestampValue(BigInt(Math.round(ms * 1000))));
}

function json(appender: DuckDBAppender, value: unknown): void {
  if (value === null || value === undefined) appender.appendNull();
  else appender.appendVarchar(JSON.stringify(value));
}

/** `commitSeq` numbers the group commit; see the calls_commit_seq migration. */
export function appendCall(appender: DuckDBAppender, write: CallWrite, commitSeq: bigint): void {
  const call = write.call;
  text(appender, call.id);
  text(appender, call.request_id);
  text(appender, call.project_id);
  text(appender, call.trace_id);
  text(appender, call.parent_id);
  timestamp(appender, call.started_at);
  timestamp(appender, call.ended_at);
  double(appender, call.latency_ms);
  double(appender, call.ttft_ms);
  double(appender, call.tokens_per_second);
  text(appender, call.provider);
  text(appender, call.model);
  text(appender, call.response_model);
  text(appender, call.endpoint);
  appender.appendBoolean(call.is_streaming);
  text(appender, call.finish_reason);
  json(appender, call.params);
  text(appender, call.status);
  if (call.http_status === null) appender.appendNull();
  else appender.appendInteger(call.http_status);
  text(appender, call.error_type);
  text(appender, call.error_message);
  appender.appendBigInt(BigInt(call.prompt_tokens));
  appender.appendBigInt(BigInt(call.completion_tokens));
  appender.appendBigInt(BigInt(call.total_tokens));
  appender.appendBigInt(BigInt(call.cached_tokens));
  appender.appendBigInt(BigInt(call.cache_write_tokens));
  appender.appendBigInt(BigInt(call.reasoning_tokens));
  text(appender, call.usage_source);
  double(appender, call.cost_usd);
  double(appender, call.input_cost_usd);
  double(appender, call.output_cost_usd);
  text(appender, call.price_source);
  appender.appendBoolean(call.is_fallback);
  text(appender, call.original_provider);
  appender.appendInteger(call.attempt);
  appender.appendBoolean(call.cache_hit);
  appender.appendInteger(call.tool_calls_count);
  text(appender, call.api_key_id);
  text(appender, call.user_id);
  text(appender, call.session_id);
  text(appender, call.agent);
  text(appender, call.conversation_name);
  text(appender, call.account_id);
  appender.appendList(listValue(call.tags), TAG_LIST);
  appender.appendVarchar(JSON.stringify(call.properties));
  double(appender, call.confidence);
  text(appender, call.signal);
  if (write.inputJson !== undefined) text(appender, write.inputJson);
  else json(appender, call.input);
  if (write.outputJson !== undefined) text(appender, write.outputJson);
  else json(appender, call.output);
  appender.appendVarchar(write.bodyHash);
  appender.appendBigInt(commitSeq);
  appender.endRow();
}
