export { listTokensRoute as GET, createTokenRoute as POST } from '@/server/api/endpoints/accounts.ts';
