export { getImageRoute as GET, updateImageRoute as PATCH, deleteImageRoute as DELETE } from '@/server/api/endpoints/images.ts';
