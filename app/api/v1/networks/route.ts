export { listNetworksRoute as GET, createNetworkRoute as POST } from '@/server/api/endpoints/networks.ts';
