export { promoteImageRoute as POST } from '@/server/api/endpoints/lifecycle.ts';
