export { listRolesRoute as GET, createRoleRoute as POST } from '@/server/api/endpoints/roles.ts';
