export { updateUserRoute as PATCH } from '@/server/api/endpoints/accounts.ts';
