// HEAD is GET without the body (Next.js answers it from GET): tus clients ask it for Upload-Offset.
export { getUploadSessionRoute as GET, appendUploadSessionRoute as PATCH, cancelUploadSessionRoute as DELETE } from '@/server/api/endpoints/image-artifacts.ts';
