// Live events across the instances of one store: each instance sends what it publishes,
// batched (one NOTIFY per burst, under PostgreSQL's 8,000-byte payload limit), and delivers
// what the others sent to its own WebSocket clients. Events are sent only while another
// instance has subscribers: those announce themselves every PRESENCE_MS, so a busy gateway
// does not push every call through the database when nobody is watching.
import { randomUUID } from 'node:crypto';
import type { StoreBroadcast } from '../store/ports.js';
import type { LiveEvent, LiveEventBus } from './event-bus.js';

const FLUSH_MS = 20;
const MAX_PAYLOAD_BYTES = 7_900;
const PRESENCE_MS = 1_000;
/** A presence counts this long: a few missed announcements do not silence the others. */
const PRESENCE_TTL_MS = 5_000;

interface Envelope {
  origin: string;
  events?: [string, LiveEvent][];
  /** Sent while this instance has subscribers. */
  presence?: true;
}

export class CrossInstanceEvents {
  private readonly origin = randomUUID();
  private pending: [string, LiveEvent][] = [];
  private timer: NodeJS.Timeout | null = null;
  private presenceTimer: NodeJS.Timeout | null = null;
  private audienceUntil = 0;
  private sending: Promise<void> = Promise.resolve();
  private stopListening: (() => Promise<void>) | null = null;

  private constructor(private readonly bus: LiveEventBus, private readonly broadcast: StoreBroadcast, private readonly onError: (error: unknown) => void) {}

  static async start(bus: LiveEventBus, broadcast: StoreBroadcast, onError: (error: unknown) => void): Promise<CrossInstanceEvents> {
    const bridge = new CrossInstanceEvents(bus, broadcast, onError);
    bridge.stopListening = await broadcast.listen((message) => bridge.received(message));
    bus.relayTo({ send: (projectId, event) => bridge.queue(projectId, event), get hasAudience() { return bridge.audienceUntil > Date.now(); } });
    bridge.presenceTimer = setInterval(() => bridge.announce(), PRESENCE_MS);
    bridge.presenceTimer.unref();
    return bridge;
  }

  /** Tells the other instances this one has subscribers, so they send their events. */
  announce(): void {
    if (this.bus.subscriberCount === 0) return;
    this.broadcast.send(JSON.stringify({ origin: this.origin, presence: true } satisfies Envelope)).catch(this.onError);
  }

  private received(message: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message) as Envelope;
    } catch {
      return;
    }
    if (envelope.origin === this.origin) return;
    if (envelope.presence) this.audienceUntil = Date.now() + PRESENCE_TTL_MS;
    if (Array.isArray(envelope.events)) for (const [projectId, event] of envelope.events) this.bus.deliver(projectId, event);
  }

  private queue(projectId: string, event: LiveEvent): void {
    this.pending.push([projectId, event]);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    this.timer = null;
    const events = this.pending;
    this.pending = [];
    // One after another: notifications sent on different pool connections could overtake each other.
    for (const payload of this.payloads(events)) {
      this.sending = this.sending.then(() => this.broadcast.send(payload)).catch(this.onError);
    }
  }

  /** Envelopes under the payload limit; an event too large on its own is not relayed. */
  private payloads(events: [string, LiveEvent][]): string[] {
    const out: string[] = [];
    const head = `{"origin":${JSON.stringify(this.origin)},"events":[`;
    let body: string[] = [];
    const empty = Buffer.byteLength(head) + 2;
    let size = empty;
    for (const item of events) {
      const text = JSON.stringify(item);
      const bytes = Buffer.byteLength(text) + 1;
      if (empty + bytes > MAX_PAYLOAD_BYTES) continue;
      if (size + bytes > MAX_PAYLOAD_BYTES) {
        out.push(`${head}${body.join(',')}]}`);
        body = [];
        size = empty;
      }
      body.push(text);
      size += bytes;
    }
    if (body.length > 0) out.push(`${head}${body.join(',')}]}`);
    return out;
  }

  async stop(): Promise<void> {
    this.bus.relayTo(null);
    if (this.presenceTimer) clearInterval(this.presenceTimer);
    if (this.timer) {
      clearTimeout(this.timer);
      this.flush();
    }
    await this.sending;
    await this.stopListening?.();
  }
}
