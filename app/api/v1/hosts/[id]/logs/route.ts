export { hostLogsRoute as GET } from '@/server/api/endpoints/host-logs.ts';
