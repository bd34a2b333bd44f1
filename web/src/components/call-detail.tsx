// One call in a drawer: its conversation as chat bubbles (always text: prompts and responses
// are never interpreted as HTML), tokens, cost, timings and attribution, delete, a replay on
// this or another model, the outcomes recorded on it (when there are any), and the trace it
// belongs to as a waterfall, whose rows open their call in the same drawer.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, formatCount, formatMs, formatUsd } from '../api';
import { Panel } from './panel';
import { OutcomesPanel } from './outcomes-panel';
import { ReplayPanel } from './replay-panel';
import { TraceWaterfall } from './trace-waterfall';
import { canReplay } from '../replay';

interface CallDetail {
  id: string; started_at: string; provider: string; model: string; endpoint: string | null; response_model: string | null; status: string; http_status: number | null;
  error_type: string | null; error_message: string | null; latency_ms: number | null; ttft_ms: number | null; tokens_per_second: number | null;
  is_streaming: boolean; prompt_tokens: number; completion_tokens: number; total_tokens: number; cached_tokens: number; reasoning_tokens: number;
  cost_usd: number | null; input_cost_usd: number | null; output_cost_usd: number | null; price_source: string; user_id: string | null;
  session_id: string | null; agent: string | null; conversation_name: string | null; account_id: string | null; tags: string[];
  properties: Record<string, string>; confidence: number | null; signal: string | null; trace_id: string | null; is_fallback: boolean; cache_hit: boolean;
  original_provider: string | null; input: unknown; output: unknown;
}
interface Bubble { role: string; text: string }

/** Message content as plain text: strings as they are, content parts by their text, the rest as JSON. */
function asText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part: unknown) => {
      if (typeof part === 'string') return part;
      const typed = part as { type?: unknown; text?: unknown };
      if (typeof typed.text === 'string') return typed.text;
      return typeof typed.type === 'string' ? `[${typed.type}]` : JSON.stringify(part);
    }).join('\n');
  }
  return content === undefined || content === null ? '' : JSON.stringify(content, null, 2);
}

function toBubble(message: unknown, defaultRole: string): Bubble {
  if (typeof message === 'string') return { role: defaultRole, text: message };
  const m = (message ?? {}) as { role?: unknown; content?: unknown; tool_calls?: unknown };
  const role = typeof m.role === 'string' ? m.role : defaultRole;
  if (m.content === undefined && m.tool_calls === undefined) return { role, text: asText(message) };
  const tools = m.tool_calls ? `\n[tool calls] ${JSON.stringify(m.tool_calls, null, 2)}` : '';
  return { role, text: (asText(m.content) + tools).trim() };
}

export function conversation(input: unknown, output: unknown): Bubble[] {
  const inputs = Array.isArray(input) ? input.map((message) => toBubble(message, 'user')) : input === null || input === undefined ? [] : [toBubble(input, 'user')];
  const outputs = output === null || output === undefined ? [] : Array.isArray(output) ? output.map((message) => toBubble(message, 'assistant')) : [toBubble(output, 'assistant')];
  return [...inputs, ...outputs];
}

function Facts({ call }: { call: CallDetail }) {
  const facts: [string, string | null][] = [
    ['Model', `${call.provider} / ${call.model}${call.response_model && call.response_model !== call.model ? ` (answered by ${call.response_model})` : ''}`],
    ['Status', `${call.status}${call.http_status ? ` (HTTP ${call.http_status})` : ''}${call.error_type ? ` · ${call.error_type}` : ''}`],
    ['Started', new Date(call.started_at).toLocaleString()],
    ['Latency', `${formatMs(call.latency_ms)} · TTFT ${formatMs(call.ttft_ms)}${call.tokens_per_second ? ` · ${call.tokens_per_second.toFixed(1)} tokens/s` : ''}${call.is_streaming ? ' · streamed' : ''}`],
    ['Tokens', `${formatCount(call.prompt_tokens)} in · ${formatCount(call.completion_tokens)} out${call.cached_tokens ? ` · ${formatCount(call.cached_tokens)} cached` : ''}${call.reasoning_tokens ? ` · ${formatCount(call.reasoning_tokens)} reasoning` : ''}`],
    ['Cost', call.price_source === 'unpriced' ? 'unpriced (no known price)' : call.price_source === 'cache' ? `${formatUsd(0)} (answered from Loupe's cache, no provider called)` : `${formatUsd(call.cost_usd)} (in ${formatUsd(call.input_cost_usd)}, out ${formatUsd(call.output_cost_usd)}; ${call.price_source})`],
    ['User', call.user_id], ['Session', call.session_id], ['Agent', call.agent], ['Conversation', call.conversation_name], ['Account', call.account_id],
    ['Tags', call.tags.length ? call.tags.join(', ') : null],
    ['Properties', Object.keys(call.properties).length ? Object.entries(call.properties).map(([k, v]) => `${k}=${v}`).join(', ') : null],
    ['Decision', call.signal || call.confidence !== null ? `${call.signal ?? ''}${call.confidence !== null ? ` (confidence ${call.confidence})` : ''}` : null],
    ['Fallback', call.is_fallback ? `yes, from ${call.original_provider ?? '?'}` : null],
    ['Cache', call.cache_hit ? `hit, repeating ${call.properties.cache_of ?? 'an earlier call'}` : null], ['Trace', call.trace_id], ['Id', call.id],
  ];
  return <dl className="facts">{facts.filter(([, value]) => value).map(([label, value]) => <div key={label}><dt>{label}</dt><dd>{value}</dd></div>)}</dl>;
}

export function CallDrawer({ id: opened, canDelete, onClose }: { id: string; canDelete: boolean; onClose: () => void }) {
  // A row of the trace shows its own call here; a new call from the page starts over.
  const [id, setId] = useState(opened);
  useEffect(() => setId(opened), [opened]);
  const call = useQuery({ queryKey: ['log', id], queryFn: () => api<CallDetail>(`/api/v1/logs/${encodeURIComponent(id)}`) });
  const client = useQueryClient();
  const remove = async () => {
    await api(`/api/v1/logs/${encodeURIComponent(id)}`, { method: 'DELETE' });
    await client.invalidateQueries({ queryKey: ['logs'] });
    await client.invalidateQueries({ queryKey: ['trace'] });
    onClose();
  };
  return (
    <aside className="drawer" role="dialog" aria-label="Call detail">
      <button className="close" onClick={onClose}>Close</button>
      <Panel title="Call" loading={call.isLoading} error={call.error}>
        {call.data ? (
          <>
            <Facts call={call.data} />
            {call.data.error_message ? <p className="error">{call.data.error_message}</p> : null}
            <h3>Conversation</h3>
            {conversation(call.data.input, call.data.output).map((bubble, index) => (
              // Text nodes only: a prompt holding markup shows the markup, it never runs.
              <div key={index} className={`bubble ${bubble.role === 'assistant' ? 'assistant' : bubble.role === 'system' ? 'system' : 'user'}`}><div className="role">{bubble.role}</div><pre>{bubble.text}</pre></div>
            ))}
            {canDelete ? <button className="danger" onClick={() => void remove()}>Delete this call</button> : null}
          </>
        ) : null}
      </Panel>
      {call.data && canReplay() && call.data.input != null && call.data.endpoint !== '/v1/embeddings' ? <ReplayPanel key={call.data.id} call={call.data} /> : null}
      {call.data?.trace_id ? <TraceWaterfall traceId={call.data.trace_id} current={id} onOpenCall={setId} /> : null}
      <OutcomesPanel title="Outcomes of this call" query={`target=${encodeURIComponent(id)}&target_type=call&limit=100`} empty={null} onOpenCall={null} />
    </aside>
  );
}
