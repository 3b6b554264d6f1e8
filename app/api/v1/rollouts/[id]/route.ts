export { getRolloutRoute as GET } from '@/server/api/endpoints/lifecycle.ts';
