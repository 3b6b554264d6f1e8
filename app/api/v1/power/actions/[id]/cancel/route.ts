export { cancelBulkPowerRoute as POST } from '@/server/api/endpoints/power.ts';
