// In-process publish/subscribe for live events. Producers (recorder, gateway, budgets,
// alerts) publish per project; the WebSocket route subscribes. Listeners must not throw
// or block: a slow consumer is the listener's problem to bound, never the publisher's.

export const LIVE_EVENT_TYPES = [
  'log_created', 'log_updated', 'log_deleted', 'stats_updated',
  'provider_status_changed', 'alert_triggered', 'alert_resolved', 'budget_exceeded',
] as const;
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

export interface LiveEvent {
  type: LiveEventType;
  data: unknown;
  /** ISO-8601. */
  timestamp: string;
}

export type LiveListener = (event: LiveEvent) => void;

/** Events for every project go to listeners subscribed with this id (ops, provider health). */
export const ALL_PROJECTS = '*';

/** Carries events to the other instances on the same store (see cross-instance-events.ts). */
export interface LiveRelay {
  send(projectId: string, event: LiveEvent): void;
  /** Whether another instance has subscribers now. */
  readonly hasAudience: boolean;
}

export class LiveEventBus {
  private readonly listeners = new Map<string, Set<LiveListener>>();
  private relay: LiveRelay | null = null;

  /** `projectId` ALL_PROJECTS reaches every subscriber (provider health is not per project). */
  publish(projectId: string, type: LiveEventType, data: unknown): void {
    const event: LiveEvent = { type, data, timestamp: new Date().toISOString() };
    if (this.relay?.hasAudience) this.relay.send(projectId, event);
    this.deliver(projectId, event);
  }

  /** Hands an event to this instance's subscribers only (events from other instances). */
  deliver(projectId: string, event: LiveEvent): void {
    const targets = projectId === ALL_PROJECTS ? [...this.listeners.values()] : [this.listeners.get(projectId), this.listeners.get(ALL_PROJECTS)];
    for (const set of targets) {
      if (!set) continue;
      for (const listener of set) {
        try {
          listener(event);
        } catch {
          // A failing subscriber must not stop delivery to the others or fail the publisher.
        }
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(projectId: string, listener: LiveListener): () => void {
    let set = this.listeners.get(projectId);
    if (!set) {
      set = new Set();
      this.listeners.set(projectId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(projectId);
    };
  }

  relayTo(relay: LiveRelay | null): void {
    this.relay = relay;
  }

  /** Whether anyone may hear an event: a subscriber here or on another instance. */
  get hasAudience(): boolean {
    return this.listeners.size > 0 || this.relay?.hasAudience === true;
  }

  get subscriberCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }
}
