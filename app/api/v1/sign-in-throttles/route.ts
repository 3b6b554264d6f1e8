export { listSignInThrottlesRoute as GET } from '@/server/api/endpoints/accounts.ts';
