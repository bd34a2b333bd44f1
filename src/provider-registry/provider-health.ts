// Live health of one provider: its circuit breaker and request counters (seed 004's
// llm_provider_health), snapshotted for storage and the API. On a store shared by several
// instances, breaker transitions are decided in the database (see shared-health-sync.ts):
// the instance whose write changed the state announces it, and a half-open probe is leased
// to one instance; when the database cannot be reached, the breaker decides locally.
import type { ProviderHealthRecord } from '../domain/provider.js';
import { CircuitBreaker, type CircuitState } from '../gateway/breaker.js';
import type { BreakerWrite, HealthCounterDelta, SharedBreakers } from '../store/ports.js';

interface Counters { total: number; successes: number; failures: number; latencySumMs: number }

const zero = (): Counters => ({ total: 0, successes: 0, failures: 0, latencySumMs: 0 });
const add = (a: Counters, b: Counters): Counters => ({ total: a.total + b.total, successes: a.successes + b.successes, failures: a.failures + b.failures, latencySumMs: a.latencySumMs + b.latencySumMs });

/** After another instance kept the probe, this one asks again no sooner than this. */
const PROBE_RETRY_MS = 200;

export interface SharedHealthOptions {
  breakers: SharedBreakers;
  /** How long a probe lease lasts: the provider's timeout and a margin. */
  probeLeaseMs: number;
}

/**
 * What one admitted call reports of its provider, bound to whether it was the half-open
 * circuit's probe (only the probe's verdict or abandonment frees the probe's slot).
 */
export interface AdmittedCall {
  success(latencyMs: number): void;
  failure(retryAfterMs?: number): void;
  abandon(): void;
}

export class ProviderHealth {
  readonly breaker: CircuitBreaker;
  /** The reports of a call and of a probe, made once: every admission hands out one of them. */
  private readonly asCall: AdmittedCall = this.reportFor(false);
  private readonly asProbe: AdmittedCall = this.reportFor(true);
  /** Counters as stored, and those gathered here since the last flush. */
  private base: Counters = zero();
  private pending: Counters = zero();
  lastSuccessAt: number | null = null;
  lastFailureAt: number | null = null;
  private probeHeld = false;
  private probing = false;
  private probeRefusedUntil = 0;
  private writeAppliedAt = 0;

  constructor(
    readonly name: string,
    private threshold: number,
    private openSeconds: number,
    private readonly onChange: (from: CircuitState, to: CircuitState) => void,
    stored?: ProviderHealthRecord,
    private shared?: SharedHealthOptions,
  ) {
    this.breaker = new CircuitBreaker({ threshold, openMs: openSeconds * 1000, onChange });
    if (stored) this.adoptCounters(stored);
  }

  /** A provider's breaker settings changed (through the API, here or on another instance). */
  reconfigure(threshold: number, openSeconds: number, probeLeaseMs: number): void {
    this.threshold = threshold;
    this.openSeconds = openSeconds;
    this.breaker.reconfigure(threshold, openSeconds * 1000);
    if (this.shared) this.shared = { ...this.shared, probeLeaseMs };
  }

  get isShared(): boolean {
    return this.shared !== undefined;
  }

  get total(): number {
    return this.base.total + this.pending.total;
  }

  /**
   * Whether a call may go to this provider now, and if so what it reports back through; a
   * half-open circuit admits one probe (across instances when shared). Synchronous unless a
   * shared half-open circuit asks the database for the probe.
   */
  admit(): AdmittedCall | null | Promise<AdmittedCall | null> {
    if (!this.shared) return this.admitted(this.breaker.acquire());
    const state = this.breaker.state;
    if (state === 'closed') return this.asCall;
    if (state === 'open' || this.probeHeld || this.probing || Date.now() < this.probeRefusedUntil) return null;
    return this.acquireSharedProbe(this.shared);
  }

  private admitted(kind: 'call' | 'probe' | null): AdmittedCall | null {
    return kind === null ? null : kind === 'probe' ? this.asProbe : this.asCall;
  }

  private reportFor(probe: boolean): AdmittedCall {
    return { success: (latencyMs) => this.success(latencyMs, probe), failure: (retryAfterMs) => this.failure(retryAfterMs, probe), abandon: () => this.abandon(probe) };
  }

  private async acquireSharedProbe(shared: SharedHealthOptions): Promise<AdmittedCall | null> {
    this.probing = true;
    try {
      const granted = await shared.breakers.acquireProbe(this.name, shared.probeLeaseMs);
      if (!granted) {
        this.probeRefusedUntil = Date.now() + PROBE_RETRY_MS;
        return null;
      }
      this.probeHeld = true;
      this.apply(granted);
      return this.asProbe;
    } catch {
      return this.admitted(this.breaker.acquire());
    } finally {
      this.probing = false;
    }
  }

  /** `probe`: whether the reporting call held the probe; left out, as it used to be (any probe out is taken as its). */
  success(latencyMs: number, probe?: boolean): void {
    this.pending.total += 1;
    this.pending.successes += 1;
    this.pending.latencySumMs += latencyMs;
    this.lastSuccessAt = Date.now();
    if (!this.shared) return this.breaker.success(probe);
    const wasProbe = probe ?? this.probeHeld;
    if (wasProbe) this.probeHeld = false;
    // Only a success that can change the stored breaker is written: none on a healthy provider.
    if (!wasProbe && this.breaker.state === 'closed' && this.breaker.consecutiveFailures === 0) return;
    const announceHere = wasProbe || this.breaker.state === 'closed' ? this.anticipate('closed', null, 0) : () => undefined;
    this.shared.breakers.success(this.name).then((write) => this.apply(write), announceHere);
  }

  failure(retryAfterMs?: number, probe?: boolean): void {
    this.pending.total += 1;
    this.pending.failures += 1;
    this.lastFailureAt = Date.now();
    if (probe ?? true) this.probeHeld = false;
    if (!this.shared) return this.breaker.failure(retryAfterMs, probe);
    const rule = { threshold: this.threshold, openMs: this.openSeconds * 1000, retryAfterMs: retryAfterMs ?? null };
    const failures = this.breaker.consecutiveFailures + 1;
    const opens = this.breaker.state !== 'closed' || failures >= this.threshold;
    const announceHere = opens
      ? this.anticipate('open', Math.max(this.breaker.openUntilMs, Date.now() + Math.max(rule.openMs, retryAfterMs ?? 0)), failures)
      : this.anticipate('closed', null, failures);
    this.shared.breakers.failure(this.name, rule).then((write) => this.apply(write), announceHere);
  }

  /** A call that never reached a verdict (client cancelled) frees the probe slot, if it held it. */
  abandon(probe?: boolean): void {
    this.breaker.abandon(probe);
    if (probe === false || !this.probeHeld || !this.shared) return;
    this.probeHeld = false;
    this.shared.breakers.releaseProbe(this.name).catch(() => undefined);
  }

  /**
   * What this instance's write will most likely store, taken at once so the next call here is
   * already refused; the database's answer then replaces it (and announces the change). The
   * returned function announces the change here instead, when the database cannot be reached.
   */
  private anticipate(state: CircuitState, openUntil: number | null, failures: number): () => void {
    const from = this.breaker.setState;
    this.writeAppliedAt = Date.now();
    this.breaker.adopt(state, openUntil, failures);
    return () => {
      if (from !== state) this.onChange(from, state);
    };
  }

  /** A write this instance made: its change (if any) is announced here, once. */
  private apply(write: BreakerWrite): void {
    this.writeAppliedAt = Date.now();
    this.breaker.adopt(write.state, write.openUntil, write.failureCount, this.probeHeld);
    if (write.from !== write.state) this.onChange(write.from, write.state);
  }

  /**
   * The stored breaker and counters, as another instance may have changed them, read by a query
   * sent at `readAt`: a write of this instance answered since then is newer, and is kept.
   */
  adoptStored(record: ProviderHealthRecord, openUntil: number | null, readAt: number): void {
    if (readAt > this.writeAppliedAt) this.breaker.adopt(record.circuit_state, openUntil, record.failure_count, this.probeHeld);
    this.adoptCounters(record);
  }

  private adoptCounters(record: ProviderHealthRecord): void {
    this.base = { total: record.total_requests, successes: record.successful_requests, failures: record.failed_requests, latencySumMs: (record.avg_response_time_ms ?? 0) * record.successful_requests };
    this.lastSuccessAt = maxOrNull(this.lastSuccessAt, record.last_success_at);
    this.lastFailureAt = maxOrNull(this.lastFailureAt, record.last_failure_at);
  }

  /** Counters gathered since the last call, handed over to be added to the stored ones. */
  takeDelta(): HealthCounterDelta | null {
    if (this.pending.total === 0) return null;
    const delta = this.pending;
    this.pending = zero();
    this.base = add(this.base, delta);
    return { name: this.name, total: delta.total, successes: delta.successes, failures: delta.failures, latencySumMs: delta.latencySumMs, lastSuccessAt: this.lastSuccessAt, lastFailureAt: this.lastFailureAt };
  }

  /** A delta that could not be stored is kept for the next flush. */
  restoreDelta(delta: HealthCounterDelta): void {
    const counters = { total: delta.total, successes: delta.successes, failures: delta.failures, latencySumMs: delta.latencySumMs };
    this.pending = add(this.pending, counters);
    this.base = add(this.base, { total: -counters.total, successes: -counters.successes, failures: -counters.failures, latencySumMs: -counters.latencySumMs });
  }

  snapshot(): ProviderHealthRecord {
    const counters = add(this.base, this.pending);
    return {
      name: this.name, circuit_state: this.breaker.state, failure_count: this.breaker.consecutiveFailures, total_requests: counters.total,
      successful_requests: counters.successes, failed_requests: counters.failures, avg_response_time_ms: counters.successes > 0 ? counters.latencySumMs / counters.successes : null,
      last_success_at: this.lastSuccessAt, last_failure_at: this.lastFailureAt, updated_at: Date.now(),
    };
  }
}

function maxOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
