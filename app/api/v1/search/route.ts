export { globalSearchRoute as GET } from '@/server/api/endpoints/search.ts';
