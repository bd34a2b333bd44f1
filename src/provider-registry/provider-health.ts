// Live health of one provider: its circuit breaker and request counters (seed 004's
// llm_provider_health), snapshotted for storage and the API.
import type { ProviderHealthRecord } from '../domain/provider.js';
import { CircuitBreaker, type CircuitState } from '../gateway/breaker.js';

export class ProviderHealth {
  readonly breaker: CircuitBreaker;
  total = 0;
  successes = 0;
  failures = 0;
  private latencySum = 0;
  lastSuccessAt: number | null = null;
  lastFailureAt: number | null = null;

  constructor(readonly name: string, threshold: number, openSeconds: number, onChange: (from: CircuitState, to: CircuitState) => void, stored?: ProviderHealthRecord) {
    this.breaker = new CircuitBreaker({ threshold, openMs: openSeconds * 1000, onChange });
    if (stored) {
      this.total = stored.total_requests;
      this.successes = stored.successful_requests;
      this.failures = stored.failed_requests;
      this.latencySum = (stored.avg_response_time_ms ?? 0) * stored.successful_requests;
      this.lastSuccessAt = stored.last_success_at;
      this.lastFailureAt = stored.last_failure_at;
    }
  }

  success(latencyMs: number): void {
    this.total += 1;
    this.successes += 1;
    this.latencySum += latencyMs;
    this.lastSuccessAt = Date.now();
    this.breaker.success();
  }

  failure(retryAfterMs?: number): void {
    this.total += 1;
    this.failures += 1;
    this.lastFailureAt = Date.now();
    this.breaker.failure(retryAfterMs);
  }

  snapshot(): ProviderHealthRecord {
    return {
      name: this.name, circuit_state: this.breaker.state, failure_count: this.breaker.consecutiveFailures, total_requests: this.total,
      successful_requests: this.successes, failed_requests: this.failures, avg_response_time_ms: this.successes > 0 ? this.latencySum / this.successes : null,
      last_success_at: this.lastSuccessAt, last_failure_at: this.lastFailureAt, updated_at: Date.now(),
    };
  }
}
