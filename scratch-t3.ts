import { DuckDBInstance } from '@duckdb/node-api';
import { compileMetricsQuery } from './src/analytics/metrics/compile-query.js';
import { planRollupRead } from './src/analytics/rollups/rollup-plan.js';
const db = await DuckDBInstance.create('/tmp/wip-rollup-bench-1m/loupe.duckdb');
const c = await db.connect();
const filters = { projectId: 'default', from: Date.now() - 30 * 86_400_000 };
for (const tbl of ['call_rollups_minute','call_rollups_hour','call_rollups_day','call_rollup_members_day']) console.log(tbl, (await c.runAndReadAll(`SELECT count(*) n FROM ${tbl}`)).getRowObjectsJS());
const q = { metrics: ['requests', 'cost', 'priced_calls', 'unpriced_calls', 'unpriced_tokens', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'avg_cost_per_call'], dimensions: ['model'], filters } as never;
const seg = planRollupRead(q);
console.log(seg);
const compiled = compileMetricsQuery(q, 'duckdb', seg);
for (let i = 0; i < 3; i++) { const t = performance.now(); await c.runAndReadAll(compiled.sql, compiled.params as never); console.log('ms', performance.now() - t); }
await c.run("PRAGMA enable_profiling='json'"); await c.run("PRAGMA profiling_output='/tmp/wip-rollup-scratch/prof.json'");
await c.runAndReadAll(compiled.sql, compiled.params as never);
