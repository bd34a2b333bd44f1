// The compiled fast path of the call record schema against zod itself, on random records built
// from valid and invalid values of every field (types, length and range limits on both sides,
// code points against UTF-16 units, non-integers, unknown and prototype keys, the accounting
// rules, absurd timestamps): it never accepts what zod refuses, its output is zod's, and
// prepareCalls answers every record exactly as zod alone would.
import { describe, expect, it } from 'vitest';
import { accountingIssues, callRecordInputSchema, type AccountingFields, type CallRecordInput } from '../src/domain/call-record.js';
import { describeZodIssue } from '../src/domain/describe-issue.js';
import { normalizeCall } from '../src/domain/normalize-call.js';
import { compileObjectSchema } from '../src/ingest/compiled-schema.js';
import { prepareCalls } from '../src/ingest/prepare-calls.js';

let seed = 4242;
const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;

const now = Date.now();
const chars = (n: number, char = 'a'): string => char.repeat(n);
/** `n` code points written as 2n UTF-16 units. */
const astral = (n: number): string => '😀'.repeat(n);

const text = (max: number): { valid: unknown[]; invalid: unknown[] } => ({
  // Strings over the limit in UTF-16 units but within it in code points are valid, and rarer.
  valid: ['', 'x', 'short', chars(max), chars(max), 'naïve café', 'naïve café', astral(max), `${chars(max - 1)}😀`],
  invalid: [chars(max + 1), astral(max + 1), 42, true, [], {}],
});
const nullable = (values: { valid: unknown[]; invalid: unknown[] }) => ({ valid: [...values.valid, null], invalid: values.invalid });
const count = (max: number) => ({ valid: [0, 1, 17, max], invalid: [-1, 0.5, max + 1, '5', null, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53] });
const range = (max: number) => ({ valid: [0, 0.25, max, max / 3], invalid: [-0.001, max + 1, '1', Number.NaN, Number.POSITIVE_INFINITY, false] });
const timestamps = {
  valid: [now - 1000, now - 86_400_000 * 30, '2026-01-02T03:04:05Z', '2024-02-29T12:00:00.123+02:00', Date.UTC(2000, 0, 1), now + 3_600_000, 1_700_000_000_000.6],
  invalid: ['yesterday', '', Date.UTC(1999, 11, 31), now + 3 * 86_400_000, chars(65), 'NaN', true, null, [], Number.NaN],
};
const flag = { valid: [true, false], invalid: ['true', 0, 1, null] };
const enumOf = (values: string[]) => ({ valid: values, invalid: ['SUCCESS', '', 'other', 1, null] });

const FIELDS: Record<string, { valid: unknown[]; invalid: unknown[] }> = {
  id: { valid: ['a', 'call-1', chars(128), astral(128), 'ünïcode id'], invalid: ['', chars(129), 'tab\there', 'nul\u0000', 'del\u007f', 7, null] },
  request_id: nullable(text(128)),
  trace_id: nullable(text(128)),
  parent_id: nullable(text(128)),
  started_at: timestamps,
  ended_at: { valid: [...timestamps.valid, null], invalid: timestamps.invalid.filter((value) => value !== null) },
  latency_ms: nullable(range(86_400_000)),
  ttft_ms: nullable(range(86_400_000)),
  tokens_per_second: nullable(range(1e7)),
  provider: { valid: ['openai', 'x', chars(128), astral(128)], invalid: ['', chars(129), null, 3] },
  model: { valid: ['gpt-4o', chars(256), astral(256)], invalid: ['', chars(257), null, {}] },
  response_model: nullable(text(256)),
  endpoint: nullable(text(256)),
  is_streaming: flag,
  finish_reason: nullable(text(64)),
  params: { valid: [{ temperature: 0.5 }, [1, 2], 'x', null, 3, { nested: { constructor: 1, ok: [{ prototype: 2 }] } }], invalid: [] },
  status: enumOf(['success', 'error', 'timeout', 'cancelled']),
  http_status: nullable({ valid: [100, 200, 599], invalid: [99, 600, 200.5, '200'] }),
  error_type: nullable(text(128)),
  error_message: nullable(text(10_000)),
  prompt_tokens: count(1e9),
  completion_tokens: count(1e9),
  total_tokens: count(1e9),
  cached_tokens: count(1e9),
  cache_write_tokens: count(1e9),
  reasoning_tokens: count(1e9),
  usage_source: enumOf(['provider', 'estimated']),
  cost_usd: nullable(range(1e7)),
  input_cost_usd: nullable(range(1e7)),
  output_cost_usd: nullable(range(1e7)),
  is_fallback: flag,
  original_provider: nullable(text(128)),
  attempt: { valid: [1, 2, 100], invalid: [0, 101, 1.5, null] },
  cache_hit: flag,
  tool_calls_count: { valid: [0, 10_000], invalid: [-1, 10_001, 2.5] },
  user_id: nullable(text(256)),
  session_id: nullable(text(256)),
  agent: nullable(text(256)),
  conversation_name: nullable(text(256)),
  account_id: nullable(text(256)),
  tags: { valid: [[], ['a'], Array.from({ length: 64 }, (_, i) => `t${i}`), [chars(128)], [astral(128)]], invalid: [Array.from({ length: 65 }, () => 't'), [chars(129)], [1], 'tag', null] },
  properties: {
    valid: [{}, { symbol: 'EURUSD', n: 3, ok: true }, Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, 'v'])), { [chars(128)]: chars(2048) }, { constructor: 'x', a: 'b' }],
    invalid: [Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])), { [chars(129)]: 'v' }, { a: chars(2049) }, { a: null }, { a: [1] }, [], 'x', null],
  },
  confidence: nullable(range(1)),
  signal: nullable(text(64)),
  input: { valid: [[{ role: 'user', content: 'hi' }], 'text', null, 5, { deep: { a: [1, { b: 2 }] } }], invalid: [] },
  output: { valid: [{ role: 'assistant', content: 'answer' }, null, ''], invalid: [] },
};

/** A record from random fields; `mutations` of them get an invalid value (or an unknown key). */
function randomRecord(mutations: number): Record<string, unknown> {
  const record: Record<string, unknown> = { provider: 'openai', model: 'gpt-4o' };
  for (const [field, values] of Object.entries(FIELDS)) if (random() < 0.35) record[field] = pick(values.valid);
  for (let i = 0; i < mutations; i++) {
    const roll = random();
    if (roll < 0.08) record[pick(['unknown_field', 'Provider', 'toString', 'hasOwnProperty'])] = 1;
    else if (roll < 0.12) delete record[pick(['provider', 'model'])];
    else {
      const field = pick(Object.keys(FIELDS).filter((name) => FIELDS[name]!.invalid.length > 0));
      record[field] = pick(FIELDS[field]!.invalid);
    }
  }
  // Accounting rules on both sides of their limits.
  if (random() < 0.3) {
    record.prompt_tokens = Math.floor(random() * 100);
    record.cached_tokens = Math.floor(random() * 70);
    if (random() < 0.5) record.cache_write_tokens = Math.floor(random() * 50);
  }
  if (random() < 0.2) {
    record.completion_tokens = Math.floor(random() * 50);
    record.reasoning_tokens = Math.floor(random() * 60);
  }
  if (random() < 0.2) {
    record.started_at = now - 60_000;
    record.ended_at = now - 60_000 + Math.floor(random() * 2_000) - 1_000;
  }
  return record;
}

const fastParse = compileObjectSchema(callRecordInputSchema, (record) => accountingIssues(record as AccountingFields))!;

describe('compiled call record schema', () => {
  it('compiles: the schema is a strict object with one refinement', () => {
    expect(fastParse).not.toBeNull();
  });

  it('never accepts what zod refuses, and gives zod\'s output for what it accepts (20,000 records)', () => {
    let valid = 0;
    let fast = 0;
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      const record = randomRecord(i % 2 === 0 ? 0 : 1 + Math.floor(random() * 2));
      const expected = callRecordInputSchema.safeParse(record);
      const actual = fastParse(record);
      if (!expected.success) {
        refused++;
        expect({ record, accepted: actual }).toEqual({ record, accepted: undefined });
        continue;
      }
      valid++;
      // Only strings of astral code points may be referred to zod when valid.
      if (actual === undefined) {
        expect(JSON.stringify(record)).toContain('😀');
        continue;
      }
      fast++;
      expect(actual).toStrictEqual(expected.data);
    }
    expect(refused).toBeGreaterThan(5_000);
    expect(valid).toBeGreaterThan(2_000);
    expect(fast).toBeGreaterThan(500);
  });

  it('accepts the records ingestion sees every day without zod', () => {
    const record = {
      id: 'bench-1-2', provider: 'openai', model: 'gpt-4o', started_at: now - 1000, latency_ms: 300, prompt_tokens: 200, completion_tokens: 80,
      user_id: 'user-1', session_id: 's-1', agent: 'bench_agent', tags: ['bench'], properties: { symbol: 'EURUSD' },
      input: [{ role: 'user', content: 'hi' }], output: { role: 'assistant', content: 'hello' },
    };
    expect(fastParse(record)).toStrictEqual(callRecordInputSchema.parse(record));
    expect(fastParse({ ...record, started_at: '2026-01-02T03:04:05Z' })?.started_at).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(fastParse({ ...record, cached_tokens: 201 })).toBeUndefined();
    expect(fastParse(JSON.parse('{"provider":"openai","model":"m","__proto__":{"polluted":1}}'))).toBeUndefined();
  });

  it('leaves prepareCalls answering every record as zod alone would: the same call, or the same named field and message', () => {
    const context = { projectId: 'p', apiKeyId: 'k', now: 1_700_000_000_000 };
    const items = Array.from({ length: 3_000 }, (_, i) => ({ id: `c-${i}`, ...randomRecord(i % 2) }));
    const prepared = prepareCalls(items, context);
    items.forEach((item, index) => {
      const expected = callRecordInputSchema.safeParse(item);
      if (!expected.success) {
        const { field, message } = describeZodIssue(expected.error.issues);
        expect(prepared.invalid.find((entry) => entry.index === index)?.error).toEqual({ code: 'validation_error', message: `${field}: ${message}`, field });
        return;
      }
      const write = prepared.writes[prepared.positions.indexOf(index)]!;
      const call = normalizeCall(expected.data as CallRecordInput, context);
      // Pricing happens after validation in both; compare the validated and normalized fields.
      expect({ ...write.call, cost_usd: null, input_cost_usd: null, output_cost_usd: null, price_source: null })
        .toEqual({ ...call, cost_usd: null, input_cost_usd: null, output_cost_usd: null, price_source: null });
    });
    expect(prepared.invalid.length).toBeGreaterThan(300);
    expect(prepared.writes.length).toBeGreaterThan(300);
  });
});
