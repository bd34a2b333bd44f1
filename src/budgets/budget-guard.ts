// Budget enforcement. Each budget's spend is loaded once per period from the store, then
// kept in memory: every recorded call adds its cost, and gateway calls reserve their
// worst-case cost before going upstream. The check and the reservation happen in one
// synchronous step, so concurrent calls cannot together overshoot a block budget.
import { budgetPeriod, type Budget } from '../domain/budget.js';
import type { CallRecord } from '../domain/call-record.js';
import type { LiveEventBus } from '../live/event-bus.js';
import type { Store } from '../store/ports.js';
import { budgetApplies, keysOfCall, spentInPeriod, type ScopeKeys } from './budget-usage.js';

export class BudgetExceededError extends Error {
  constructor(readonly budget: Budget, readonly currentUsd: number) {
    super(`budget '${budget.name}' (${budget.budget_type}, $${budget.amount}) would be exceeded: $${currentUsd.toFixed(6)} spent or reserved`);
  }
}

export interface BudgetReservation {
  /** Gives the reservation back; the call's real cost arrives through `observe`. */
  release(): void;
}

interface BudgetState {
  budget: Budget;
  resetAt: number | null;
  spent: number;
  reserved: number;
  /** Highest threshold (0.8, 1) already announced this period. */
  announced: number;
}

const THRESHOLDS = [0.8, 1];
const NO_RESERVATION: BudgetReservation = { release: () => undefined };

export class BudgetGuard {
  private budgets = new Map<string, Budget[]>();
  private readonly states = new Map<string, BudgetState>();

  constructor(private readonly store: Store, private readonly bus: LiveEventBus, private readonly now: () => number = Date.now) {}

  /** Reloads a project's budgets after a change through the API. */
  async reload(projectId: string): Promise<void> {
    const budgets = await this.store.budgets.list(projectId);
    this.budgets.set(projectId, budgets);
    for (const [id, state] of this.states) if (state.budget.project_id === projectId && !budgets.some((b) => b.id === id)) this.states.delete(id);
    for (const budget of budgets) {
      const state = this.states.get(budget.id);
      if (state) state.budget = budget;
    }
  }

  private async applicable(keys: ScopeKeys): Promise<BudgetState[]> {
    if (!this.budgets.has(keys.projectId)) await this.reload(keys.projectId);
    const matching = (this.budgets.get(keys.projectId) ?? []).filter((budget) => budgetApplies(budget, keys));
    const now = this.now();
    return Promise.all(matching.map(async (budget) => {
      let state = this.states.get(budget.id);
      if (!state || (state.resetAt !== null && now >= state.resetAt)) {
        const spent = await spentInPeriod(this.store.sql, budget, now);
        // Another caller may have loaded it while this one waited; keep the first.
        state = this.states.get(budget.id) ?? { budget, resetAt: budgetPeriod(budget.budget_type, now).resetAt, spent, reserved: 0, announced: 0 };
        if (state.resetAt !== null && now >= state.resetAt) Object.assign(state, { resetAt: budgetPeriod(budget.budget_type, now).resetAt, spent, announced: 0 });
        this.states.set(budget.id, state);
      }
      return state;
    }));
  }

  /**
   * `worstCaseUsd` may be a function: counting a prompt's tokens is only worth it when a
   * budget applies. An unpriced call reserves nothing, but is refused by an exhausted budget.
   */
  async reserve(keys: ScopeKeys, worstCaseUsd: number | null | (() => number | null)): Promise<BudgetReservation> {
    const states = await this.applicable(keys);
    if (states.length === 0) return NO_RESERVATION;
    const amount = (typeof worstCaseUsd === 'function' ? worstCaseUsd() : worstCaseUsd) ?? 0;
    // From here to the end: no await, so the check and the reservation are one step.
    for (const state of states) {
      if (state.budget.action !== 'block') continue;
      const committed = state.spent + state.reserved;
      if (committed + amount > state.budget.amount || committed >= state.budget.amount) throw new BudgetExceededError(state.budget, committed);
    }
    for (const state of states) state.reserved += amount;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        for (const state of states) state.reserved -= amount;
      },
    };
  }

  /** Every call on its way to the store adds its cost to the budgets it falls under. */
  observe(call: CallRecord): void {
    if (!call.cost_usd) return;
    const keys = keysOfCall(call);
    for (const budget of this.budgets.get(call.project_id) ?? []) {
      const state = this.states.get(budget.id);
      if (!state || !budgetApplies(budget, keys)) continue;
      state.spent += call.cost_usd;
      this.announce(state);
    }
  }

  private announce(state: BudgetState): void {
    const ratio = state.spent / state.budget.amount;
    const crossed = THRESHOLDS.filter((threshold) => ratio >= threshold && threshold > state.announced).at(-1);
    if (crossed === undefined) return;
    state.announced = crossed;
    this.bus.publish(state.budget.project_id, 'budget_exceeded', {
      budget_id: state.budget.id, name: state.budget.name, threshold: crossed, current_usage: state.spent, amount: state.budget.amount, action: state.budget.action,
    });
  }

  /** Spend and reservations as the guard sees them (for the API). */
  async status(budget: Budget): Promise<{ current_usage: number; reserved: number; reset_at: string | null }> {
    const now = this.now();
    const state = this.states.get(budget.id);
    const spent = state && (state.resetAt === null || now < state.resetAt) ? state.spent : await spentInPeriod(this.store.sql, budget, now);
    const resetAt = budgetPeriod(budget.budget_type, now).resetAt;
    return { current_usage: spent, reserved: state?.reserved ?? 0, reset_at: resetAt === null ? null : new Date(resetAt).toISOString() };
  }
}
