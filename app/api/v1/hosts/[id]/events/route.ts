export { hostEventsRoute as GET } from '@/server/api/endpoints/hosts.ts';
