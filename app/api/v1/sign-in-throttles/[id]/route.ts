export { unlockSignInThrottleRoute as DELETE } from '@/server/api/endpoints/accounts.ts';
