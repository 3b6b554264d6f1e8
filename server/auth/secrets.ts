// Opaque secrets (session cookies, API tokens): random, shown once, stored only as sha256.
import { createHash, randomBytes } from 'node:crypto';

export const apiTokenPrefix = 'fbt_';

export function newSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
