// A circuit breaker per provider: closed → open after `threshold` consecutive failures;
// open for `openMs` (a failure while open extends it; a 429's Retry-After can set it);
// then half-open lets exactly one probe through → closed on success, open again on failure.
export type CircuitState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  threshold: number;
  openMs: number;
  onChange?(from: CircuitState, to: CircuitState): void;
}

export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openUntil = 0;
  private probeInFlight = false;
  private readonly options: BreakerOptions;

  constructor(options: Readonly<BreakerOptions>, private readonly now: () => number = Date.now) {
    this.options = { ...options };
  }

  /** The state as of now: an open circuit whose time is up reads as half-open. */
  get state(): CircuitState {
    if (this.current === 'open' && this.now() >= this.openUntil) return 'half_open';
    return this.current;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Whether a call may go to this provider now; a half-open circuit admits one probe. */
  tryAcquire(): boolean {
    return this.acquire() !== null;
  }

  /** As tryAcquire, saying whether the call admitted is the half-open circuit's probe. */
  acquire(): 'call' | 'probe' | null {
    const state = this.state;
    if (state === 'closed') return 'call';
    if (state === 'open') return null;
    if (this.probeInFlight) return null;
    this.probeInFlight = true;
    this.transition('half_open');
    return 'probe';
  }

  /**
   * `probe`: whether the call reporting is the probe. Only the probe's verdict frees its slot; a
   * call admitted before the circuit opened, answering late, must not let a second probe through.
   * Left out, the call is taken for the probe whenever one is out (a caller that does not track it).
   */
  success(probe?: boolean): void {
    this.failures = 0;
    if (probe ?? true) this.probeInFlight = false;
    this.transition('closed');
  }

  /** `retryAfterMs` (from a 429) keeps the circuit open at least that long once it opens. */
  failure(retryAfterMs?: number, probe?: boolean): void {
    this.failures += 1;
    const wasProbe = probe ?? this.probeInFlight;
    if (wasProbe) this.probeInFlight = false;
    const state = this.state;
    if (wasProbe || state === 'open' || state === 'half_open' || this.failures >= this.options.threshold) {
      this.openUntil = this.now() + Math.max(this.options.openMs, retryAfterMs ?? 0);
      this.transition('open');
    }
  }

  /** A call that never reached a verdict (client cancelled) frees the probe slot, if it held it. */
  abandon(probe?: boolean): void {
    if (probe ?? true) this.probeInFlight = false;
  }

  /** New settings apply from the next failure; the current state and count are kept. */
  reconfigure(threshold: number, openMs: number): void {
    this.options.threshold = threshold;
    this.options.openMs = openMs;
  }

  /** The state as last set (an open circuit stays `open` here once its time is up). */
  get setState(): CircuitState {
    return this.current;
  }

  /** When the circuit may next be probed (epoch ms; 0 unless open). */
  get openUntilMs(): number {
    return this.current === 'closed' ? 0 : this.openUntil;
  }

  /**
   * Takes the state another instance wrote to the shared store, without announcing it (the
   * instance that changed it did). A probe this instance holds stays held while half-open.
   */
  adopt(state: CircuitState, openUntil: number | null, failures: number, probeHeldHere = false): void {
    this.current = state;
    this.openUntil = openUntil ?? 0;
    this.failures = failures;
    if (state !== 'half_open') this.probeInFlight = false;
    else if (probeHeldHere) this.probeInFlight = true;
  }

  private transition(to: CircuitState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.options.onChange?.(from, to);
  }
}
