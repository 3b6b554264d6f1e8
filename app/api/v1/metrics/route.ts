export const dynamic = 'force-dynamic';
export { metricsRoute as GET } from '@/server/api/endpoints/metrics.ts';
