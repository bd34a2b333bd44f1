// The upstream error catalogue: every failure a provider call can end in, with the HTTP status
// the client gets, an OpenAI-style type, and whether retrying or the circuit breaker applies.

export const UPSTREAM_ERROR_KINDS = [
  'rate_limited',
  'server_error',
  'timeout',
  'connection',
  'invalid_response',
  'bad_request',
  'auth',
] as const;
export type UpstreamErrorKind = (typeof UPSTREAM_ERROR_KINDS)[number];

interface KindSpec {
  /** Status for the client when the upstream gave none (or gave one we must not echo). */
  status: number;
  /** OpenAI-style `error.type`, so OpenAI SDKs classify the failure sensibly. */
  type: string;
  isRetryable: boolean;
  /** Whether the failure says something about the provider's health (breaker input). */
  isProviderFailure: boolean;
}

export const ERROR_CATALOGUE: Readonly<Record<UpstreamErrorKind, KindSpec>> = Object.freeze({
  rate_limited: { status: 429, type: 'rate_limit_error', isRetryable: true, isProviderFailure: true },
  server_error: { status: 502, type: 'server_error', isRetryable: true, isProviderFailure: true },
  timeout: { status: 504, type: 'timeout_error', isRetryable: true, isProviderFailure: true },
  connection: { status: 502, type: 'api_connection_error', isRetryable: true, isProviderFailure: true },
  invalid_response: { status: 502, type: 'invalid_response_error', isRetryable: true, isProviderFailure: true },
  bad_request: { status: 400, type: 'invalid_request_error', isRetryable: false, isProviderFailure: false },
  auth: { status: 401, type: 'authentication_error', isRetryable: false, isProviderFailure: false },
});

export interface UpstreamErrorDetails {
  message: string;
  /** Machine code: the provider's own code when it sent one, else the kind. */
  code?: string | null;
  /** Status the upstream answered with, when there was an HTTP answer at all. */
  upstreamStatus?: number | null;
  /** Overrides the catalogue's status for the client (e.g. echoing an upstream 404). */
  status?: number;
  retryAfterMs?: number | null;
  /** Overrides the catalogue (e.g. a 429 for exhausted quota is not worth retrying). */
  isRetryable?: boolean;
  param?: string | null;
}

export class UpstreamError extends Error {
  readonly kind: UpstreamErrorKind;
  readonly status: number;
  readonly upstreamStatus: number | null;
  readonly code: string;
  readonly type: string;
  readonly isRetryable: boolean;
  readonly isProviderFailure: boolean;
  readonly retryAfterMs: number | null;
  readonly param: string | null;

  constructor(kind: UpstreamErrorKind, details: UpstreamErrorDetails) {
    super(details.message);
    const spec = ERROR_CATALOGUE[kind];
    this.name = 'UpstreamError';
    this.kind = kind;
    this.status = details.status ?? spec.status;
    this.upstreamStatus = details.upstreamStatus ?? null;
    this.code = details.code ?? kind;
    this.type = spec.type;
    this.isRetryable = details.isRetryable ?? spec.isRetryable;
    this.isProviderFailure = spec.isProviderFailure;
    this.retryAfterMs = details.retryAfterMs ?? null;
    this.param = details.param ?? null;
  }

  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      status: this.status,
      upstreamStatus: this.upstreamStatus,
      code: this.code,
      type: this.type,
      message: this.message,
      isRetryable: this.isRetryable,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

export function upstreamError(kind: UpstreamErrorKind, details: UpstreamErrorDetails): UpstreamError {
  return new UpstreamError(kind, details);
}

export function isUpstreamError(value: unknown): value is UpstreamError {
  return value instanceof UpstreamError;
}

/** Which kind an upstream HTTP status means. 2xx never reaches here except as a misuse. */
export function kindForStatus(status: number): UpstreamErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 400 && status < 500) return 'bad_request';
  if (status >= 500 && status < 600) return 'server_error';
  return 'invalid_response';
}

/** The status a client should see for an upstream status: standard codes pass through. */
export function clientStatusFor(kind: UpstreamErrorKind, upstreamStatus: number): number {
  if (kind === 'invalid_response' || kind === 'timeout') return ERROR_CATALOGUE[kind].status;
  // 529 (Anthropic "overloaded") and other non-standard codes confuse HTTP clients.
  if (upstreamStatus > 504 && upstreamStatus < 600) return 503;
  if (upstreamStatus >= 400 && upstreamStatus < 600) return upstreamStatus;
  return ERROR_CATALOGUE[kind].status;
}
