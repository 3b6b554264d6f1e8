export { listSavedFiltersRoute as GET, saveFilterRoute as POST } from '@/server/api/endpoints/search.ts';
