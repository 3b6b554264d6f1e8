export { getStageRoute as GET } from '@/server/api/endpoints/lifecycle.ts';
