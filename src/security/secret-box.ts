// Encrypts provider API keys at rest (AES-256-GCM). The key lives in <data dir>/secret.key
// (created once, mode 0600) or comes from LOUPE_SECRET_KEY; an in-memory store gets a
// per-process key.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static forDataDir(dataDir: string, fromEnv?: string): SecretBox {
    if (fromEnv) return new SecretBox(Buffer.from(fromEnv, 'base64').subarray(0, 32));
    if (dataDir === ':memory:') return new SecretBox(randomBytes(32));
    const path = join(dataDir, 'secret.key');
    // On PostgreSQL nothing else has created the data directory by now.
    mkdirSync(dataDir, { recursive: true });
    if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    // A damaged file would otherwise fail only at the first key sealed or opened.
    if (key.length < 32) throw new Error(`${path} holds ${key.length} bytes of key; it must hold 32, in base64`);
    return new SecretBox(key.subarray(0, 32));
  }

  /** A key for another purpose (e.g. signing sessions), derived so the sealing key is never reused. */
  derive(purpose: string): Buffer {
    return createHmac('sha256', this.key).update(purpose).digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  open(sealed: string): string {
    const raw = Buffer.from(sealed.slice(3), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
