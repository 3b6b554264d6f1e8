export { imageStagesRoute as GET } from '@/server/api/endpoints/lifecycle.ts';
