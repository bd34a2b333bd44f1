// API key secrets: random, prefixed `lp_`, stored only as a SHA-256 hash (the keys carry
// 256 bits of entropy, so a slow password hash would add nothing but latency).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function generateKeySecret(): string {
  return `lp_${randomBytes(32).toString('base64url')}`;
}

export function hashKeySecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function keyPrefix(secret: string): string {
  return secret.slice(0, 10);
}

export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
