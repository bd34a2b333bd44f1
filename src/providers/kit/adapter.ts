// The provider adapter contract: how the gateway turns an OpenAI-format call into an upstream
// request and the upstream answer (whole or streamed) back into OpenAI bytes plus observations.
import type { CanonicalUsage } from '../../domain/usage.js';
import type { UsageSource } from '../../domain/call-record.js';
import type { UpstreamError } from './errors.js';
import type { Result } from './result.js';
import type { HeaderBag } from './retry-after.js';

/**
 * `messages` (Anthropic's Messages API) and `responses` (OpenAI's Responses API): APIs the client
 * speaks itself to a provider that serves them, relayed as they are.
 */
export type Endpoint = 'chat' | 'completions' | 'embeddings' | 'messages' | 'responses';

export interface Capabilities {
  chat: boolean;
  completions: boolean;
  embeddings: boolean;
  messages: boolean;
  responses: boolean;
  streaming: boolean;
  tools: boolean;
  models: boolean;
}

/** What the client sent to the gateway, already JSON-parsed (the gateway validated it is an object). */
export interface ClientRequest {
  endpoint: Endpoint;
  body: Readonly<Record<string, unknown>>;
  /** The body bytes as received, so pass-through adapters forward them untouched. */
  rawBody?: Uint8Array;
  /** Request headers of the client's own API that the upstream should see (`anthropic-version`, `anthropic-beta`). */
  headers?: Readonly<Record<string, string>>;
}

export interface CallContext {
  /** Upstream model id, after routing removed any `provider/` prefix. */
  model: string;
  apiKey?: string;
  /** Call start (epoch ms): `created` of translated responses. Defaults to Date.now(). */
  nowMs?: number;
  /** Id for translated responses when the upstream gives none. Defaults to a random UUID. */
  callId?: string;
}

/** Everything the response side must know about a prepared call; opaque to the gateway. */
export interface CallPlan {
  endpoint: Endpoint | 'models';
  stream: boolean;
  model: string;
  /** The client asked for a usage chunk (`stream_options.include_usage: true`). */
  clientWantsUsage: boolean;
  /** The gateway injected `include_usage`, so the usage-only chunk must not reach the client. */
  stripUsageChunk: boolean;
  /** Whether the upstream is expected to report usage (false: the caller must estimate). */
  usageExpected: boolean;
  /**
   * Whether the client gets the upstream's own bytes (answers, events, error bodies) because it
   * speaks the upstream's API; unset: as the adapter passes through (ProviderAdapter.passesThrough).
   */
  relaysUpstream?: boolean;
  /** A Messages API call said as a chat call (messages-over-chat.ts): the chat call's own plan. */
  chat?: CallPlan;
  /** Embeddings translated from another format: how the client wants the vectors (`base64` or floats). */
  encodingFormat?: string;
  /** Unix seconds and id used in translated bodies. */
  created: number;
  id: string;
}

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  /** Relative to the provider base URL (join with joinUpstreamUrl from kit/join-url.ts). */
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  plan: CallPlan;
}

export interface GenerationTimings {
  /** Time spent generating output, in nanoseconds (Ollama `eval_duration`). */
  generationNs: number;
  promptNs: number | null;
  loadNs: number | null;
  totalNs: number | null;
}

export interface AssembledToolCall {
  id: string | null;
  name: string;
  arguments: string;
}

/** The outcome of a non-streaming call. */
export interface UpstreamResult {
  /** Bytes for the client: the upstream's own bytes for pass-through adapters. */
  openaiBody: Uint8Array;
  usage: CanonicalUsage | null;
  usageSource: UsageSource;
  finishReason: string | null;
  responseModel: string | null;
  toolCallsCount: number;
  /** All generated text (content, reasoning, tool arguments): what to count when estimating. */
  completionText: string;
  /** What the call produced, for the record: the first choice's message (chat), its text (completions), null for embeddings. */
  output: unknown;
  timings: GenerationTimings | null;
}

export type StreamTerminal = { kind: 'done' } | { kind: 'error'; error: UpstreamError };

/** What a stream has revealed so far; read at any time (e.g. on client disconnect). */
export interface StreamObservations {
  responseId: string | null;
  responseModel: string | null;
  /** Latest usage the upstream reported (may be partial until usageComplete). */
  usage: CanonicalUsage | null;
  /** The final counts arrived; otherwise estimate (at least the output) from completionText. */
  usageComplete: boolean;
  usageSource: UsageSource;
  finishReason: string | null;
  toolCallsCount: number;
  content: string;
  reasoning: string;
  toolCalls: AssembledToolCall[];
  completionText: string;
  sawFirstToken: boolean;
  terminal: StreamTerminal | null;
  timings: GenerationTimings | null;
}

export interface StreamStep {
  /**
   * Write these bytes to the client now (may be empty). They never include an error event:
   * on an error terminal the gateway writes one with encodeSseErrorEvent (kit/sse-error-event.ts),
   * the same way as for a transport failure, so a client always sees exactly one.
   */
  forward: Uint8Array;
  /** The first generated token arrived in this read: stamp TTFT now. */
  firstToken: boolean;
  /** Set on the step where the stream reached its end state; null otherwise. */
  terminal: StreamTerminal | null;
}

/** Create with ProviderAdapter.createStreamTransform; implementations extend kit/base-stream-transform.ts. */
export interface StreamTransform {
  /** Feed one upstream read, in order. After a terminal, further reads are ignored. */
  push(chunk: Uint8Array): StreamStep;
  /** The upstream body ended (EOF). Always yields a terminal state if none was reached. */
  end(): StreamStep;
  readonly observations: StreamObservations;
}

export interface ModelInfo {
  id: string;
  ownedBy: string | null;
  /** Unix seconds. */
  created: number | null;
}

export interface ProviderAdapter {
  readonly id: string;
  readonly capabilities: Readonly<Capabilities>;
  /**
   * The upstream already speaks OpenAI's format: its bytes (answers, streams and error bodies)
   * reach the client as sent, so the gateway forwards an error body and its status untouched.
   */
  readonly passesThrough: boolean;
  /** Builds the upstream request; fails (bad_request) when the call cannot be expressed upstream. */
  toUpstream(request: ClientRequest, context: CallContext): Result<UpstreamRequest>;
  /** Reads a whole (non-streaming) answer. A non-2xx status is mapped through mapError without headers. */
  fromUpstream(status: number, body: Uint8Array, plan: CallPlan): Result<UpstreamResult>;
  /** A fresh state machine for one streamed answer (2xx only; use mapError otherwise). */
  createStreamTransform(plan: CallPlan): StreamTransform;
  mapError(status: number, body: Uint8Array, headers: HeaderBag, nowMs?: number): UpstreamError;
  modelsRequest(context: Omit<CallContext, 'model'>): UpstreamRequest;
  parseModels(status: number, body: Uint8Array): Result<ModelInfo[]>;
}

export const NO_CAPABILITIES: Readonly<Capabilities> = Object.freeze({
  chat: false,
  completions: false,
  embeddings: false,
  messages: false,
  responses: false,
  streaming: false,
  tools: false,
  models: false,
});
