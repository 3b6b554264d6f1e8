export { changePasswordRoute as POST } from '@/server/api/endpoints/accounts.ts';
