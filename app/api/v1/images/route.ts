export { listImagesRoute as GET, createImageRoute as POST } from '@/server/api/endpoints/images.ts';
