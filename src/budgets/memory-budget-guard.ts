// Budget enforcement for a store one process owns. Each budget's spend is loaded once per
// period from the store, then kept in memory: every recorded call adds its cost, and gateway
// calls reserve their worst-case cost before going upstream. The check and the reservation
// happen in one synchronous step, so concurrent calls cannot together overshoot a block budget.
import { budgetPeriod, type Budget } from '../domain/budget.js';
import type { CallRecord } from '../domain/call-record.js';
import type { LiveEventBus } from '../live/event-bus.js';
import type { Store } from '../store/ports.js';
import { announceCrossing, BudgetExceededError, NO_RESERVATION, THRESHOLDS, toNanos, toUsd, worstCaseNanos, type BudgetGuard, type BudgetReservation, type BudgetStatus } from './budget-guard.js';
import { budgetApplies, keysOfCall, spentInPeriod, type ScopeKeys } from './budget-usage.js';

interface BudgetState {
  budget: Budget;
  periodStart: number;
  resetAt: number | null;
  spentNanos: number;
  reservedNanos: number;
  /** Highest threshold (0.8, 1) already announced this period. */
  announced: number;
}

export class MemoryBudgetGuard implements BudgetGuard {
  private readonly budgets = new Map<string, Budget[]>();
  private readonly states = new Map<string, BudgetState>();

  constructor(private readonly store: Store, private readonly bus: LiveEventBus, private readonly now: () => number = Date.now) {}

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

  async reserve(keys: ScopeKeys, worstCaseUsd: number | null | (() => number | null)): Promise<BudgetReservation> {
    const states = await this.applicable(keys);
    if (states.length === 0) return NO_RESERVATION;
    const amount = worstCaseNanos(worstCaseUsd);
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
    announceCrossing(this.bus, state.budget, crossed, state.spentNanos);
  }

  async status(budget: Budget): Promise<BudgetStatus> {
    const now = this.now();
    const state = this.states.get(budget.id);
    const live = state && (state.resetAt === null || now < state.resetAt);
    const spent = live ? toUsd(state.spentNanos) : await spentInPeriod(this.store.sql, budget, now);
    const resetAt = budgetPeriod(budget.budget_type, now).resetAt;
    return { current_usage: spent, reserved: toUsd(state?.reservedNanos ?? 0), reset_at: resetAt === null ? null : new Date(resetAt).toISOString() };
  }

  /** Everything happens in memory, at once. */
  async settled(): Promise<void> {}

  async close(): Promise<void> {}
}
