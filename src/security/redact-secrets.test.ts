import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from './redact-secrets.js';

describe('redactSecrets', () => {
  it('replaces each kind of credential and keeps what names it', () => {
    const cases: [string, string][] = [
      ['my key is sk-proj-Abcdefghijklmnopqrstuvwxyz0123', `my key is ${REDACTED}`],
      ['sk-ant-api03-abcdefghijklmnopqrstuvwxyz_ABCDEF-123', REDACTED],
      ['OPENROUTER=sk-or-v1-0123456789abcdef0123456789abcdef', `OPENROUTER=${REDACTED}`],
      ['loupe lp_live_0123456789abcdef0123', `loupe ${REDACTED}`],
      ['AIzaSyA-1234567890abcdefghijklmnopqrstu is Google', `${REDACTED} is Google`],
      ['aws AKIAIOSFODNN7EXAMPLE here', `aws ${REDACTED} here`],
      ['ghp_0123456789abcdefghijklmnopqrstuvwxyzAB', REDACTED],
      ['xoxb-1234567890-abcdefghij', REDACTED],
      ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', `Authorization: Bearer ${REDACTED}`],
      ['GET https://generativelanguage.googleapis.com/v1/models?alt=sse&key=abc123secret failed', `GET https://generativelanguage.googleapis.com/v1/models?alt=sse&key=${REDACTED} failed`],
      ['https://x.test/cb?token=s3cr3t-value#top', `https://x.test/cb?token=${REDACTED}#top`],
    ];
    for (const [text, expected] of cases) expect(redactSecrets(text), text).toBe(expected);
  });

  it('leaves ordinary text alone, the same string', () => {
    const texts = [
      'a risk-adjusted, task-based plan for the desk-level review',
      'the key=value pairs are listed; see https://example.com/?page=2&sort=asc',
      'bearer bonds and short keys like sk-short or lp_short',
      'AKIA is an acronym',
    ];
    for (const text of texts) expect(redactSecrets(text)).toBe(text);
  });

  it('keeps JSON text valid JSON', () => {
    const json = JSON.stringify([{ role: 'user', content: 'use "sk-proj-Abcdefghijklmnopqrstuvwxyz0123" and\n?key=abcd"ef' }]);
    const redacted = redactSecrets(json);
    expect(JSON.parse(redacted)).toEqual([{ role: 'user', content: `use "${REDACTED}" and\n?key=${REDACTED}"ef` }]);
  });
});
