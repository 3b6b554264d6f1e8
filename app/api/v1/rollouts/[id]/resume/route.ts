export { resumeRolloutRoute as POST } from '@/server/api/endpoints/lifecycle.ts';
