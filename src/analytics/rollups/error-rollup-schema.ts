// Rollups per UTC hour and day of the failed calls by error type and message: what
// analytics/errors reports beyond the figures per provider and model (which the call rollups
// answer), so that it reads about one row per day and distinct error instead of every failed
// call of the range. A message is keyed by its MD5 (messages run to 10,000 characters, beyond an
// index key) and kept whole beside it. Hours as well as days, so that only the part of an hour at
// either end of a range is read raw.
import type { CallStatus } from '../../domain/call-record.js';
import { memberKeys } from './people-rollup-schema.js';
import { valueColumn, type RollupTable } from './rollup-schema.js';

/** The statuses analytics/errors counts as failures. */
export const FAILED_STATUSES: readonly CallStatus[] = ['error', 'timeout', 'cancelled'];

export const ERROR_ROLLUPS: RollupTable = {
  name: 'call_rollup_errors',
  dimensions: [],
  // `named` 0 and `member` '' for calls without an error type; `message_key` '' without a message.
  extraKeys: [...memberKeys('error_type'), { name: 'message_key', perCall: "COALESCE(md5(error_message), '')", type: 'text' }],
  values: [
    valueColumn('calls'),
    { name: 'message', perCall: 'error_message', type: 'text', merge: 'max' },
    { name: 'last_seen', perCall: 'started_at', type: 'timestamp', merge: 'max' },
  ],
  grains: ['hour', 'day'],
  only: `status IN (${FAILED_STATUSES.map((status) => `'${status}'`).join(', ')})`,
};

