// Picks the budget guard that fits the store: in memory when one process owns the store, in
// the database when instances share it, so nothing above this file branches on the engine.
import type { LiveEventBus } from '../live/event-bus.js';
import type { Store } from '../store/ports.js';
import type { BudgetGuard } from './budget-guard.js';
import { MemoryBudgetGuard } from './memory-budget-guard.js';
import { SharedBudgetGuard } from './shared-budget-guard.js';

export interface BudgetGuardOptions {
  /** How long a hold outlives its instance: live holds are extended, a dead instance's expire. */
  holdTtlMs?: number;
  now?: () => number;
  /** Told when a call was checked without a shared store, which did not answer (at most every 10 s). */
  onUnavailable?: (error: unknown) => void;
}

export function createBudgetGuard(store: Store, bus: LiveEventBus, options: BudgetGuardOptions = {}): BudgetGuard {
  const ledger = store.budgets.ledger;
  return ledger ? new SharedBudgetGuard(store, ledger, bus, options) : new MemoryBudgetGuard(store, bus, options.now);
}

