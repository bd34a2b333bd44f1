// A row of a LiteLLM proxy's spend logs ("LiteLLM_SpendLogs") as a Loupe call record, for the
// same validation and recording as any ingested call. LiteLLM logs a spend of 0 both for free
// calls and for calls it could not price, so only a positive spend is kept as the reported
// cost; otherwise Loupe prices the tokens itself (or marks the call unpriced).

/** The columns read from LiteLLM_SpendLogs (timestamps as epoch milliseconds). */
export interface SpendLogRow {
  request_id: string;
  call_type: string | null;
  spend: number | string | null;
  total_tokens: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  start_time: number;
  end_time: number | null;
  completion_start_time: number | null;
  request_duration_ms: number | string | null;
  model: string | null;
  model_group: string | null;
  custom_llm_provider: string | null;
  user: string | null;
  end_user: string | null;
  team_id: string | null;
  metadata: unknown;
  cache_hit: string | null;
  request_tags: unknown;
  messages: unknown;
  response: unknown;
  session_id: string | null;
  status: string | null;
  agent_id: string | null;
}

const ENDPOINTS: Record<string, string> = {
  completion: '/v1/chat/completions', acompletion: '/v1/chat/completions',
  text_completion: '/v1/completions', atext_completion: '/v1/completions',
  embedding: '/v1/embeddings', aembedding: '/v1/embeddings',
  responses: '/v1/responses', aresponses: '/v1/responses',
};

/** Calls imported from LiteLLM carry this id prefix and tag, so they are told apart and found again. */
export const LITELLM_ID_PREFIX = 'litellm:';
export const LITELLM_TAG = 'litellm';

type Json = Record<string, unknown>;
const object = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const text = (value: unknown, max = 256): string | null => (typeof value === 'string' && value.length > 0 ? value.slice(0, max) : null);
/** A count as PostgreSQL hands it (BIGINT columns arrive as strings). */
const count = (value: unknown): number => {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number > 0 ? Math.floor(number) : 0;
};
/** LiteLLM's stored JSON defaults ({} or []) mean "not stored". */
const stored = (value: unknown): unknown => (value === null || value === undefined || (typeof value === 'object' && Object.keys(value as object).length === 0) || value === '' ? undefined : value);

function usageDetails(metadata: Json): { cached: number; reasoning: number } {
  // Newer proxies keep the provider's usage details in the metadata.
  for (const key of ['usage_object', 'additional_usage_values']) {
    const usage = object(metadata[key]);
    const cached = count(object(usage.prompt_tokens_details).cached_tokens) || count(usage.cache_read_input_tokens);
    const reasoning = count(object(usage.completion_tokens_details).reasoning_tokens);
    if (cached > 0 || reasoning > 0) return { cached, reasoning };
  }
  return { cached: 0, reasoning: 0 };
}

function provider(row: SpendLogRow): string {
  const slash = row.model?.indexOf('/') ?? -1;
  return text(row.custom_llm_provider, 128) ?? (slash > 0 ? row.model!.slice(0, slash) : 'litellm');
}

/** The assistant's message of a stored chat response, else the response as LiteLLM kept it. */
function answerOf(response: unknown): unknown {
  const choices = object(response).choices;
  const message = Array.isArray(choices) ? object(choices[0]).message : undefined;
  return message !== undefined && message !== null ? message : response;
}

export function spendLogToCall(row: SpendLogRow): Record<string, unknown> {
  const metadata = object(row.metadata);
  const custom = object(metadata.spend_logs_metadata);
  const failed = (row.status ?? text(metadata.status) ?? 'success') === 'failure';
  const error = object(metadata.error_information);
  const prompt = count(row.prompt_tokens);
  const completion = count(row.completion_tokens);
  const details = usageDetails(metadata);
  const ttft = row.completion_start_time !== null && row.completion_start_time !== row.end_time ? row.completion_start_time - row.start_time : null;
  const latency = row.request_duration_ms !== null ? Number(row.request_duration_ms) : row.end_time === null ? null : row.end_time - row.start_time;
  const tags = Array.isArray(row.request_tags) ? row.request_tags.filter((tag): tag is string => typeof tag === 'string' && tag.length > 0).map((tag) => tag.slice(0, 128)) : [];
  const properties: Record<string, string> = {};
  for (const [name, value] of [['team_id', row.team_id], ['model_group', row.model_group], ['key_alias', text(metadata.user_api_key_alias)], ['call_type', row.call_type]] as const) {
    if (value) properties[name] = value.slice(0, 256);
  }
  const messages = stored(row.messages);
  const response = answerOf(stored(row.response));
  const modelName = text(row.model) ?? text(row.model_group) ?? 'unknown';
  return {
    id: `${LITELLM_ID_PREFIX}${row.request_id}`.slice(0, 128),
    request_id: row.request_id.slice(0, 128),
    started_at: new Date(row.start_time).toISOString(),
    ...(row.end_time !== null && row.end_time >= row.start_time ? { ended_at: new Date(row.end_time).toISOString() } : {}),
    ...(latency !== null && latency >= 0 ? { latency_ms: latency } : {}),
    ...(ttft !== null && ttft >= 0 ? { ttft_ms: ttft } : {}),
    provider: provider(row),
    model: modelName.includes('/') && row.custom_llm_provider && modelName.startsWith(`${row.custom_llm_provider}/`) ? modelName.slice(row.custom_llm_provider.length + 1) : modelName,
    ...(row.call_type && ENDPOINTS[row.call_type] ? { endpoint: ENDPOINTS[row.call_type] } : {}),
    status: failed ? 'error' : 'success',
    ...(failed ? { error_type: text(error.error_class, 128) ?? text(error.error_code, 128) ?? 'litellm_failure', error_message: text(error.error_message, 10_000) } : {}),
    ...(failed && /^\d{3}$/.test(String(error.error_code)) && Number(error.error_code) >= 100 && Number(error.error_code) <= 599 ? { http_status: Number(error.error_code) } : {}),
    prompt_tokens: prompt,
    completion_tokens: completion,
    cached_tokens: Math.min(details.cached, prompt),
    reasoning_tokens: Math.min(details.reasoning, completion),
    usage_source: 'provider',
    ...(Number(row.spend) > 0 ? { cost_usd: Number(row.spend) } : {}),
    cache_hit: row.cache_hit === 'True' || row.cache_hit === 'true',
    user_id: text(row.end_user) ?? text(row.user) ?? text(metadata.user_api_key_user_id),
    session_id: text(row.session_id) ?? text(custom.session_id) ?? text(metadata.session_id),
    agent: text(row.agent_id) ?? text(custom.agent_name) ?? text(custom.agent),
    tags: [...new Set([LITELLM_TAG, ...tags])].slice(0, 64),
    properties,
    ...(messages !== undefined ? { input: messages } : {}),
    ...(response !== undefined ? { output: response } : {}),
  };
}
