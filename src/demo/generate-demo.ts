// The seeded demo generator: sessions of calls as real applications make them (trading
// pipelines researcher → analyst → trader with signals and confidence, support chats that
// resend their history, one-shot summaries), in time order, with errors, fallbacks,
// streaming, cache and reasoning tokens, and outcomes for the trading decisions.
import type { CallRecordInput } from '../domain/call-record.js';
import type { OutcomeInput } from '../domain/outcome.js';
import { DEMO_ERRORS, DEMO_MODELS, FALLBACK_ORDER, type DemoModel } from './demo-models.js';
import { sentences, userPrompt } from './demo-text.js';
import { Random } from './prng.js';

export interface DemoOptions {
  calls: number;
  days: number;
  seed: number;
  /** End of the generated period (epoch ms); default now. */
  endMs?: number;
  /** Leave prompts and responses empty (very large runs). */
  withContent?: boolean;
}

export interface DemoBatch {
  calls: CallRecordInput[];
  outcomes: OutcomeInput[];
}

const SYMBOLS = ['AAPL', 'TSLA', 'NVDA', 'MSFT', 'BTC-USD', 'ETH-USD', 'EURUSD', 'GBPUSD'];
const SIGNALS = ['BUY', 'SELL', 'HOLD'] as const;
const LESSONS = [
  'Position size too large for the volatility',
  'Ignored the earnings date',
  'Entered against the trend',
  'Stop loss too tight',
  'News sentiment was already priced in',
  'Waited for confirmation and it paid off',
];
const USERS = Array.from({ length: 40 }, (_, i) => `user-${String(i + 1).padStart(2, '0')}`);
const REASONING_EFFORTS = ['low', 'medium', 'high'] as const;
const EFFORT_FACTOR: Readonly<Record<(typeof REASONING_EFFORTS)[number], number>> = { low: 0.5, medium: 1, high: 2 };
const MODEL_CHOICES = DEMO_MODELS.map((model) => ({ weight: model.weight, value: model }));
const ERROR_CHOICES = DEMO_ERRORS;

type SessionKind = 'trading' | 'support' | 'summary';

interface Session {
  kind: SessionKind;
  id: string;
  user: string;
  symbol: string;
  env: string;
  model: DemoModel;
}

class DemoWriter {
  readonly random: Random;
  private callIndex = 0;
  private outcomeIndex = 0;
  private readonly startMs: number;
  private readonly stepMs: number;

  constructor(private readonly options: Required<Omit<DemoOptions, 'endMs'>> & { endMs: number }) {
    this.random = new Random(options.seed);
    this.startMs = options.endMs - options.days * 86_400_000;
    this.stepMs = (options.days * 86_400_000) / Math.max(1, options.calls);
  }

  nextSession(): DemoBatch {
    const random = this.random;
    const kind = random.weighted<SessionKind>([{ weight: 4, value: 'trading' }, { weight: 4, value: 'support' }, { weight: 2, value: 'summary' }]);
    const session: Session = {
      kind, id: `demo-${this.options.seed}-s${this.callIndex}`, user: random.pick(USERS),
      symbol: random.pick(SYMBOLS), env: random.chance(0.85) ? 'prod' : 'staging', model: random.weighted(MODEL_CHOICES),
    };
    const batch: DemoBatch = { calls: [], outcomes: [] };
    if (kind === 'trading') this.tradingSession(session, batch);
    else if (kind === 'support') this.supportSession(session, batch);
    else this.attempts(session, 'summarizer', [{ role: 'user', content: userPrompt(random, 'this document', 700) }], 0, batch);
    return batch;
  }

  private tradingSession(session: Session, batch: DemoBatch): void {
    const random = this.random;
    const system = { role: 'system', content: `You are a trading desk assistant for ${session.symbol}. ${sentences(random, 160)}` };
    this.attempts(session, 'researcher', [system, { role: 'user', content: userPrompt(random, session.symbol, 450) }], 0, batch);
    this.attempts(session, 'analyst', [system, { role: 'user', content: userPrompt(random, `${session.symbol} technicals`, 450) }], 2, batch);
    const decision = this.attempts(session, 'trader', [system, { role: 'user', content: `Decide BUY, SELL or HOLD for ${session.symbol}. ${sentences(random, 400)}` }], 4, batch);
    if (decision && decision.status === 'success') batch.outcomes.push(this.outcome(decision, session.model));
  }

  private supportSession(session: Session, batch: DemoBatch): void {
    const random = this.random;
    const history: { role: string; content: string }[] = [{ role: 'system', content: `You are a support agent. ${sentences(random, 180)}` }];
    const turns = random.int(2, 5);
    for (let turn = 0; turn < turns; turn++) {
      history.push({ role: 'user', content: userPrompt(random, 'my account', 260) });
      // Chat clients resend recent history; keep the last exchanges as they would.
      const call = this.attempts(session, 'support_bot', history.slice(-5), turn * 3, batch);
      const answer = call?.output as { content?: string } | undefined;
      history.push({ role: 'assistant', content: answer?.content ?? '' });
    }
  }

  /** One logical request: an attempt, and a fallback attempt when a retryable one fails. */
  private attempts(session: Session, agent: string, messages: object[], offsetSeconds: number, batch: DemoBatch): CallRecordInput | null {
    const first = this.call(session, session.model, agent, messages, offsetSeconds, null);
    batch.calls.push(first);
    if (first.status === 'success' || first.http_status === 400 || !this.random.chance(0.7)) return first;
    const fallbackProvider = FALLBACK_ORDER[session.model.provider] ?? 'openai';
    const fallback = DEMO_MODELS.find((model) => model.provider === fallbackProvider && !model.reasoning) ?? session.model;
    const second = this.call(session, fallback, agent, messages, offsetSeconds + 1, first);
    batch.calls.push(second);
    return second;
  }

  private call(session: Session, model: DemoModel, agent: string, messages: object[], offsetSeconds: number, fallbackOf: CallRecordInput | null): CallRecordInput {
    const random = this.random;
    const index = this.callIndex++;
    const startedAt = Math.round(this.startMs + index * this.stepMs + offsetSeconds * 1000);
    const failure = random.chance(model.errorRate) ? random.weighted(ERROR_CHOICES) : null;
    const streaming = random.chance(0.45);
    const promptChars = messages.reduce((sum: number, message) => sum + ((message as { content?: string }).content?.length ?? 0), 0);
    const prompt = Math.max(20, Math.round(promptChars / 4 + random.int(0, 40)));
    const completion = failure ? 0 : Math.max(5, Math.round(random.logNormal(agent === 'trader' ? 60 : 180, 0.5)));
    // Reasoning models are asked for an effort (by turns, so the random draws stay as they were),
    // and think more at a higher one.
    const effort = model.reasoning ? REASONING_EFFORTS[index % REASONING_EFFORTS.length]! : null;
    const reasoning = effort !== null && !failure ? Math.round(completion * (0.5 + random.next()) * EFFORT_FACTOR[effort]) : 0;
    const outputTokens = completion + reasoning;
    const cached = !model.local && random.chance(0.3) ? Math.floor(prompt * 0.6) : 0;
    const cacheWrite = model.provider === 'anthropic' && cached === 0 && random.chance(0.2) ? Math.floor(prompt * 0.5) : 0;
    const ttft = streaming ? Math.max(40, random.logNormal(model.medianTtftMs, 0.4)) : null;
    const generation = (outputTokens / model.tokensPerSecond) * 1000 * random.logNormal(1, 0.2);
    const latency = failure ? random.logNormal(failure.type === 'timeout' ? 60_000 : 400, 0.3) : (ttft ?? random.logNormal(model.medianTtftMs, 0.4)) + generation;
    const signal = agent === 'trader' && !failure ? random.weighted([{ weight: 4, value: SIGNALS[0] }, { weight: 3, value: SIGNALS[1] }, { weight: 3, value: SIGNALS[2] }]) : null;
    const confidence = signal ? Math.round(Math.min(0.98, Math.max(0.35, 0.55 + 0.15 * random.normal())) * 100) / 100 : null;
    const content = this.options.withContent;
    const answer = failure ? null : signal ? `${signal} ${session.symbol}. Confidence ${confidence}. ${sentences(random, 250)}` : sentences(random, 380);
    return {
      id: `demo-${this.options.seed}-${index}`,
      request_id: fallbackOf?.request_id ?? `demo-${this.options.seed}-r${index}`,
      started_at: startedAt,
      ended_at: Math.round(startedAt + latency),
      latency_ms: Math.round(latency * 10) / 10,
      ...(ttft !== null ? { ttft_ms: Math.round(ttft * 10) / 10 } : {}),
      ...(failure || generation <= 0 ? {} : { tokens_per_second: Math.round((outputTokens / (generation / 1000)) * 10) / 10 }),
      provider: model.provider, model: model.model, response_model: failure ? null : model.model,
      endpoint: '/v1/chat/completions', is_streaming: streaming, finish_reason: failure ? null : random.chance(0.96) ? 'stop' : 'length',
      params: { temperature: agent === 'trader' ? 0.2 : 0.7, max_tokens: 1024, ...(effort ? { reasoning_effort: effort } : {}) },
      status: failure ? failure.status : 'success',
      http_status: failure ? failure.http : 200,
      ...(failure ? { error_type: failure.type, error_message: failure.message } : {}),
      prompt_tokens: prompt + cacheWrite, completion_tokens: outputTokens, total_tokens: prompt + cacheWrite + outputTokens,
      cached_tokens: cached, cache_write_tokens: cacheWrite, reasoning_tokens: reasoning,
      is_fallback: fallbackOf !== null, ...(fallbackOf ? { original_provider: fallbackOf.provider, attempt: 2 } : { attempt: 1 }),
      tool_calls_count: agent === 'researcher' && random.chance(0.4) ? random.int(1, 3) : 0,
      user_id: session.user, session_id: session.id, agent, conversation_name: `${session.kind} ${session.symbol}`,
      // A trading pipeline's run (researcher, analyst, trader) is one trace.
      ...(session.kind === 'trading' ? { trace_id: `${session.id}-run` } : {}),
      account_id: `acct-${session.user.slice(-1)}`, tags: ['demo', session.env, session.kind],
      properties: session.kind === 'trading' ? { symbol: session.symbol } : { channel: random.pick(['web', 'email', 'slack']) },
      ...(signal ? { signal, confidence } : {}),
      ...(content ? { input: messages, output: answer === null ? null : { role: 'assistant', content: answer } } : {}),
    };
  }

  /** Win probability rises with the model's skill and, less, with its stated confidence. */
  private outcome(call: CallRecordInput, model: DemoModel): OutcomeInput {
    const random = this.random;
    const confidence = call.confidence ?? 0.5;
    const ageMs = this.options.endMs - (call.started_at as number);
    const id = `demo-${this.options.seed}-o${this.outcomeIndex++}`;
    if (ageMs < 86_400_000 && random.chance(0.6)) return { id, target: call.id!, target_type: 'call', name: 'trade', status: 'open' };
    const winProbability = Math.min(0.9, Math.max(0.1, model.skill + (confidence - 0.6) * 0.5));
    const neutral = call.signal === 'HOLD' && random.chance(0.5);
    const win = !neutral && random.chance(winProbability);
    const size = random.logNormal(400, 0.6);
    const value = neutral ? 0 : Math.round((win ? size : -size * 0.8) * 100) / 100;
    const lesson = !win && !neutral && random.chance(0.5) ? random.pick(LESSONS.slice(0, 5)) : win && random.chance(0.15) ? LESSONS[5]! : null;
    return {
      id, target: call.id!, target_type: 'call', name: 'trade', status: neutral ? 'neutral' : win ? 'win' : 'loss', value,
      closed_at: Math.min(this.options.endMs, (call.started_at as number) + random.int(1, 48) * 3_600_000),
      ...(lesson ? { lesson } : {}), properties: { symbol: String(call.properties?.symbol ?? '') },
    };
  }
}

/** Yields batches of about `batchSize` calls (whole sessions), `options.calls` in total. */
export function* generateDemo(options: DemoOptions, batchSize = 5000): Generator<DemoBatch> {
  const writer = new DemoWriter({ withContent: true, endMs: Date.now(), ...options });
  let batch: DemoBatch = { calls: [], outcomes: [] };
  let emitted = 0;
  while (emitted < options.calls) {
    const session = writer.nextSession();
    // The last session is cut to the requested count; outcomes follow their calls.
    const kept = session.calls.slice(0, options.calls - emitted);
    const keptIds = new Set(kept.map((call) => call.id));
    emitted += kept.length;
    batch.calls.push(...kept);
    batch.outcomes.push(...session.outcomes.filter((outcome) => keptIds.has(outcome.target)));
    if (batch.calls.length >= batchSize) {
      yield batch;
      batch = { calls: [], outcomes: [] };
    }
  }
  if (batch.calls.length > 0) yield batch;
}
