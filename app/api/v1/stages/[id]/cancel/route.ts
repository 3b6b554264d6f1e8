export { cancelStageRoute as POST } from '@/server/api/endpoints/lifecycle.ts';
