export const dynamic = 'force-dynamic';
export { artifactForBootServerRoute as GET } from '@/server/api/endpoints/artifact-origin.ts';
