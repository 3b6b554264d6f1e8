export { bulkHostsRoute as POST } from '@/server/api/endpoints/hosts.ts';
