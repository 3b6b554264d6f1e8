export const dynamic = 'force-dynamic';
export { eventStreamRoute as GET } from '@/server/api/endpoints/event-stream.ts';
