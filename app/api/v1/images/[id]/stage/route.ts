export { stageImageRoute as POST } from '@/server/api/endpoints/lifecycle.ts';
