// Seed 000's research loop configuration: how the learning loop judges past decisions
// (window, thresholds, what it evaluates). One validated document per project; unknown
// keys are refused by name so a typo never silently does nothing.
import { z } from 'zod';

const label = z.string().min(1).max(128);

export const researchConfigSchema = z.strictObject({
  /** Whether the research loop runs at all. */
  enabled: z.boolean().default(true),
  /** Window of past decisions the loop studies. */
  lookback_days: z.number().int().min(1).max(3650).default(30),
  /** How often the loop re-evaluates, in minutes. */
  evaluation_interval_minutes: z.number().int().min(1).max(10_080).default(60),
  /** Decisions below this confidence are not acted on. */
  min_confidence: z.number().min(0).max(1).default(0.6),
  /** Closed outcomes needed before a model, signal or pipeline is judged. */
  min_sample_size: z.number().int().min(1).max(1_000_000).default(20),
  /** A lesson is reported once it recurs this often. */
  min_lesson_frequency: z.number().int().min(1).max(1_000_000).default(3),
  /** Confidence buckets used for calibration. */
  calibration_buckets: z.number().int().min(2).max(100).default(10),
  /** Outcome name the loop learns from (outcomes also carry other feedback scores). */
  outcome_name: label.default('outcome'),
  models: z.array(label).max(100).default([]),
  signals: z.array(label).max(100).default(['BUY', 'SELL', 'HOLD']),
  /** Instruments or other `properties.symbol` values in scope; empty means all. */
  symbols: z.array(label).max(1000).default([]),
  agents: z.array(label).max(100).default([]),
  /** Spending cap for the loop's own LLM calls, USD per day; null for none. */
  max_daily_cost_usd: z.number().min(0).max(1e7).nullable().default(null),
  notes: z.string().max(10_000).default(''),
});
export type ResearchConfig = z.infer<typeof researchConfigSchema>;

export const DEFAULT_RESEARCH_CONFIG: ResearchConfig = researchConfigSchema.parse({});
