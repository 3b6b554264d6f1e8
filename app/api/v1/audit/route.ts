export { listAuditRoute as GET } from '@/server/api/endpoints/read-only.ts';
