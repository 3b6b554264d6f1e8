export { claimDiscoveredRoute as POST } from '@/server/api/endpoints/discovered.ts';
