// Builds canonical usage from provider counts, enforcing the accounting invariants once:
// cached counts are part of the input, reasoning part of the output, nothing negative.
import type { CanonicalUsage } from '../../domain/usage.js';

export interface UsageCounts {
  input: number;
  cacheRead?: number;
  cacheWrite?: number;
  output: number;
  reasoning?: number;
  raw?: unknown;
}

export function canonicalUsage(counts: UsageCounts): CanonicalUsage {
  const input = count(counts.input);
  const cacheRead = Math.min(count(counts.cacheRead), input);
  // A provider whose cache counts exceed its input total is inconsistent: keep the record valid
  // (the domain schema refuses it otherwise) and leave the original numbers in `raw`.
  const cacheWrite = Math.min(count(counts.cacheWrite), input - cacheRead);
  const output = count(counts.output);
  const reasoning = Math.min(count(counts.reasoning), output);
  return {
    input: { total: input, cacheRead, cacheWrite },
    output: { total: output, reasoning },
    ...(counts.raw === undefined ? {} : { raw: counts.raw }),
  };
}

function count(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

/** Completion tokens per second of generation, from provider timings (Ollama). */
export function tokensPerSecond(outputTokens: number, generationNs: number): number | null {
  if (generationNs <= 0 || outputTokens <= 0) return null;
  return outputTokens / (generationNs / 1e9);
}
