export { abortRolloutRoute as POST } from '@/server/api/endpoints/lifecycle.ts';
