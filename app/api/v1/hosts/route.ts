export { listHostsRoute as GET, createHostRoute as POST } from '@/server/api/endpoints/hosts.ts';
