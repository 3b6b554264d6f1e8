export { hostPowerRoute as POST } from '@/server/api/endpoints/power.ts';
