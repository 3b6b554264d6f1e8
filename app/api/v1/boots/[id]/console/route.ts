export { bootConsoleRoute as GET } from '@/server/api/endpoints/boot-consoles.ts';
