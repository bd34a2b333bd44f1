// Settings every instance holds in memory (providers, cost settings, content switches), kept in
// step across the instances sharing a store. An instance that changes one tells the others
// through the store's broadcast once the change is stored, and they read that setting again at
// once; every REFRESH_MS each reads them all again anyway, so a notice lost while an instance
// was reconnecting delays a change by at most that long.
import { randomUUID } from 'node:crypto';
import type { StoreBroadcast } from '../store/ports.js';

export const SETTINGS_REFRESH_MS = 10_000;

/** A setting held in memory: read again from the store, and announcing the changes made here. */
export interface SharedSetting {
  refresh(): Promise<void>;
  onLocalChange: () => void;
}

/**
 * Changes a setting made here, counted so that a read of the store begun before one of them is
 * not taken over it: such a read is made again (a few times; the next refresh reads anyway).
 */
export class LocalChanges {
  private count = 0;

  made(): void {
    this.count++;
  }

  /** What `load` read with no change made here meanwhile; null when every attempt crossed one. */
  async read<T>(load: () => Promise<T>): Promise<T | null> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = this.count;
      const value = await load();
      if (before === this.count) return value;
    }
    return null;
  }
}

interface Notice {
  origin: string;
  settings: string;
}

interface RefreshState {
  setting: SharedSetting;
  running: Promise<void> | null;
  /** A notice came while a refresh ran: that read may have come before the change. */
  again: boolean;
}

export class CrossInstanceSettings {
  private readonly origin = randomUUID();
  private readonly states = new Map<string, RefreshState>();
  private timer: NodeJS.Timeout | null = null;
  private stopListening: (() => Promise<void>) | null = null;
  private sending: Promise<void> = Promise.resolve();

  private constructor(private readonly broadcast: StoreBroadcast, private readonly onError: (error: unknown, setting: string) => void) {}

  static async start(broadcast: StoreBroadcast, settings: Record<string, SharedSetting>, onError: (error: unknown, setting: string) => void, refreshMs = SETTINGS_REFRESH_MS): Promise<CrossInstanceSettings> {
    const sync = new CrossInstanceSettings(broadcast, onError);
    for (const [name, setting] of Object.entries(settings)) {
      sync.states.set(name, { setting, running: null, again: false });
      setting.onLocalChange = () => sync.announce(name);
    }
    sync.stopListening = await broadcast.listen((message) => sync.received(message));
    sync.timer = setInterval(() => {
      for (const name of sync.states.keys()) sync.refresh(name);
    }, refreshMs);
    sync.timer.unref();
    return sync;
  }

  private announce(name: string): void {
    const notice: Notice = { origin: this.origin, settings: name };
    this.sending = this.sending.then(() => this.broadcast.send(JSON.stringify(notice))).catch((error: unknown) => this.onError(error, name));
  }

  private received(message: string): void {
    let notice: Partial<Notice>;
    try {
      notice = JSON.parse(message) as Partial<Notice>;
    } catch {
      return;
    }
    if (notice.origin === this.origin || typeof notice.settings !== 'string') return;
    if (this.states.has(notice.settings)) this.refresh(notice.settings);
  }

  /** Reads one setting again; one read at a time, followed by another if a notice came meanwhile. */
  refresh(name: string): Promise<void> {
    const state = this.states.get(name);
    if (!state) return Promise.resolve();
    if (state.running) {
      state.again = true;
      return state.running;
    }
    state.running = (async () => {
      do {
        state.again = false;
        await state.setting.refresh().catch((error: unknown) => this.onError(error, name));
      } while (state.again);
      state.running = null;
    })();
    return state.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sending;
    await this.stopListening?.();
    await Promise.all([...this.states.values()].map((state) => state.running));
    for (const state of this.states.values()) state.setting.onLocalChange = () => undefined;
  }
}
