export { listBulkPowerRoute as GET } from '@/server/api/endpoints/power.ts';
