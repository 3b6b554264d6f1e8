export { putArtifactRoute as PUT, postArtifactFormRoute as POST } from '@/server/api/endpoints/image-artifacts.ts';
