export { getHostRoute as GET, updateHostRoute as PATCH, deleteHostRoute as DELETE } from '@/server/api/endpoints/hosts.ts';
