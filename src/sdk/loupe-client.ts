// The recording client an application embeds: calls are queued in memory and sent to
// POST /api/v1/calls in batches, off the application's path. Each call gets its id when it is
// queued, so a batch sent again after a lost answer is stored once (the server answers
// "duplicate"). Failures the server may recover from (429, 5xx, the network) are retried with
// backoff, honouring Retry-After; refusals are reported, never retried. The queue is bounded:
// a full queue refuses new calls rather than growing.
import { uuidv7 } from 'uuidv7';
import type { z } from 'zod';
import type { callRecordInputSchema } from '../domain/call-record.js';

/** A call as POST /api/v1/calls takes it (docs/API.md). */
export type CallInput = z.input<typeof callRecordInputSchema>;

export interface LoupeClientOptions {
  /** Loupe's address, e.g. http://127.0.0.1:4000. */
  baseUrl: string;
  /** A key with the `ingest` scope. */
  apiKey: string;
  /** How long a call may wait before its batch is sent (default 1,000 ms). */
  flushIntervalMs?: number;
  /** Calls per request, at most the API's 1,000 (default 500). */
  maxBatch?: number;
  /** Calls held while Loupe is slow or away; beyond it record() refuses (default 10,000). */
  maxQueue?: number;
  /** Attempts of one batch before its calls are given up (default 6). */
  maxAttempts?: number;
  /** Told of every call not recorded, with the reason. */
  onError?: (error: LoupeRecordError) => void;
  fetch?: typeof fetch;
}

export class LoupeRecordError extends Error {
  constructor(message: string, readonly callIds: string[], readonly status: number | null) {
    super(message);
  }
}

const MAX_API_BATCH = 1000;
const MAX_BACKOFF_MS = 30_000;

interface BatchAnswer {
  results?: { id?: string; status: string; error?: { message: string } }[];
}

export class LoupeClient {
  private readonly endpoint: string;
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private readonly maxAttempts: number;
  private readonly fetcher: typeof fetch;
  private queue: CallInput[] = [];
  private sending: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private retryAt = 0;
  private closed = false;

  constructor(private readonly options: LoupeClientOptions) {
    this.endpoint = `${options.baseUrl.replace(/\/+$/, '')}/api/v1/calls`;
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.maxBatch = Math.min(Math.max(1, options.maxBatch ?? 500), MAX_API_BATCH);
    this.maxQueue = Math.max(1, options.maxQueue ?? 10_000);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 6);
    this.fetcher = options.fetch ?? fetch;
  }

  /** Queues a call; false (and onError) when the queue is full or the client shut down. */
  record(call: CallInput): boolean {
    const queued: CallInput = { ...call, id: call.id ?? uuidv7(), started_at: call.started_at ?? Date.now() };
    if (this.closed || this.queue.length >= this.maxQueue) {
      this.report(new LoupeRecordError(this.closed ? 'client is shut down' : `queue full (${this.maxQueue} calls waiting)`, [String(queued.id)], null));
      return false;
    }
    this.queue.push(queued);
    if (this.queue.length >= this.maxBatch) void this.flush();
    else this.schedule();
    return true;
  }

  /** Calls queued and not yet acknowledged. */
  get pending(): number {
    return this.queue.length;
  }

  /** Sends everything queued now; resolves when the queue is empty or what is left was given up. */
  async flush(): Promise<void> {
    while (this.sending) await this.sending;
    if (this.queue.length === 0) return;
    this.sending = this.drain().finally(() => {
      this.sending = null;
    });
    return this.sending;
  }

  /** Sends what is queued and stops taking calls. */
  async shutdown(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.flushIntervalMs);
    this.timer.unref?.();
  }

  private report(error: LoupeRecordError): void {
    this.options.onError?.(error);
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.maxBatch);
      await this.send(batch);
      this.queue = this.queue.slice(batch.length);
    }
  }

  /** One batch until it is answered or given up. */
  private async send(batch: CallInput[]): Promise<void> {
    const ids = batch.map((call) => String(call.id));
    for (let attempt = 1; ; attempt++) {
      const wait = this.retryAt - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      let status: number | null = null;
      let retryAfterMs: number | null = null;
      let reason: string;
      try {
        const response = await this.fetcher(this.endpoint, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.options.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(batch),
        });
        status = response.status;
        if (response.ok) {
          this.retryAt = 0;
          const answer = (await response.json().catch(() => ({}))) as BatchAnswer;
          for (const result of answer.results ?? []) {
            if (result.status === 'invalid' || result.status === 'conflict') this.report(new LoupeRecordError(result.error?.message ?? result.status, [result.id ?? ''], status));
          }
          return;
        }
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        reason = body?.error?.message ?? `HTTP ${status}`;
        const header = Number(response.headers.get('retry-after'));
        retryAfterMs = Number.isFinite(header) && header > 0 ? header * 1000 : null;
        // A refusal of the request itself (a bad key, a body too large) does not get better.
        if (status !== 429 && status < 500) {
          this.report(new LoupeRecordError(reason, ids, status));
          return;
        }
      } catch (error) {
        reason = (error as Error).message;
      }
      if (attempt >= this.maxAttempts) {
        this.report(new LoupeRecordError(`gave up after ${attempt} attempts: ${reason}`, ids, status));
        return;
      }
      this.retryAt = Date.now() + Math.min(retryAfterMs ?? 250 * 2 ** (attempt - 1), MAX_BACKOFF_MS);
    }
  }
}
