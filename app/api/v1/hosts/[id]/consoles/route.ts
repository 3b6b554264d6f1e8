export { hostConsolesRoute as GET } from '@/server/api/endpoints/boot-consoles.ts';
