export { listUsersRoute as GET, createUserRoute as POST } from '@/server/api/endpoints/accounts.ts';
