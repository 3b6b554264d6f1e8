export { signInRoute as POST } from '@/server/api/endpoints/accounts.ts';
