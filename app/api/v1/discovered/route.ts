export { listDiscoveredRoute as GET } from '@/server/api/endpoints/discovered.ts';
