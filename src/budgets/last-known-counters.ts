// What one instance knows of the shared budget counters, for checks made while the database
// cannot be reached: each counter as last read (spent + held), the costs this instance has
// counted since, and the worst cases of the calls it admitted without the database.
import { budgetPeriod, type Budget } from '../domain/budget.js';
import { BudgetExceededError, NO_RESERVATION, toNanos, toUsd, worstCaseNanos, type BudgetReservation } from './budget-guard.js';

interface Reading { committedNanos: number; sinceNanos: number }

/** Counters are named `${budgetId}|${periodStart}`. */
export const counterId = (budgetId: string, periodStart: number) => `${budgetId}|${periodStart}`;

export class LastKnownCounters {
  private readonly readings = new Map<string, Reading>();
  /** Worst cases of the calls admitted while the database was away and still running. */
  private readonly heldHere = new Map<string, number>();

  /** What was counted here since the counter's last reading: pass it to remember() with a reading taken after it. */
  countedSince(id: string): number {
    return this.readings.get(id)?.sinceNanos ?? 0;
  }

  /**
   * A reading of a counter, begun when countedSince(id) was `countedBefore`. Costs counted while
   * it was on its way stay counted on top of it: a cost may be seen twice until the next reading,
   * never missed.
   */
  remember(id: string, committedNanos: number, countedBefore = 0): void {
    this.readings.set(id, { committedNanos, sinceNanos: this.countedSince(id) - countedBefore });
  }

  /** A cost this instance counted for the counter. */
  count(id: string, nanos: number): void {
    const reading = this.readings.get(id);
    if (reading) reading.sinceNanos += nanos;
  }

  forget(id: string): void {
    this.readings.delete(id);
  }

  /**
   * Checks the block budgets among `budgets` whose current counter was read against that
   * reading, the costs counted since and the worst cases held here, and holds the worst case, in
   * one synchronous step. Budgets never read cannot be checked and hold nothing.
   */
  reserve(budgets: Budget[], now: number, worstCaseUsd: number | null | (() => number | null)): BudgetReservation {
    const counters: string[] = [];
    let amount: number | null = null;
    for (const budget of budgets) {
      if (budget.action !== 'block' || !budget.is_active) continue;
      const id = counterId(budget.id, budgetPeriod(budget.budget_type, now).start);
      const reading = this.readings.get(id);
      if (!reading) continue;
      amount ??= worstCaseNanos(worstCaseUsd);
      const committed = reading.committedNanos + reading.sinceNanos + (this.heldHere.get(id) ?? 0);
      const cap = toNanos(budget.amount);
      if (committed >= cap || committed + amount > cap) throw new BudgetExceededError(budget, toUsd(committed));
      counters.push(id);
    }
    if (!amount) return NO_RESERVATION;
    const held = amount;
    for (const id of counters) this.heldHere.set(id, (this.heldHere.get(id) ?? 0) + held);
    let done = false;
    const giveBack = () => {
      if (done) return;
      done = true;
      for (const id of counters) {
        const left = (this.heldHere.get(id) ?? 0) - held;
        if (left > 0) this.heldHere.set(id, left);
        else this.heldHere.delete(id);
      }
    };
    return { settle: giveBack, release: giveBack };
  }
}
