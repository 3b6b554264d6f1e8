export { createUploadSessionRoute as POST } from '@/server/api/endpoints/image-artifacts.ts';
