export { whoAmIRoute as GET } from '@/server/api/endpoints/accounts.ts';
