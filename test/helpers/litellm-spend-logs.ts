// The spend-log table of a LiteLLM proxy's database as LiteLLM's Prisma schema creates it
// (columns the import does not read included), with its (startTime, request_id) index that the
// import pages by: for the import's tests and its benchmark.
export const LITELLM_SPEND_LOGS_DDL = `CREATE TABLE "LiteLLM_SpendLogs" (
  request_id TEXT PRIMARY KEY, call_type TEXT NOT NULL, api_key TEXT NOT NULL DEFAULT '', spend DOUBLE PRECISION NOT NULL DEFAULT 0.0,
  total_tokens INTEGER NOT NULL DEFAULT 0, prompt_tokens INTEGER NOT NULL DEFAULT 0, completion_tokens INTEGER NOT NULL DEFAULT 0,
  "startTime" TIMESTAMP(3) NOT NULL, "endTime" TIMESTAMP(3) NOT NULL, request_duration_ms INTEGER, "completionStartTime" TIMESTAMP(3),
  model TEXT NOT NULL DEFAULT '', model_id TEXT DEFAULT '', model_group TEXT DEFAULT '', custom_llm_provider TEXT DEFAULT '', api_base TEXT DEFAULT '',
  "user" TEXT DEFAULT '', metadata JSONB DEFAULT '{}', cache_hit TEXT DEFAULT '', cache_key TEXT DEFAULT '', request_tags JSONB DEFAULT '[]',
  team_id TEXT, organization_id TEXT, end_user TEXT, requester_ip_address TEXT, messages JSONB DEFAULT '{}', response JSONB DEFAULT '{}',
  session_id TEXT, status TEXT, mcp_namespaced_tool_name TEXT, agent_id TEXT, proxy_server_request JSONB DEFAULT '{}'
);
CREATE INDEX "LiteLLM_SpendLogs_startTime_request_id_idx" ON "LiteLLM_SpendLogs" ("startTime", request_id)`;
