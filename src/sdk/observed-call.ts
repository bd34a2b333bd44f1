// What the provider-client wrappers share: the attribution a call carries (fixed, or read as
// each call starts) and a failed call's status and error fields.
import type { CallInput } from './loupe-client.js';

/** Who and what a call is for; `parent_id` is the id of the call it runs under in its trace. */
export interface Attribution {
  session_id?: string;
  user_id?: string;
  agent?: string;
  trace_id?: string;
  parent_id?: string;
  tags?: string[];
  properties?: Record<string, string>;
}

export interface ObserveOptions extends Attribution {
  /** The provider the client talks to; else guessed from its base URL. */
  provider?: string;
  /**
   * Read when each call starts; what it gives wins over the fixed attribution. For what changes
   * per request in one client (the trace of the request being served, from AsyncLocalStorage).
   */
  perCall?: () => Attribution | undefined;
}

export type Json = Record<string, unknown>;
export const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

const ATTRIBUTION_KEYS = ['session_id', 'user_id', 'agent', 'trace_id', 'parent_id', 'tags', 'properties'] as const;

function attributionOf(options: Attribution | undefined): Partial<CallInput> {
  const out: Partial<CallInput> = {};
  for (const key of ATTRIBUTION_KEYS) if (options?.[key] !== undefined) Object.assign(out, { [key]: options[key] });
  return out;
}

/** The attribution of a call starting now: the fixed options, then what perCall gives. */
export function attributionNow(options: ObserveOptions): Partial<CallInput> {
  return { ...attributionOf(options), ...attributionOf(options.perCall?.()) };
}

/** A failed call's status and error fields (its tokens are given apart). */
export function failureOf(error: unknown): Partial<CallInput> {
  const err = error as { status?: unknown; name?: unknown; message?: unknown; constructor?: { name?: string } };
  const type = (typeof err.constructor?.name === 'string' && err.constructor.name !== 'Object' ? err.constructor.name : typeof err.name === 'string' ? err.name : 'Error').slice(0, 128);
  const status = /Timeout/i.test(type) ? 'timeout' : /Abort/i.test(type) ? 'cancelled' : 'error';
  return {
    status,
    error_type: type,
    error_message: typeof err.message === 'string' ? err.message.slice(0, 10_000) : String(error).slice(0, 10_000),
    http_status: typeof err.status === 'number' && err.status >= 100 && err.status <= 599 ? err.status : null,
  };
}

/**
 * The tokens of a call that failed before any answer: none. The provider gave no answer and
 * bills none (as the gateway records failed attempts).
 */
export function unansweredUsage(): Partial<CallInput> {
  return { prompt_tokens: 0, completion_tokens: 0, usage_source: 'estimated' };
}

type Settle = (value: unknown) => unknown;

/**
 * The client's own promise of an answer handed back with the answer observed once, as soon as
 * it arrives, whichever way the caller then reads it. The clients return an APIPromise whose
 * `withResponse()` their own helpers call (Anthropic's `messages.stream()`, OpenAI's stream
 * helpers), so the promise itself must stay: `then`, `catch`, `finally` and `withResponse()` give
 * the observed answer (for a stream, the same stream object, its iteration observed); anything
 * else is the original's.
 */
export function observeAnswer<T extends PromiseLike<unknown>>(promise: T, onAnswer: (value: unknown) => unknown, onError: (error: unknown) => void): T {
  const observed = Promise.resolve(promise).then(onAnswer, (error: unknown) => {
    onError(error);
    throw error;
  });
  // Observed at once, read later (or never): its failure is the caller's to handle, not an unhandled rejection here.
  observed.catch(() => undefined);
  return new Proxy(promise, {
    get(target, property) {
      if (property === 'then') return (fulfilled?: Settle, rejected?: Settle) => observed.then(fulfilled, rejected);
      if (property === 'catch') return (rejected?: Settle) => observed.catch(rejected);
      if (property === 'finally') return (done?: () => void) => observed.finally(done);
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'withResponse' && typeof value === 'function') {
        return async () => {
          const result = (await (value as () => Promise<Json>).call(target)) as Json;
          return { ...result, data: await observed };
        };
      }
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Hands `stream` back with its own iteration passing each item to `take` first and `skip`ping
 * some (the stream object itself stays: its tee(), controller and the rest still work); `done`
 * runs once when the caller's iteration ends, with the error that ended it, if any.
 */
export function observeStream<T extends object>(stream: T, take: (item: unknown) => boolean, done: (failure: unknown) => void): T {
  const iterable = stream as unknown as AsyncIterable<unknown>;
  const iterate = iterable[Symbol.asyncIterator].bind(iterable);
  Object.defineProperty(stream, Symbol.asyncIterator, {
    configurable: true,
    value: async function* observed() {
      let failure: unknown = null;
      try {
        for await (const item of { [Symbol.asyncIterator]: iterate }) if (take(item)) yield item;
      } catch (error) {
        failure = error;
        throw error;
      } finally {
        done(failure);
      }
    },
  });
  return stream;
}
