import { describe, expect, it } from 'vitest';
import { ResponseCache, type CachedAnswer } from './response-cache.js';

const answer = (bytes: number, id: string): CachedAnswer => ({
  body: Buffer.alloc(bytes, 0x61), contentType: 'application/json', sourceCallId: id, provider: 'openai', model: 'gpt-4o', responseModel: null,
  finishReason: 'stop', usage: null, usageComplete: false, toolCalls: 0, output: null, completionText: '',
});

describe('ResponseCache', () => {
  it('keeps answers within its bytes, dropping the least recently used first', () => {
    // Each entry counts twice its body plus 1 KiB: 100 KiB bodies take 201 KiB, so five fit in 1 MiB.
    const cache = new ResponseCache({ byDefault: false, ttlMs: 60_000, maxBytes: 1024 * 1024 });
    for (let i = 0; i < 5; i++) cache.set(`k${i}`, answer(100 * 1024, `c${i}`), 60_000, 0);
    expect(cache.size.entries).toBe(5);
    expect(cache.get('k0', 1)?.sourceCallId).toBe('c0');
    cache.set('k5', answer(100 * 1024, 'c5'), 60_000, 2);
    // k1 was the least recently used (k0 was just read).
    expect([cache.get('k1', 3), cache.get('k0', 3)?.sourceCallId, cache.get('k5', 3)?.sourceCallId]).toEqual([null, 'c0', 'c5']);
    expect(cache.size.bytes).toBeLessThanOrEqual(1024 * 1024);
  });

  it('forgets an answer when its time is up, and refuses one too large to share the space', () => {
    const cache = new ResponseCache({ byDefault: false, ttlMs: 1000, maxBytes: 1024 * 1024 });
    cache.set('k', answer(10, 'c'), 1000, 0);
    expect(cache.get('k', 999)?.sourceCallId).toBe('c');
    expect(cache.get('k', 1000)).toBeNull();
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
    cache.set('big', answer(200 * 1024, 'b'), 1000, 0);
    expect(cache.get('big', 1)).toBeNull();
  });

  it('keys by project, path and bytes, and reads the request headers', () => {
    const cache = new ResponseCache({ byDefault: false, ttlMs: 5000, maxBytes: 1024 * 1024 });
    const body = Buffer.from('{"model":"gpt-4o"}');
    expect(cache.policy({}, 'p', '/chat/completions', body)).toBeNull();
    const a = cache.policy({ 'x-loupe-cache': 'true' }, 'p', '/chat/completions', body)!;
    expect(a.ttlMs).toBe(5000);
    expect(cache.policy({ 'x-loupe-cache': '1' }, 'p', '/chat/completions', body)!.key).toBe(a.key);
    expect(cache.policy({ 'x-loupe-cache': 'true' }, 'q', '/chat/completions', body)!.key).not.toBe(a.key);
    expect(cache.policy({ 'x-loupe-cache': 'true' }, 'p', '/completions', body)!.key).not.toBe(a.key);
    expect(cache.policy({ 'x-loupe-cache': 'true', 'x-loupe-cache-ttl': '30' }, 'p', '/chat/completions', body)!.ttlMs).toBe(30_000);
    expect(() => cache.policy({ 'x-loupe-cache': 'yes please' }, 'p', '/x', body)).toThrow(/x-loupe-cache/);
    expect(() => cache.policy({ 'x-loupe-cache': 'true', 'x-loupe-cache-ttl': '-4' }, 'p', '/x', body)).toThrow(/x-loupe-cache-ttl/);
    const byDefault = new ResponseCache({ byDefault: true, ttlMs: 5000, maxBytes: 1024 * 1024 });
    expect(byDefault.policy({}, 'p', '/x', body)).not.toBeNull();
    expect(byDefault.policy({ 'x-loupe-cache': 'false' }, 'p', '/x', body)).toBeNull();
  });
});
