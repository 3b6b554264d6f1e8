export { bulkPowerRoute as POST } from '@/server/api/endpoints/power.ts';
