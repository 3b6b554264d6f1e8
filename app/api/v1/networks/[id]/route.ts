export { getNetworkRoute as GET, updateNetworkRoute as PATCH, deleteNetworkRoute as DELETE } from '@/server/api/endpoints/networks.ts';
