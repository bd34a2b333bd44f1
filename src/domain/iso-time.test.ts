// The API's time parser against hand-computed instants: zones, fractions, zoneless times as
// UTC, and the lenient readings of Date.parse it must refuse.
import { describe, expect, it } from 'vitest';
import { parseIsoTime } from './iso-time.js';

describe('parseIsoTime', () => {
  it.each([
    ['2026-11-23T12:00:00Z', Date.UTC(2026, 10, 23, 12)],
    ['2026-11-23t12:00:00z', Date.UTC(2026, 10, 23, 12)],
    ['2026-11-23', Date.UTC(2026, 10, 23)],
    ['2026-11-23 12:34', Date.UTC(2026, 10, 23, 12, 34)],
    ['2026-02-01 10:00:00', Date.UTC(2026, 1, 1, 10)],
    ['2025-12-01T00:00:00', Date.UTC(2025, 11, 1)],
    ['2024-01-01T00:00:00.000Z', Date.UTC(2024, 0, 1)],
    ['2026-11-23T12:00:00.123456789Z', Date.UTC(2026, 10, 23, 12, 0, 0, 123)],
    ['2026-11-23T12:00:00.5Z', Date.UTC(2026, 10, 23, 12, 0, 0, 500)],
    ['2026-11-23T12:00:00+02:00', Date.UTC(2026, 10, 23, 10)],
    ['2026-11-23T12:00:00+0530', Date.UTC(2026, 10, 23, 6, 30)],
    ['2026-11-23T01:00:00-03', Date.UTC(2026, 10, 23, 4)],
    ['2024-02-29T23:59:59Z', Date.UTC(2024, 1, 29, 23, 59, 59)],
    ['0050-01-01T00:00:00Z', -60_589_296_000_000],
  ])('%s', (text, expected) => {
    expect(parseIsoTime(text)).toBe(expected);
  });

  it.each(['-5', '5', '2001', 'yesterday', 'Tuesday, 5 May 2026', '2026-02-30', '2025-02-29T00:00:00Z', '2026-13-01', '2026-11-23T24:00:00Z', '2026-11-23T12:60:00Z', '2026-11-23T12:00:60Z', '2026-11-23T12:00:00+24:00', '2026-11-23T12:00:00+01:60', '+275760-09-13T00:00:00Z', '2026-11-23T12', '2026-11-23T12:00:00 UTC', ''])('refuses %j', (text) => {
    expect(parseIsoTime(text)).toBeNull();
  });
});
