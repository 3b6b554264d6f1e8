// Opaque secrets (session cookies, API tokens): random, shown once, stored only as sha256
// (lib/node/secret-hash.ts, shared with bootd's boot server credential).
export { hashSecret, newSecret } from '../../lib/node/secret-hash.ts';

export const apiTokenPrefix = 'fbt_';
