export { revokeTokenRoute as DELETE } from '@/server/api/endpoints/accounts.ts';
