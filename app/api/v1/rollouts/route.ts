export { listRolloutsRoute as GET } from '@/server/api/endpoints/lifecycle.ts';
