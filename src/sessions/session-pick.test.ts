// Which way the sessions list finds its page: from the range's share of the project's history.
import { describe, expect, it } from 'vitest';
import { pickForRange } from './session-query.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 24, 12);
const FIRST = NOW - 30 * DAY;

describe('pickForRange', () => {
  it.each([
    ['the last 24 h of 30 days', { from: NOW - DAY }, 'candidates'],
    ['the last 4 days of 30', { from: NOW - 4 * DAY }, 'candidates'],
    ['the last 7 days of 30', { from: NOW - 7 * DAY }, 'scan'],
    ['all 30 days', { from: FIRST }, 'scan'],
    ['two days long ago', { from: FIRST + DAY, to: FIRST + 3 * DAY }, 'candidates'],
    ['a range ending in the future counts up to now', { from: NOW - 2 * DAY, to: NOW + 100 * DAY }, 'candidates'],
    ['no start', {}, 'scan'],
  ] as const)('%s: %s', (_label, range, expected) => {
    expect(pickForRange(FIRST, range, NOW)).toBe(expected);
  });

  it('scans when the project has no rolled-up day yet, or its first day is now', () => {
    expect(pickForRange(null, { from: NOW - DAY }, NOW)).toBe('scan');
    expect(pickForRange(NOW, { from: NOW - DAY }, NOW)).toBe('scan');
  });
});
