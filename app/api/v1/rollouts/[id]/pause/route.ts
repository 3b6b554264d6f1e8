export { pauseRolloutRoute as POST } from '@/server/api/endpoints/lifecycle.ts';
