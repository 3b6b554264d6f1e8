// Opaque secrets (session cookies, API tokens, boot server credentials): random, shown once,
// stored only as sha256. Shared by the web process (which makes and checks them) and bootd
// (which proves its credential to the registry in PostgreSQL by the same hash).
import { createHash, randomBytes } from 'node:crypto';

export function newSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
