// Alert webhooks: a JSON POST signed with the rule's secret (HMAC-SHA256 over "<time>.<body>",
// so a receiver can refuse a body replayed later), retried with growing pauses on a network
// error, a timeout, 408, 429 or 5xx. Its URL passes the same outbound checks as a provider's,
// at save and again at connect (DNS rebinding).
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { uuidv7 } from 'uuidv7';
import { parseAllowlist, type Allowlist } from '../security/outbound-address.js';
import { checkOutboundUrl, guardedLookup } from '../security/outbound-url.js';

export interface WebhookSenderOptions {
  /** Pauses before each retry; one attempt more than there are pauses. */
  retryDelaysMs?: readonly number[];
  timeoutMs?: number;
}

const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 25_000];

/** The signature header's value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export function webhookSignature(secret: string, unixSeconds: number, body: string): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

export class WebhookSender {
  private readonly allowlist: Allowlist;
  private readonly agent: Agent;
  private readonly retryDelaysMs: readonly number[];
  private readonly timeoutMs: number;
  private readonly closing = new AbortController();

  constructor(allowlist: readonly string[], options: WebhookSenderOptions = {}) {
    this.allowlist = parseAllowlist(allowlist);
    this.agent = new Agent({ connect: { lookup: guardedLookup(this.allowlist, () => false) } });
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Throws OutboundUrlError when the URL may not be called. */
  async check(url: string): Promise<void> {
    await checkOutboundUrl(url, this.allowlist);
  }

  /**
   * Posts `payload` until it is taken or the retries run out: whether it was delivered, or null
   * when the sender closed first (neither delivered nor given up on).
   */
  async send(url: string, secret: string, eventType: string, payload: unknown): Promise<boolean | null> {
    const body = JSON.stringify(payload);
    const id = uuidv7();
    const signal = this.closing.signal;
    for (let attempt = 0; attempt <= this.retryDelaysMs.length; attempt++) {
      if (attempt > 0) await sleep(this.retryDelaysMs[attempt - 1], undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return null;
      try {
        await this.check(url);
        const response = await request(url, {
          method: 'POST', dispatcher: this.agent, body, signal, bodyTimeout: this.timeoutMs, headersTimeout: this.timeoutMs,
          headers: {
            'content-type': 'application/json', 'user-agent': 'Loupe-Webhook', 'x-loupe-event': eventType, 'x-loupe-delivery': id,
            'x-loupe-signature': webhookSignature(secret, Math.floor(Date.now() / 1000), body),
          },
        });
        await response.body.dump();
        if (response.statusCode < 300) return true;
        if (!retryable(response.statusCode)) return false;
      } catch {
        // A refused address, a network error or a timeout: tried again after the pause.
      }
    }
    return signal.aborted ? null : false;
  }

  /** Cuts the deliveries under way short (each answers null) and closes the connections. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.agent.close();
  }
}
