// Budget enforcement for instances sharing one database. The check and the hold are one
// atomic statement in the database (the ledger), so a worst case held by one instance counts
// for all of them. A gateway call's recorded cost replaces its hold in one transaction when the
// reservation is settled; other recorded calls (ingestion) are counted in small batches. Live
// holds are extended while their instance runs; a dead instance's holds expire. While the
// database cannot be reached, block budgets are checked against what this instance last read
// of their counters plus the costs it has counted since.
import { randomUUID } from 'node:crypto';
import { budgetPeriod, type Budget } from '../domain/budget.js';
import type { CallRecord } from '../domain/call-record.js';
import type { LiveEventBus } from '../live/event-bus.js';
import type { BudgetCrossing, BudgetLedger, BudgetPeriodKey, Store } from '../store/ports.js';
import { announceCrossing, BudgetExceededError, NO_RESERVATION, toNanos, toUsd, worstCaseNanos, type BudgetGuard, type BudgetReservation, type BudgetScopeKeys, type BudgetStatus } from './budget-guard.js';
import { budgetApplies, keysOfCall, spentInPeriod, type ScopeKeys } from './budget-usage.js';
import { counterId, LastKnownCounters } from './last-known-counters.js';

export interface SharedBudgetGuardOptions {
  holdTtlMs?: number;
  now?: () => number;
  /** Told when a call was checked without the database because it did not answer. */
  onUnavailable?: (error: unknown) => void;
}

/** A dead instance's holds are given back after this long. */
export const DEFAULT_HOLD_TTL_MS = 30_000;
/** Budgets created, changed or deleted through another instance are seen within this long. */
const LIST_TTL_MS = 2_000;
/** Ingested calls' costs are counted in batches this often. */
const FLUSH_MS = 20;
/** After the database failed to take a batch, it is tried again this much later. */
const RETRY_MS = 1_000;
const UNAVAILABLE_TELL_MS = 10_000;
/** Calls kept per project while its budgets cannot be read (the database is away). */
const MAX_UNLISTED_CALLS = 10_000;

const keyOf = (key: BudgetPeriodKey) => counterId(key.budgetId, key.periodStart);

interface SharedReservation {
  holdId: string;
  /** Whether a hold row was written (an unpriced call holds nothing). */
  held: boolean;
  keys: Set<string>;
  /** Costs of the request's recorded attempts, by period key, counted when it settles. */
  increments: Map<string, BudgetPeriodKey & { nanos: number }>;
  done: boolean;
}

interface ProjectBudgets { budgets: Budget[]; loadedAt: number; loading: Promise<void> | null }

export class SharedBudgetGuard implements BudgetGuard {
  private readonly projects = new Map<string, ProjectBudgets>();
  private readonly byId = new Map<string, Budget>();
  /** Period counters known to exist in the database. */
  private readonly ensured = new Set<string>();
  /** Current period counters whose next period's counter exists too. */
  private readonly prepared = new Set<string>();
  private readonly ensuring = new Map<string, Promise<void>>();
  private readonly pendingByRequest = new Map<string, SharedReservation>();
  /** Calls recorded for a project whose budgets are being read. */
  private readonly unlisted = new Map<string, CallRecord[]>();
  private readonly listing = new Set<string>();
  private readonly live = new Set<SharedReservation>();
  private queued = new Map<string, BudgetPeriodKey & { nanos: number }>();
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly inflight = new Set<Promise<unknown>>();
  /** Give-backs of finished calls on their way to the database. */
  private readonly settling = new Set<Promise<unknown>>();
  /** Counters of the budgets' current periods, read again for the checks made while the database is away. */
  private readonly watched = new Map<string, BudgetPeriodKey>();
  private readonly known = new LastKnownCounters();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly holdTtlMs: number;
  private readonly now: () => number;
  private readonly onUnavailable: (error: unknown) => void;
  private unavailableToldAt = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(private readonly store: Store, private readonly ledger: BudgetLedger, private readonly bus: LiveEventBus, options: SharedBudgetGuardOptions = {}) {
    this.holdTtlMs = options.holdTtlMs ?? DEFAULT_HOLD_TTL_MS;
    this.now = options.now ?? Date.now;
    this.onUnavailable = options.onUnavailable ?? (() => undefined);
    // Extended three times per lifetime: a missed beat or two does not let a live hold lapse.
    // The counters are read again on the same beat, for the checks made during an outage.
    this.heartbeat = setInterval(() => {
      this.extendLiveHolds();
      this.refreshKnown();
    }, Math.max(100, this.holdTtlMs / 3));
    this.heartbeat.unref();
  }

  async reload(projectId: string): Promise<void> {
    const budgets = await this.store.budgets.list(projectId);
    const previous = this.projects.get(projectId);
    for (const budget of previous?.budgets ?? []) this.byId.delete(budget.id);
    for (const budget of budgets) this.byId.set(budget.id, budget);
    this.projects.set(projectId, { budgets, loadedAt: this.now(), loading: null });
  }

  /** The project's budgets; a stale list is used once more while a fresh one loads in the background. */
  private async budgetsOf(projectId: string): Promise<Budget[]> {
    const known = this.projects.get(projectId);
    if (!known) {
      await this.reload(projectId);
      return this.projects.get(projectId)?.budgets ?? [];
    }
    if (this.now() - known.loadedAt > LIST_TTL_MS && !known.loading) {
      known.loading = this.track(this.reload(projectId)).catch(() => {
        known.loading = null;
      });
    }
    return known.budgets;
  }

  /** Makes sure the counter of the budget's period at `now` (and of the next one) exists. */
  private ensurePeriod(budget: Budget, now: number): Promise<BudgetPeriodKey> | BudgetPeriodKey {
    const period = budgetPeriod(budget.budget_type, now);
    const key = { budgetId: budget.id, periodStart: period.start };
    const id = keyOf(key);
    if (this.prepared.has(id)) return key;
    let ensuring = this.ensuring.get(id);
    if (!ensuring) {
      ensuring = (async () => {
        if (!this.ensured.has(id)) {
          const usage = await this.ledger.usage(key);
          // Only the first instance to need the counter sums the stored calls; the others find it.
          if (usage) {
            this.known.remember(id, usage.spentNanos + usage.heldNanos);
          } else {
            const spent = toNanos(await spentInPeriod(this.store.sql, budget, now));
            await this.ledger.ensurePeriod(key, spent);
            this.known.remember(id, spent);
          }
        }
        // The next period's counter starts at zero before any call can fall in it, so no call
        // at the turn of a period is counted twice or missed.
        if (period.resetAt !== null) {
          const next = { budgetId: budget.id, periodStart: period.resetAt };
          await this.ledger.ensurePeriod(next, 0);
          this.ensured.add(keyOf(next));
        }
        this.ensured.add(id);
        this.prepared.add(id);
        this.watched.set(id, key);
      })().finally(() => this.ensuring.delete(id));
      this.ensuring.set(id, ensuring);
    }
    return ensuring.then(() => key);
  }

  /**
   * While the database cannot be reached the gateway keeps serving, and its calls are checked
   * against what this instance knows (reserveFromKnown); their costs are counted once it answers
   * again.
   */
  async reserve(keys: BudgetScopeKeys | ScopeKeys, worstCaseUsd: number | null | (() => number | null)): Promise<BudgetReservation> {
    try {
      return await this.reserveInLedger(keys, worstCaseUsd);
    } catch (error) {
      if (error instanceof BudgetExceededError) throw error;
      // Told once per outage-sized interval, not once per call.
      if (this.now() - this.unavailableToldAt > UNAVAILABLE_TELL_MS) {
        this.unavailableToldAt = this.now();
        this.onUnavailable(error);
      }
      return this.reserveFromKnown(keys, worstCaseUsd);
    }
  }

  /**
   * The check without the database, against what this instance last read of each counter and
   * has counted since. What other instances spend during the outage is not seen, and a budget
   * never read here (a project's first call since start, a period that began during the
   * outage) cannot be checked: those calls are admitted.
   */
  private reserveFromKnown(keys: BudgetScopeKeys | ScopeKeys, worstCaseUsd: number | null | (() => number | null)): BudgetReservation {
    const budgets = (this.projects.get(keys.projectId)?.budgets ?? []).filter((budget) => budgetApplies(budget, keys));
    return this.known.reserve(budgets, this.now(), worstCaseUsd);
  }

  /** Reads the counters of the block budgets in use again, so that a check made during an outage starts from a recent figure. */
  private refreshKnown(): void {
    const now = this.now();
    const ids: string[] = [];
    for (const [id, key] of this.watched) {
      const budget = this.byId.get(key.budgetId);
      if (!budget || budgetPeriod(budget.budget_type, now).start !== key.periodStart) {
        this.watched.delete(id);
        this.known.forget(id);
      } else if (budget.action === 'block' && budget.is_active) {
        ids.push(id);
      }
    }
    if (ids.length === 0) return;
    // One round trip for every counter, however many budgets are in use.
    const countedBefore = ids.map((id) => this.known.countedSince(id));
    void this.track(this.ledger.usages(ids.map((id) => this.watched.get(id)!)).then(
      (usages) => usages.forEach((usage, i) => {
        const id = ids[i]!;
        if (usage) this.known.remember(id, usage.spentNanos + usage.heldNanos, countedBefore[i]);
      }),
      () => undefined,
    ));
  }

  private async reserveInLedger(keys: BudgetScopeKeys | ScopeKeys, worstCaseUsd: number | null | (() => number | null)): Promise<BudgetReservation> {
    const matching = (await this.budgetsOf(keys.projectId)).filter((budget) => budgetApplies(budget, keys));
    if (matching.length === 0) return NO_RESERVATION;
    const now = this.now();
    const periodKeys = await Promise.all(matching.map((budget) => this.ensurePeriod(budget, now)));
    const amount = worstCaseNanos(worstCaseUsd);
    const reservation: SharedReservation = { holdId: randomUUID(), held: amount > 0, keys: new Set(periodKeys.map(keyOf)), increments: new Map(), done: false };
    const requestId = 'requestId' in keys ? keys.requestId : undefined;
    // Registered before the check so the heartbeat already covers the hold it may write.
    this.live.add(reservation);
    let refused: Awaited<ReturnType<BudgetLedger['reserve']>>;
    // A call that finished here before this one arrived may still be giving its hold back, and
    // a give-back can land while this question is in the database, unseen by it: a refusal is
    // asked again once they are written, so a client is never refused for its own previous call.
    const givingBack = new Set(this.settling);
    // What was counted here before the question, so a refusal's figure is remembered with what came after it.
    const countedBefore = periodKeys.map((key) => this.known.countedSince(keyOf(key)));
    try {
      refused = await this.ledger.reserve(reservation.holdId, periodKeys, amount, this.holdTtlMs);
      for (const work of this.settling) givingBack.add(work);
      if (refused && givingBack.size > 0) {
        await Promise.allSettled(givingBack);
        refused = await this.ledger.reserve(reservation.holdId, periodKeys, amount, this.holdTtlMs);
      }
    } catch (error) {
      this.live.delete(reservation);
      throw error;
    }
    if (refused) {
      this.live.delete(reservation);
      const at = periodKeys.findIndex((key) => key.budgetId === refused.refusedBudgetId);
      if (at >= 0) this.known.remember(keyOf(periodKeys[at]!), refused.committedNanos, countedBefore[at]);
      const budget = this.byId.get(refused.refusedBudgetId) ?? matching.find((item) => item.id === refused.refusedBudgetId)!;
      throw new BudgetExceededError(budget, toUsd(refused.committedNanos));
    }
    if (requestId) this.pendingByRequest.set(requestId, reservation);
    const giveBack = () => {
      if (reservation.done) return;
      reservation.done = true;
      if (requestId) this.pendingByRequest.delete(requestId);
      this.settleReservation(reservation);
    };
    return { settle: giveBack, release: giveBack };
  }

  private settleReservation(reservation: SharedReservation): void {
    // Costs observed here but not yet flushed go in the same transaction: once this hold is
    // gone, no cost this instance has seen is missing from the shared counter.
    for (const [id, increment] of this.queued) addTo(reservation.increments, id, increment, increment.nanos);
    this.queued = new Map();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const increments = [...reservation.increments.values()];
    const work = this.ledger.settle(reservation.held ? reservation.holdId : null, increments).then(
      (crossings) => this.announce(crossings),
      () => {
        // Counted later with the next batch; the hold expires on its own.
        for (const increment of increments) this.queueIncrement(increment, RETRY_MS);
      },
    ).finally(() => {
      this.live.delete(reservation);
      this.settling.delete(work);
    });
    this.settling.add(work);
    void this.track(work);
  }

  observe(call: CallRecord): void {
    if (!call.cost_usd || call.cost_usd < 0) return;
    const known = this.projects.get(call.project_id);
    if (known) return this.count(call, known.budgets);
    // An instance that only ingests may not have read this project's budgets yet: they are read
    // now and the calls counted then, so no instance leaves its calls out of a shared counter.
    const waiting = this.unlisted.get(call.project_id) ?? [];
    if (waiting.length < MAX_UNLISTED_CALLS) waiting.push(call);
    this.unlisted.set(call.project_id, waiting);
    if (this.listing.has(call.project_id)) return;
    this.listing.add(call.project_id);
    void this.track(this.reload(call.project_id)).then(
      () => {
        const budgets = this.projects.get(call.project_id)?.budgets ?? [];
        for (const waited of this.unlisted.get(call.project_id) ?? []) this.count(waited, budgets);
        this.unlisted.delete(call.project_id);
      },
      () => undefined,
    ).finally(() => this.listing.delete(call.project_id));
  }

  /**
   * Adds the call's cost to the counters of its budgets, with its reservation when it has one.
   * A counter of an earlier period that was never created is skipped by the database.
   */
  private count(call: CallRecord, budgets: Budget[]): void {
    const keys = keysOfCall(call);
    const nanos = toNanos(call.cost_usd ?? 0);
    const reservation = this.pendingByRequest.get(call.request_id);
    const now = this.now();
    for (const budget of budgets) {
      if (!budgetApplies(budget, keys)) continue;
      const key = { budgetId: budget.id, periodStart: budgetPeriod(budget.budget_type, call.started_at).start };
      const id = keyOf(key);
      this.known.count(id, nanos);
      if (reservation && !reservation.done && reservation.keys.has(id)) {
        addTo(reservation.increments, id, key, nanos);
      } else if (this.prepared.has(id) || key.periodStart !== budgetPeriod(budget.budget_type, now).start) {
        this.queueIncrement({ ...key, nanos });
      } else {
        // The current period's counter (and the next one's) made first: traffic that only
        // ingests keeps the chain of counters going from one period to the next.
        void this.track(Promise.resolve(this.ensurePeriod(budget, now)).then(() => this.queueIncrement({ ...key, nanos }), () => this.queueIncrement({ ...key, nanos }, RETRY_MS)));
      }
    }
  }

  private queueIncrement(increment: BudgetPeriodKey & { nanos: number }, delayMs = FLUSH_MS): void {
    addTo(this.queued, keyOf(increment), increment, increment.nanos);
    if (this.closed) return;
    this.flushTimer ??= setTimeout(() => void this.flush(), delayMs);
    this.flushTimer.unref();
  }

  private flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const increments = [...this.queued.values()];
    this.queued = new Map();
    if (increments.length === 0) return Promise.resolve();
    return this.track(this.ledger.settle(null, increments).then(
      (crossings) => this.announce(crossings),
      () => {
        for (const increment of increments) this.queueIncrement(increment, RETRY_MS);
      },
    ));
  }

  private announce(crossings: BudgetCrossing[]): void {
    for (const crossing of crossings) {
      const budget = this.byId.get(crossing.budgetId);
      if (budget) announceCrossing(this.bus, { ...budget, amount: crossing.amountUsd }, crossing.threshold, crossing.spentNanos);
    }
  }

  private extendLiveHolds(): void {
    const holdIds = [...this.live].filter((reservation) => reservation.held).map((reservation) => reservation.holdId);
    if (holdIds.length > 0) void this.track(this.ledger.extend(holdIds, this.holdTtlMs).catch(() => undefined));
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work)).catch(() => undefined);
    return work;
  }

  async status(budget: Budget): Promise<BudgetStatus> {
    await this.settled();
    const now = this.now();
    const key = await this.ensurePeriod(budget, now);
    const usage = await this.ledger.usage(key);
    const resetAt = budgetPeriod(budget.budget_type, now).resetAt;
    return { current_usage: toUsd(usage?.spentNanos ?? 0), reserved: toUsd(usage?.heldNanos ?? 0), reset_at: resetAt === null ? null : new Date(resetAt).toISOString() };
  }

  /** Waits for the work started so far only, so that a busy gateway cannot keep it waiting. */
  async settled(): Promise<void> {
    // A few rounds, not until idle: work in flight (budgets being read, a counter being made)
    // queues counts of its own, but a busy gateway must not keep this waiting.
    for (let round = 0; round < 4 && (this.inflight.size > 0 || this.queued.size > 0 || round === 0); round++) {
      await this.flush();
      await Promise.allSettled([...this.inflight]);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.settled();
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }
}

function addTo(map: Map<string, BudgetPeriodKey & { nanos: number }>, id: string, key: BudgetPeriodKey, nanos: number): void {
  const current = map.get(id);
  if (current) current.nanos += nanos;
  else map.set(id, { budgetId: key.budgetId, periodStart: key.periodStart, nanos });
}
