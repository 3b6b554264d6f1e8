export { signOutRoute as POST } from '@/server/api/endpoints/accounts.ts';
