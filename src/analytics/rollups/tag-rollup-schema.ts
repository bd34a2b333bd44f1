// Rollups per UTC hour and day by tag: the sums the cost breakdown by tag reports, so that it
// reads about one row per tag and day instead of every call of the range (at 1M calls on
// PostgreSQL the raw breakdown took half a second). A call counts once under each of its tags,
// as in the raw breakdown; calls without tags add nothing. Hours as well as days, so that only
// the part of an hour at either end of a range is read raw, as for the call rollups.
import { valueColumn, type RollupTable } from './rollup-schema.js';
import { memberKeys } from './people-rollup-schema.js';

export const TAG_ROLLUPS: RollupTable = {
  name: 'call_rollup_tags',
  dimensions: [],
  extraKeys: memberKeys('tagged.tag'),
  values: ['calls', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'cost_usd', 'priced_calls', 'unpriced_tokens'].map(valueColumn),
  grains: ['hour', 'day'],
  lateral: 'CROSS JOIN LATERAL unnest(calls.tags) AS tagged(tag)',
};

