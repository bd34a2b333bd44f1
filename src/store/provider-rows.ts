// Provider and provider-health rows as both engines store them: one column order and one
// mapping back, so the engines differ only in how they write a timestamp.
import type { ProviderHealthRecord, ProviderRecord } from '../domain/provider.js';

const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/** The engine's timestamp parameter for epoch ms (null stays null). */
export type TimestampParam = (ms: number | null) => unknown;

export function providerValues(p: ProviderRecord, timestamp: TimestampParam): unknown[] {
  return [
    p.name, p.display_name, p.type, p.provider_type, p.base_url, p.api_key_sealed, JSON.stringify(p.models), p.priority, p.timeout_seconds,
    p.circuit_breaker_threshold, p.circuit_breaker_timeout, p.max_retries, p.is_enabled, p.source, timestamp(p.created_at), timestamp(p.updated_at),
    p.allow_client_key,
  ];
}

export function healthValues(h: ProviderHealthRecord, timestamp: TimestampParam): unknown[] {
  return [
    h.name, h.circuit_state, h.failure_count, h.total_requests, h.successful_requests, h.failed_requests, h.avg_response_time_ms,
    timestamp(h.last_success_at), timestamp(h.last_failure_at), timestamp(h.updated_at),
  ];
}

export function rowToProvider(row: Record<string, unknown>): ProviderRecord {
  return {
    name: String(row.name), display_name: String(row.display_name), type: String(row.type), provider_type: row.provider_type as 'local' | 'remote',
    base_url: String(row.base_url), api_key_sealed: row.api_key_sealed === null ? null : String(row.api_key_sealed), models: JSON.parse(String(row.models)) as string[],
    priority: Number(row.priority), timeout_seconds: Number(row.timeout_seconds), circuit_breaker_threshold: Number(row.circuit_breaker_threshold),
    circuit_breaker_timeout: Number(row.circuit_breaker_timeout), max_retries: Number(row.max_retries), is_enabled: Boolean(row.is_enabled),
    source: row.source as 'config' | 'api', created_at: Number(row.created_at), updated_at: Number(row.updated_at),
    allow_client_key: row.allow_client_key === true,
  };
}

export function rowToHealth(row: Record<string, unknown>): ProviderHealthRecord {
  return {
    name: String(row.name), circuit_state: row.circuit_state as ProviderHealthRecord['circuit_state'], failure_count: Number(row.failure_count),
    total_requests: Number(row.total_requests), successful_requests: Number(row.successful_requests), failed_requests: Number(row.failed_requests),
    avg_response_time_ms: numberOrNull(row.avg_response_time_ms), last_success_at: numberOrNull(row.last_success_at), last_failure_at: numberOrNull(row.last_failure_at),
    updated_at: Number(row.updated_at),
  };
}
