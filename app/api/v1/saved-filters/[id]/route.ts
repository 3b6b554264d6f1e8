export { deleteSavedFilterRoute as DELETE } from '@/server/api/endpoints/search.ts';
