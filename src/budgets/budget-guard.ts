// What the gateway and the budget routes program against: reserve a call's worst case before
// it goes upstream, count every recorded call's cost, and report usage (create-budget-guard.ts
// picks the implementation that fits the store).
import type { Budget } from '../domain/budget.js';
import type { CallRecord } from '../domain/call-record.js';
import type { LiveEventBus } from '../live/event-bus.js';
import type { ScopeKeys } from './budget-usage.js';

export interface BudgetScopeKeys {
  projectId: string;
  provider: string;
  model: string;
  userId: string | null;
  apiKeyId: string | null;
  tags: string[];
  /** The gateway request: its recorded attempts are counted when the reservation is settled. */
  requestId?: string;
}

/**
 * A held worst case. The call's real cost is counted once, when its record is queued on the
 * recorder (which hands every record to `observe` synchronously), so `settle` gives the hold
 * back: record the call and settle it in the same synchronous step (either order), and there
 * is no moment when the call is counted twice or not at all. On a shared store the costs
 * observed for the reservation's `requestId` replace the hold in one transaction. `release` is
 * for calls that failed or were cancelled. Both are idempotent; the first one wins.
 */
export interface BudgetReservation { settle(actualCostUsd: number | null): void; release(): void }

export interface BudgetStatus { current_usage: number; reserved: number; reset_at: string | null }

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

export interface BudgetGuard {
  /**
   * Rejects with BudgetExceededError when a block budget cannot hold the worst case. An
   * unpriced call reserves nothing, but is refused by an exhausted block budget. The worst case
   * may be computed lazily: counting a prompt's tokens is only worth it when a budget applies.
   */
  reserve(keys: BudgetScopeKeys | ScopeKeys, worstCaseUsd: number | null | (() => number | null)): Promise<BudgetReservation>;
  /** Every call on its way to the store adds its cost to the budgets it falls under. */
  observe(call: CallRecord): void;
  /** Reloads a project's budgets after a change through the API. */
  reload(projectId: string): Promise<void>;
  /** Spend and reservations of the budget's current period (for the API). */
  status(budget: Budget): Promise<BudgetStatus>;
  /** Resolves once every count and give-back made so far has reached the store. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/*
 * Amounts are held as integer nano-dollars: reserving and giving back the same amount
 * 10,000 times returns to exactly zero, where floating-point sums would drift.
 */
export const toNanos = (usd: number) => Math.round(usd * 1e9);
export const toUsd = (nanos: number) => nanos / 1e9;

/** The thresholds of a budget's amount announced once each per period. */
export const THRESHOLDS = [0.8, 1];

export const NO_RESERVATION: BudgetReservation = { settle: () => undefined, release: () => undefined };

/** The worst case in nano-dollars; nothing for an unpriced call. */
export function worstCaseNanos(worstCaseUsd: number | null | (() => number | null)): number {
  const worstCase = (typeof worstCaseUsd === 'function' ? worstCaseUsd() : worstCaseUsd) ?? 0;
  return Number.isFinite(worstCase) && worstCase > 0 ? toNanos(worstCase) : 0;
}

export function announceCrossing(bus: LiveEventBus, budget: Budget, threshold: number, spentNanos: number): void {
  bus.publish(budget.project_id, 'budget_exceeded', {
    budget_id: budget.id, name: budget.name, threshold, current_usage: toUsd(spentNanos), amount: budget.amount,
    action: budget.action, budget_type: budget.budget_type, scope: budget.scope, scope_value: budget.scope_value,
  });
}
