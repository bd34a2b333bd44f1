// How far V8 lets the old generation grow past what survived the last full collection.
// Left alone, V8 grows it by up to four times the survivors under a high allocation rate, and
// a gateway allocates fast: at 50 connections the heap reached 110 to 145 MB around a live
// set of about 33 MB. A fixed, smaller growth collects sooner and keeps the peak down.
import { setFlagsFromString } from 'node:v8';
import type { LoupeConfig } from './schema.js';

/** Applies `heap_growth_percent` to this process; V8 reads the flag at each collection, so setting it at start is enough. */
export function applyHeapGrowth(config: Readonly<LoupeConfig>): void {
  if (config.heap_growth_percent !== undefined) setFlagsFromString(`--heap-growing-percent=${config.heap_growth_percent}`);
}
