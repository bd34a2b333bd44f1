// Ollama's native chat API (/api/chat), which reports its own timings: requests from the
// OpenAI format, answers and NDJSON streams back to it. Usage comes from prompt_eval_count
// and eval_count; eval_duration (ns of generation) travels in the usage as
// `generation_duration_ns`, so tokens/s is Ollama's own measure.
import { z } from 'zod';
import { encodeUtf8, EMPTY_BYTES } from '../kit/bytes.js';
import { createNdjsonReader } from '../kit/ndjson.js';

type Json = Record<string, unknown>;

export function toOllamaRequest(body: Json, model: string, stream: boolean): Json {
  const messages = (Array.isArray(body.messages) ? (body.messages as Json[]) : []).map((message) => {
    const content = message.content;
    const text = typeof content === 'string' ? content : Array.isArray(content) ? content.map((part) => ((part as Json).type === 'text' ? String((part as Json).text ?? '') : '')).join('') : '';
    const images = Array.isArray(content) ? content.flatMap((part) => {
      const url = String(((part as Json).image_url as Json | undefined)?.url ?? '');
      const data = /^data:[^;]+;base64,(.*)$/.exec(url);
      return data ? [data[1]!] : [];
    }) : [];
    return { role: message.role, content: text, ...(images.length > 0 ? { images } : {}), ...(message.tool_calls ? { tool_calls: message.tool_calls } : {}) };
  });
  const options: Json = {};
  if (body.temperature !== undefined) options.temperature = body.temperature;
  if (body.top_p !== undefined) options.top_p = body.top_p;
  if (body.seed !== undefined) options.seed = body.seed;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens !== undefined) options.num_predict = maxTokens;
  if (body.stop !== undefined) options.stop = Array.isArray(body.stop) ? body.stop : [body.stop];
  return { model, messages, stream, ...(Object.keys(options).length > 0 ? { options } : {}), ...(body.tools ? { tools: body.tools } : {}) };
}

const answerSchema = z.looseObject({
  model: z.string().optional(),
  created_at: z.string().optional(),
  message: z.looseObject({ role: z.string().optional(), content: z.string().optional(), thinking: z.string().optional(), tool_calls: z.array(z.looseObject({ function: z.looseObject({ name: z.string().optional(), arguments: z.unknown() }).optional() })).optional() }).optional(),
  done: z.boolean().optional(),
  done_reason: z.string().optional(),
  prompt_eval_count: z.number().optional(),
  eval_count: z.number().optional(),
  eval_duration: z.number().optional(),
  error: z.string().optional(),
});
type OllamaAnswer = z.infer<typeof answerSchema>;

function usageOf(answer: OllamaAnswer): Json {
  const prompt = answer.prompt_eval_count ?? 0;
  const completion = answer.eval_count ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, ...(answer.eval_duration ? { generation_duration_ns: answer.eval_duration } : {}) };
}

function finishReason(answer: OllamaAnswer): string {
  if ((answer.message?.tool_calls?.length ?? 0) > 0) return 'tool_calls';
  return answer.done_reason === 'length' ? 'length' : 'stop';
}

function toolCalls(answer: OllamaAnswer): Json[] {
  return (answer.message?.tool_calls ?? []).map((call, index) => ({
    index, id: `call_${index}`, type: 'function',
    function: { name: call.function?.name ?? '', arguments: typeof call.function?.arguments === 'string' ? call.function.arguments : JSON.stringify(call.function?.arguments ?? {}) },
  }));
}

export function toOpenAiFromOllama(bytes: Buffer, id: string, created: number): Buffer {
  const answer = answerSchema.parse(JSON.parse(bytes.toString('utf8')));
  const calls = toolCalls(answer);
  return Buffer.from(JSON.stringify({
    id, object: 'chat.completion', created, model: answer.model ?? '',
    choices: [{ index: 0, message: { role: 'assistant', content: answer.message?.content ?? '', ...(calls.length > 0 ? { tool_calls: calls.map(({ index: _index, ...call }) => call) } : {}) }, finish_reason: finishReason(answer), logprobs: null }],
    usage: usageOf(answer),
  }));
}

export function ollamaErrorToOpenAi(bytes: Buffer): Buffer {
  let message = bytes.toString('utf8').slice(0, 500);
  try {
    message = (JSON.parse(message) as { error?: string }).error ?? message;
  } catch {
    // plain text
  }
  return Buffer.from(JSON.stringify({ error: { message, type: 'api_error', code: null, param: null } }));
}

export function createOllamaStreamTranslator(id: string, created: number) {
  const reader = createNdjsonReader(answerSchema);
  let model = '';
  let started = false;
  let sawToolCalls = false;
  const chunk = (fields: Json) => `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, ...fields })}\n\n`;
  const translate = (parts: ReturnType<typeof reader.push>): Uint8Array => {
    let out = '';
    for (const part of parts) {
      if (part.type === 'error') {
        out += chunk({ error: { message: part.message, type: 'invalid_stream' } });
        continue;
      }
      const answer = part.value;
      model = answer.model ?? model;
      if (answer.error) {
        out += chunk({ error: { message: answer.error, type: 'api_error' } });
        continue;
      }
      const delta: Json = started ? {} : { role: 'assistant' };
      started = true;
      if (answer.message?.content) delta.content = answer.message.content;
      if (answer.message?.thinking) delta.reasoning_content = answer.message.thinking;
      const calls = toolCalls(answer);
      if (calls.length > 0) {
        delta.tool_calls = calls;
        sawToolCalls = true;
      }
      if (Object.keys(delta).length > 0) out += chunk({ choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] });
      if (answer.done) {
        out += chunk({ choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: sawToolCalls ? 'tool_calls' : finishReason(answer) }] });
        out += `${chunk({ choices: [], usage: usageOf(answer) })}data: [DONE]\n\n`;
      }
    }
    return out ? encodeUtf8(out) : EMPTY_BYTES;
  };
  return { push: (bytes: Uint8Array) => translate(reader.push(bytes)), end: () => translate(reader.end()) };
}
