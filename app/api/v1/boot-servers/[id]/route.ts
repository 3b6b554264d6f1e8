export { getBootServerRoute as GET, revokeBootServerRoute as DELETE } from '@/server/api/endpoints/boot-servers.ts';
