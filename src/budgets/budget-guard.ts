// Budget enforcement. Each budget's spend is loaded once per period from the store, then
// kept in memory: every recorded call adds its cost, and gateway calls reserve their
// worst-case cost before going upstream. The check and the reservation happen in one
// synchronous step, so concurrent calls cannot together overshoot a block budget.
import { budgetPeriod, type Budget } from '../domain/budget.js';
import type { CallRecord } from '../domain/call-record.js';
import type { LiveEventBus } from '../live/event-bus.js';
import type { Store } from '../store/ports.js';
import { budgetApplies, keysOfCall, spentInPeriod, type ScopeKeys } from './budget-usage.js';

export interface BudgetScopeKeys { projectId: string; provider: string; model: string; userId: string | null; apiKeyId: string | null; tags: string[] }

/**
 * A held worst case. The call's real cost is counted once, when its record is queued on the
 * recorder (which hands every record to `observe` synchronously), so `settle` gives the hold
 * back: record the call and settle it in the same synchronous step (either order), and there
 * is no moment when the call is counted twice or not at all. `release` is for calls that
 * failed or were cancelled. Both are idempotent; the first one wins.
 */
export interface BudgetReservation { settle(actualCostUsd: number | null): void; release(): void }

export class BudgetExceededError extends Error {
  readonly budgetId: string;
  readonly budgetName: string;
  readonly limitUsd: number;
  /** Spent plus reserved when the call was refused. */
  readonly currentUsd: number;

  constructor(budget: Budget, currentUsd: number) {
    super(`budget '${budget.name}' (${budget.budget_type}, $${budget.amount}) would be exceeded: $${currentUsd.toFixed(6)} spent or reserved`);
    this.name = 'BudgetExceededError';
    this.budgetId = budget.id;
    this.budgetName = budget.name;
    this.limitUsd = budget.amount;
    this.currentUsd = currentUsd;
  }
}

/** The contract the gateway programs against; rejects with BudgetExceededError for a block budget. */
export interface BudgetGuard { reserve(keys: BudgetScopeKeys, worstCaseUsd: number | null): Promise<BudgetReservation> }

/*
 * Amounts are held as integer nano-dollars: reserving and giving back the same amount
 * 10,000 times returns to exactly zero, where floating-point sums would drift.
 */
const toNanos = (usd: number) => Math.round(usd * 1e9);
const toUsd = (nanos: number) => nanos / 1e9;

interface BudgetState {
  budget: Budget;
  periodStart: number;
  resetAt: number | null;
  spentNanos: number;
  reservedNanos: number;
  /** Highest threshold (0.8, 1) already announced this period. */
  announced: number;
}

const THRESHOLDS = [0.8, 1];
const NO_RESERVATION: BudgetReservation = { settle: () => undefined, release: () => undefined };

// The interface above and this class merge: the class also accepts a lazily computed worst
// case (counting a prompt's tokens is only worth it when a budget applies).
export class BudgetGuard {
  private readonly budgets = new Map<string, Budget[]>();
  private readonly states = new Map<string, BudgetState>();

  constructor(private readonly store: Store, private readonly bus: LiveEventBus, private readonly now: () => number = Date.now) {}

  /** Reloads a project's budgets after a change through the API. */
  async reload(projectId: string): Promise<void> {
    const budgets = await this.store.budgets.list(projectId);
    this.budgets.set(projectId, budgets);
    for (const [id, state] of this.states) if (state.budget.project_id === projectId && !budgets.some((budget) => budget.id === id)) this.states.delete(id);
    for (const budget of budgets) {
      const state = this.states.get(budget.id);
      if (!state) continue;
      const amountChanged = state.budget.amount !== budget.amount;
      state.budget = budget;
      // A new amount re-arms the thresholds not yet crossed at that amount.
      if (amountChanged) state.announced = THRESHOLDS.filter((threshold) => state.spentNanos >= threshold * toNanos(budget.amount)).at(-1) ?? 0;
    }
  }

  private async stateOf(budget: Budget, now: number): Promise<BudgetState> {
    const current = this.states.get(budget.id);
    if (current && (current.resetAt === null || now < current.resetAt)) return current;
    const spent = toNanos(await spentInPeriod(this.store.sql, budget, now));
    const period = budgetPeriod(budget.budget_type, now);
    // Another caller may have loaded or rolled it over while this one waited: keep theirs.
    const latest = this.states.get(budget.id);
    if (latest && (latest.resetAt === null || now < latest.resetAt)) return latest;
    if (latest) {
      // A new period: reservations in flight stay held, spend restarts from the store.
      Object.assign(latest, { periodStart: period.start, resetAt: period.resetAt, spentNanos: spent, announced: 0 });
      return latest;
    }
    const state: BudgetState = { budget, periodStart: period.start, resetAt: period.resetAt, spentNanos: spent, reservedNanos: 0, announced: 0 };
    this.states.set(budget.id, state);
    return state;
  }

  private async applicable(keys: ScopeKeys): Promise<BudgetState[]> {
    if (!this.budgets.has(keys.projectId)) await this.reload(keys.projectId);
    const matching = (this.budgets.get(keys.projectId) ?? []).filter((budget) => budgetApplies(budget, keys));
    const now = this.now();
    return Promise.all(matching.map((budget) => this.stateOf(budget, now)));
  }

  /** An unpriced call reserves nothing, but is refused by an exhausted block budget. */
  reserve(keys: BudgetScopeKeys, worstCaseUsd: number | null): Promise<BudgetReservation>;
  reserve(keys: ScopeKeys, worstCaseUsd: number | null | (() => number | null)): Promise<BudgetReservation>;
  async reserve(keys: ScopeKeys, worstCaseUsd: number | null | (() => number | null)): Promise<BudgetReservation> {
    const states = await this.applicable(keys);
    if (states.length === 0) return NO_RESERVATION;
    const worstCase = (typeof worstCaseUsd === 'function' ? worstCaseUsd() : worstCaseUsd) ?? 0;
    const amount = Number.isFinite(worstCase) && worstCase > 0 ? toNanos(worstCase) : 0;
    // From here to the end: no await, so the check and the reservation are one step.
    for (const state of states) {
      if (state.budget.action !== 'block' || !state.budget.is_active) continue;
      const committed = state.spentNanos + state.reservedNanos;
      const limit = toNanos(state.budget.amount);
      if (committed + amount > limit || committed >= limit) throw new BudgetExceededError(state.budget, toUsd(committed));
    }
    for (const state of states) state.reservedNanos += amount;
    let done = false;
    const giveBack = () => {
      if (done) return;
      done = true;
      for (const state of states) state.reservedNanos -= amount;
    };
    return { settle: giveBack, release: giveBack };
  }

  /** Every call on its way to the store adds its cost to the budgets it falls under. */
  observe(call: CallRecord): void {
    if (!call.cost_usd || call.cost_usd < 0) return;
    const keys = keysOfCall(call);
    const nanos = toNanos(call.cost_usd);
    for (const budget of this.budgets.get(call.project_id) ?? []) {
      const state = this.states.get(budget.id);
      // A late record from before the period's start is already in (or out of) its own period.
      if (!state || !budgetApplies(budget, keys) || call.started_at < state.periodStart) continue;
      state.spentNanos += nanos;
      this.announce(state);
    }
  }

  private announce(state: BudgetState): void {
    const ratio = state.spentNanos / toNanos(state.budget.amount);
    const crossed = THRESHOLDS.filter((threshold) => ratio >= threshold && threshold > state.announced).at(-1);
    if (crossed === undefined) return;
    state.announced = crossed;
    this.bus.publish(state.budget.project_id, 'budget_exceeded', {
      budget_id: state.budget.id, name: state.budget.name, threshold: crossed, current_usage: toUsd(state.spentNanos), amount: state.budget.amount,
      action: state.budget.action, budget_type: state.budget.budget_type, scope: state.budget.scope, scope_value: state.budget.scope_value,
    });
  }

  /** Spend and reservations as the guard sees them (for the API). */
  async status(budget: Budget): Promise<{ current_usage: number; reserved: number; reset_at: string | null }> {
    const now = this.now();
    const state = this.states.get(budget.id);
    const live = state && (state.resetAt === null || now < state.resetAt);
    const spent = live ? toUsd(state.spentNanos) : await spentInPeriod(this.store.sql, budget, now);
    const resetAt = budgetPeriod(budget.budget_type, now).resetAt;
    return { current_usage: spent, reserved: toUsd(state?.reservedNanos ?? 0), reset_at: resetAt === null ? null : new Date(resetAt).toISOString() };
  }
}
