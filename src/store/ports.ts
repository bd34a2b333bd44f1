// Repository ports: everything above the store speaks to these interfaces, so the embedded
// DuckDB store and the PostgreSQL store are interchangeable.
import type { CallRecord, CallStatus } from '../domain/call-record.js';
import type { ApiKeySettings, ApiKeyRecord } from '../domain/api-key.js';
import type { Project } from '../domain/project.js';
import type { Budget } from '../domain/budget.js';
import type { AlertEvent, AlertRule, WebhookStatus } from '../domain/alert.js';
import type { Suggestion } from '../domain/suggestion.js';
import type { PriceOverride } from '../domain/price-override.js';
import type { ProviderHealthRecord, ProviderRecord } from '../domain/provider.js';
import type { OutcomeRecord, OutcomeStatus } from '../domain/outcome.js';

/** Filters shared by the logs, analytics and export routes. Times are epoch ms, `to` exclusive. */
export interface CallFilters {
  projectId: string;
  from?: number;
  to?: number;
  provider?: string[];
  model?: string[];
  status?: CallStatus[];
  userId?: string;
  sessionId?: string;
  traceId?: string;
  /** The API path the call was made on (`/v1/chat/completions`, `/v1/messages`, `/v1/responses`). */
  endpoint?: string;
  agent?: string;
  tag?: string;
  accountId?: string;
  /** The Loupe key that made or recorded the call (a gateway key, or the key that sent the record). */
  apiKeyId?: string;
  properties?: Record<string, string>;
  /** Substring, case-insensitive, in the prompt or the response. */
  search?: string;
}

export const LOG_SORT_COLUMNS = ['started_at', 'latency_ms', 'cost_usd', 'total_tokens', 'ttft_ms', 'model', 'provider', 'status'] as const;
export type LogSortColumn = (typeof LOG_SORT_COLUMNS)[number];

export interface LogQuery {
  filters: CallFilters;
  sort: LogSortColumn;
  order: 'asc' | 'desc';
  limit: number;
  /** Opaque keyset cursor from a previous page; wins over `page`. */
  cursor?: string;
  /** 1-based page number, for clients that page by number. */
  page?: number;
  /** Whether to count all matching rows (costly on large ranges; on by default for page mode). */
  withTotal?: boolean;
}

/** A log row without the (possibly large) input and output. */
export type CallSummary = Omit<CallRecord, 'input' | 'output' | 'params'>;

export interface LogPage {
  items: CallSummary[];
  nextCursor: string | null;
  total: number | null;
}

export type InsertOutcome = 'created' | 'duplicate' | 'conflict';

export interface CallWrite {
  call: CallRecord;
  /** Hash of the submitted body: the same id with another body is a conflict. */
  bodyHash: string;
  /**
   * The id came from the client, so it may repeat. Server-generated UUIDv7 ids cannot, and
   * skip the idempotency lookup (the primary key still guards them).
   */
  clientId?: boolean;
  /** input/output already serialized by the caller, so large content is stringified once. */
  inputJson?: string | null;
  outputJson?: string | null;
  /** The distinct words of input and output (search-words.ts), when taken while preparing. */
  searchWords?: string;
}

export type RepriceRates =
  | { kind: 'tokens'; source: 'catalog' | 'override'; inputPerToken: number; cacheReadPerToken: number; cacheWritePerToken: number; outputPerToken: number }
  | { kind: 'local'; perHour: number };

export interface RepriceRequest {
  projectId: string;
  model: string;
  from?: number;
  to?: number;
  rates: RepriceRates;
}

export interface CallRepository {
  /** Re-prices stored calls of a model; calls whose cost the client reported are left alone. */
  reprice(request: RepriceRequest): Promise<number>;
  /** Inserts in one transaction; a known id is `duplicate` (same body) or `conflict`. */
  insertBatch(writes: CallWrite[]): Promise<InsertOutcome[]>;
  /** Whether insertBatch keeps CallWrite.searchWords (its search index reads them): writers take them only then. */
  readonly keepsSearchWords: boolean;
  get(projectId: string, id: string): Promise<CallRecord | null>;
  list(query: LogQuery): Promise<LogPage>;
  deleteByIds(projectId: string, ids: string[]): Promise<number>;
  count(projectId: string): Promise<number>;
  /** Retention: removes every call (of every project) that started before `before`, a UTC midnight. */
  purgeBefore(before: number): Promise<number>;
}

export interface ProjectRepository {
  /** Creates the project unless it exists; `createdAt` (default now) lets a copy keep the original. */
  ensure(id: string, name: string, createdAt?: number): Promise<Project>;
  get(id: string): Promise<Project | null>;
  list(): Promise<Project[]>;
  /** The project as changed, or null when it does not exist. */
  setCaptureContent(id: string, capture: boolean): Promise<Project | null>;
}

export interface ApiKeyRepository {
  insert(key: ApiKeyRecord): Promise<void>;
  findByHash(hash: string): Promise<ApiKeyRecord | null>;
  get(projectId: string, id: string): Promise<ApiKeyRecord | null>;
  list(projectId: string): Promise<ApiKeyRecord[]>;
  revoke(projectId: string, id: string, at: number): Promise<boolean>;
  /** Sets the settings of an active key; false when the project has no such active key. */
  updateSettings(projectId: string, id: string, settings: ApiKeySettings): Promise<boolean>;
  countActive(): Promise<number>;
}

/** Read-only SQL for the analytics layer, which compiles its own queries per dialect. */
export interface SqlReader {
  readonly dialect: 'duckdb' | 'postgres';
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /**
   * Hands memory the engine has freed back to the operating system, for long reads (the
   * export) that would otherwise hold it as resident; absent where the engine needs no help.
   */
  releaseFreedMemory?(): Promise<void>;
  /**
   * Drops the table blocks the engine keeps cached after a long read, if nothing else is
   * running; answers whether it did. Absent where the engine bounds its cache itself.
   */
  trimCachedBlocks?(): Promise<boolean>;
}

export interface Store {
  readonly kind: 'duckdb' | 'postgres';
  readonly calls: CallRepository;
  readonly projects: ProjectRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly sql: SqlReader;
  readonly priceOverrides: PriceOverrideRepository;
  readonly budgets: BudgetRepository;
  readonly alerts: AlertRepository;
  readonly suggestions: SuggestionRepository;
  // @anchor pricing
  readonly providers: ProviderRepository;
  // @anchor gateway
  readonly outcomes: OutcomeRepository;
  readonly researchConfig: ResearchConfigRepository;
  // @anchor outcomes
  // @anchor live
  /** Messages between the instances sharing this store; absent on a single-process store. */
  readonly broadcast?: StoreBroadcast;
  /** Rate-limit counts shared by the instances on this store; absent on a single-process store. */
  readonly rateUsage?: SharedRateUsage;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What one key used in one second: one instance's count, or the others' summed. */
export interface RateCount {
  keyId: string;
  /** Epoch second. */
  second: number;
  requests: number;
  tokens: number;
}

export interface SharedRateUsage {
  /** Adds this instance's counts, and reads the other instances' counts of the seconds after `sinceSecond`. */
  exchange(instance: string, counts: readonly RateCount[], sinceSecond: number): Promise<RateCount[]>;
  /** Drops the counts of the seconds before `beforeSecond`. */
  prune(beforeSecond: number): Promise<void>;
}

export interface StoreBroadcast {
  /** Sends to every instance on the store, this one included. */
  send(message: string): Promise<void>;
  /** Resolves once listening; the returned function stops it. */
  listen(listener: (message: string) => void): Promise<() => Promise<void>>;
}

export interface OutcomeListQuery {
  projectId: string;
  target?: string;
  targetType?: 'call' | 'session';
  /** Outcomes on the session or on any of its calls. */
  sessionId?: string;
  name?: string;
  status?: OutcomeStatus[];
  /** On created_at, epoch ms, `to` exclusive. */
  from?: number;
  to?: number;
  /** Only outcomes whose deciding call (the target call, or a target session's last call, as
   * in the outcome analytics) matches these, its start time included. */
  decidingCall?: CallFilters;
  limit: number;
  offset: number;
}

export type OutcomePatch = Partial<Pick<OutcomeRecord, 'status' | 'value' | 'closed_at' | 'lesson' | 'properties'>>;

export interface OutcomeRepository {
  /** Inserts new outcomes in one transaction; an existing id is replaced only when `upsert` is set, else refused. */
  insertMany(outcomes: OutcomeRecord[], options?: { upsert?: boolean }): Promise<void>;
  get(projectId: string, id: string): Promise<OutcomeRecord | null>;
  /** The subset of `ids` already taken (in any project: ids are global keys). */
  existingIds(ids: string[]): Promise<string[]>;
  update(projectId: string, id: string, patch: OutcomePatch): Promise<OutcomeRecord | null>;
  list(query: OutcomeListQuery): Promise<{ items: OutcomeRecord[]; total: number }>;
}

/** Seed 000's research loop configuration: one validated JSON document per project. */
export interface ResearchConfigRepository {
  get(projectId: string): Promise<{ document: unknown; updated_at: number } | null>;
  put(projectId: string, document: unknown, at: number): Promise<void>;
}

export interface PriceOverrideRepository {
  /** Every project's overrides (pricing keeps them in memory). */
  all(): Promise<PriceOverride[]>;
  upsert(override: PriceOverride): Promise<void>;
  delete(projectId: string, model: string): Promise<boolean>;
}

export interface AlertEventQuery {
  /** Every project's when absent (a copy of the store). */
  projectId?: string;
  ruleId?: string;
  /** Only open (true) or only resolved (false) events. */
  open?: boolean;
  limit: number;
}

export interface AlertRepository {
  /** Every project's rules when `projectId` is absent (the evaluator reads them all). */
  listRules(projectId?: string): Promise<AlertRule[]>;
  getRule(projectId: string, id: string): Promise<AlertRule | null>;
  /** Inserts the rule, or replaces the stored one with the same id. */
  putRule(rule: AlertRule): Promise<void>;
  deleteRule(projectId: string, id: string): Promise<boolean>;
  /**
   * Opens `event` unless its rule already has an open event; false when it had (opened
   * meanwhile by another instance, which then tells of it).
   */
  openEvent(event: AlertEvent): Promise<boolean>;
  /** Resolves the rule's open event, if any: the event as resolved, or null (another instance resolved it, or none was open). */
  resolveOpen(projectId: string, ruleId: string, resolvedAt: number, resolvedValue: number | null): Promise<AlertEvent | null>;
  setWebhookStatus(projectId: string, eventId: string, status: WebhookStatus): Promise<void>;
  /** Newest first. */
  listEvents(query: AlertEventQuery): Promise<AlertEvent[]>;
  /** Inserts an event as it is, or replaces the stored one with the same id (a copy of the store). */
  putEvent(event: AlertEvent): Promise<void>;
}

export interface SuggestionRepository {
  /** Every project's when absent (a copy of the store); newest first. */
  list(projectId?: string): Promise<Suggestion[]>;
  get(projectId: string, id: string): Promise<Suggestion | null>;
  /** Inserts the suggestion, or replaces the stored one with the same id. */
  put(suggestion: Suggestion): Promise<void>;
  delete(projectId: string, id: string): Promise<boolean>;
}

export interface BudgetRepository {
  list(projectId?: string): Promise<Budget[]>;
  get(projectId: string, id: string): Promise<Budget | null>;
  insert(budget: Budget): Promise<void>;
  update(budget: Budget): Promise<void>;
  delete(projectId: string, id: string): Promise<boolean>;
  /** Spend and holds shared by every instance on the store; absent where one process owns the store. */
  readonly ledger?: BudgetLedger;
}

/** One budget's counter for one period, as the ledger keys it (period start in epoch ms). */
export interface BudgetPeriodKey { budgetId: string; periodStart: number }

/** A threshold of a budget's amount that a spend increment crossed first, across instances. */
export interface BudgetCrossing { budgetId: string; threshold: number; spentNanos: number; amountUsd: number }

/**
 * Budget spend and holds kept in the database, so instances sharing it enforce one limit.
 * Amounts are integer nano-dollars. Every method is one atomic step in the database.
 */
export interface BudgetLedger {
  /** Creates the period's counter when missing, starting from `spentNanos` (the stored calls); returns whether it was created. */
  ensurePeriod(key: BudgetPeriodKey, spentNanos: number): Promise<boolean>;
  /**
   * Checks every block budget among `keys` (amount, action and is_active read from the budgets
   * table now) against spent + unexpired holds + `amountNanos`, and holds `amountNanos` on each
   * key under `holdId` until `expiresInMs` from now; nothing is held when one refuses.
   */
  reserve(holdId: string, keys: BudgetPeriodKey[], amountNanos: number, expiresInMs: number): Promise<{ refusedBudgetId: string; committedNanos: number } | null>;
  /** Deletes the hold `holdId` (when given) and adds the increments, in one transaction; returns the thresholds crossed. */
  settle(holdId: string | null, increments: (BudgetPeriodKey & { nanos: number })[]): Promise<BudgetCrossing[]>;
  /** Pushes back the expiry of live holds (their instance is alive). */
  extend(holdIds: string[], expiresInMs: number): Promise<void>;
  /** Spent in the period and held now (unexpired). */
  usage(key: BudgetPeriodKey): Promise<{ spentNanos: number; heldNanos: number } | null>;
  /** `usage` of each key in one round trip, in the order given. */
  usages(keys: BudgetPeriodKey[]): Promise<({ spentNanos: number; heldNanos: number } | null)[]>;
}

export interface ProviderRepository {
  list(): Promise<ProviderRecord[]>;
  upsert(provider: ProviderRecord): Promise<void>;
  delete(name: string): Promise<boolean>;
  listHealth(): Promise<ProviderHealthRecord[]>;
  saveHealth(health: ProviderHealthRecord): Promise<void>;
  /** Circuit breakers shared by every instance on the store; absent where one process owns the store. */
  readonly breakers?: SharedBreakers;
}

export type SharedCircuitState = 'closed' | 'open' | 'half_open';

/** A breaker as the database holds it; `openUntil` in epoch ms (null unless open or half-open). */
export interface SharedBreakerState { name: string; state: SharedCircuitState; openUntil: number | null; failureCount: number }

/** The state after a write, and the state before it (equal when nothing changed). */
export interface BreakerWrite extends SharedBreakerState { from: SharedCircuitState }

/** Counters gathered since the last flush, added to the stored totals. */
export interface HealthCounterDelta { name: string; total: number; successes: number; failures: number; latencySumMs: number; lastSuccessAt: number | null; lastFailureAt: number | null }

/**
 * Breaker transitions decided atomically in the database, so the instance whose write changes
 * a state is the one that announces it, and a half-open probe is leased to one instance.
 */
export interface SharedBreakers {
  failure(name: string, rule: { threshold: number; openMs: number; retryAfterMs: number | null }): Promise<BreakerWrite>;
  /** A success closes a closed (resets its count) or half-open breaker; an open one stays open. */
  success(name: string): Promise<BreakerWrite>;
  /** Leases the half-open probe to the caller for `leaseMs`; null when open, closed, or leased elsewhere. */
  acquireProbe(name: string, leaseMs: number): Promise<BreakerWrite | null>;
  releaseProbe(name: string): Promise<void>;
  addCounters(deltas: HealthCounterDelta[]): Promise<void>;
  /** Every breaker, with the stored counters. */
  states(): Promise<(SharedBreakerState & { health: ProviderHealthRecord })[]>;
}
