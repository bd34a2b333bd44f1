// The sealing key: created once in a data directory that may not exist yet (a PostgreSQL
// instance creates nothing else there first), kept private, and found again on the next start.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

const root = mkdtempSync(join(tmpdir(), 'loupe-secret-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('SecretBox.forDataDir', () => {
  it('creates a missing data directory and its key, and the next start opens what the first sealed', () => {
    const dataDir = join(root, 'not', 'yet', 'there');
    const sealed = SecretBox.forDataDir(dataDir).seal('sk-live-123');
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(SecretBox.forDataDir(dataDir).open(sealed)).toBe('sk-live-123');
  });

  it('refuses a key file too short to seal with, naming the file', () => {
    const dir = join(root, 'short');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'secret.key'), Buffer.alloc(16, 1).toString('base64'));
    expect(() => SecretBox.forDataDir(dir)).toThrow(/secret\.key holds 16 bytes of key; it must hold 32/);
  });

  it('uses LOUPE_SECRET_KEY instead of a file when given', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const sealed = SecretBox.forDataDir(join(root, 'a'), key).seal('x');
    expect(SecretBox.forDataDir(join(root, 'b'), key).open(sealed)).toBe('x');
  });
});
