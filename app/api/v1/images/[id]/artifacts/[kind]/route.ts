export { uploadArtifactRoute as PUT } from '@/server/api/endpoints/image-artifacts.ts';
