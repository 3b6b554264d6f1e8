export { getSettingsRoute as GET, updateSettingsRoute as PATCH } from '@/server/api/endpoints/accounts.ts';
