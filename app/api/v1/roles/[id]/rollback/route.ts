export { rollbackRoleRoute as POST } from '@/server/api/endpoints/lifecycle.ts';
