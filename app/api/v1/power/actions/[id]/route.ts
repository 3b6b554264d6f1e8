export { getBulkPowerRoute as GET } from '@/server/api/endpoints/power.ts';
