export { openApiRoute as GET } from '@/server/api/openapi.ts';
