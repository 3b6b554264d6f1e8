export { getRoleRoute as GET, updateRoleRoute as PATCH, deleteRoleRoute as DELETE } from '@/server/api/endpoints/roles.ts';
