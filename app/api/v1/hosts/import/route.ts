export { importHostsRoute as POST } from '@/server/api/endpoints/hosts.ts';
