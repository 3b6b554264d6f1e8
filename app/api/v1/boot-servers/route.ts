export const dynamic = 'force-dynamic';
export { listBootServersRoute as GET, createBootServerRoute as POST } from '@/server/api/endpoints/boot-servers.ts';
