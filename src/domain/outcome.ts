// Outcomes: what happened after a model's decision (seed 000), or any feedback score on a
// call or a session. Analytics join them to calls for win rate, P&L and calibration.
import { z } from 'zod';
import { safeStringMap, timestampSchema } from './primitives.js';

export const OUTCOME_STATUSES = ['open', 'win', 'loss', 'neutral'] as const;
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];

export const outcomeInputSchema = z.strictObject({
  id: z.string().min(1).max(128).optional(),
  /** A call id or a session id. */
  target: z.string().min(1).max(256),
  target_type: z.enum(['call', 'session']).optional(),
  name: z.string().min(1).max(128).default('outcome'),
  status: z.enum(OUTCOME_STATUSES).default('open'),
  /** P&L or reward; may be negative. */
  value: z.number().min(-1e12).max(1e12).nullish(),
  closed_at: timestampSchema.nullish(),
  lesson: z.string().max(10_000).nullish(),
  properties: safeStringMap.optional(),
});
export type OutcomeInput = z.infer<typeof outcomeInputSchema>;

export interface OutcomeRecord {
  id: string;
  project_id: string;
  target: string;
  target_type: 'call' | 'session';
  /** The session the outcome belongs to: its target when that is a session, else the target
   * call's session (null for a call without one). Resolved once when the outcome is stored,
   * since a call never changes session, so analytics by session need no join with calls. */
  session_id: string | null;
  name: string;
  status: OutcomeStatus;
  value: number | null;
  /** Epoch ms. */
  closed_at: number | null;
  lesson: string | null;
  properties: Record<string, string>;
  created_at: number;
  updated_at: number;
}

/** PATCH body: closes an open outcome (or corrects its value, lesson, properties). */
export const outcomePatchSchema = z.strictObject({
  status: z.enum(OUTCOME_STATUSES).optional(),
  value: z.number().min(-1e12).max(1e12).nullish(),
  closed_at: timestampSchema.nullish(),
  lesson: z.string().max(10_000).nullish(),
  properties: safeStringMap.optional(),
});
export type OutcomePatchInput = z.infer<typeof outcomePatchSchema>;

/** An outcome as the API shows it: timestamps as ISO-8601 strings. */
export function presentOutcome(outcome: OutcomeRecord) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const { project_id: _project, ...rest } = outcome;
  return { ...rest, closed_at: iso(outcome.closed_at), created_at: iso(outcome.created_at)!, updated_at: iso(outcome.updated_at)! };
}
