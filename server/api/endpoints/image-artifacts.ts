// Artifact uploads, all streamed to disk, never buffered:
//   PUT  /api/v1/images/{id}/artifacts/{kind}   the raw body is the file (curl -T, or a form)
//   POST /api/v1/images/{id}/artifacts/{kind}   multipart/form-data (curl -F kind=@file)
//   POST /api/v1/images/{id}/artifacts/{kind}/uploads   a resumable upload (the console's)
//   GET|HEAD|PATCH|DELETE /api/v1/uploads/{uploadId}   its offset, a chunk, cancel
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { apiRoute, queryObject, readJson } from '../handler.ts';
import { DomainError, invalid } from '../../errors.ts';
import { artifactKindParam, artifactUploadQuery, uploadChunkHeaders, uploadSessionCreate } from '../../images/schema.ts';
import { uploadArtifact, uploadArtifactForm } from '../../images/upload.ts';
import { appendToUploadSession, cancelUploadSession, createUploadSession, getUploadSessionOrThrow, type UploadSession } from '../../images/upload-sessions.ts';
import { requireMediaType } from '../media-type.ts';
import { multipartBoundary, readFieldText, readFormParts, type FormPart } from '../multipart-form.ts';
import { json } from '../respond.ts';

export const checksumHeader = 'x-checksum-sha256';

function bodyStream(req: Request): Readable | null {
  return req.body ? Readable.fromWeb(req.body as unknown as NodeWebStream<Uint8Array>) : null;
}

function declaredLength(req: Request): number | undefined {
  const length = req.headers.get('content-length');
  return length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
}

const uploadArtifactRoute = (method: 'PUT' | 'POST') =>
  apiRoute<{ id: string; kind: string }>('operator', async ({ req, actor, params, url }) => {
    const kind = artifactKindParam.parse(params.kind);
    const q = artifactUploadQuery.parse({ ...queryObject(url), ...(req.headers.get(checksumHeader) ? { sha256: req.headers.get(checksumHeader) } : {}) });
    const force = q.force === 'true' || q.force === '1';
    const body = bodyStream(req);
    if (!body) throw invalid('body', 'send the file as the request body');
    const boundary = multipartBoundary(req.headers.get('content-type'));
    if (boundary) {
      return uploadArtifactForm(actor, {
        imageId: params.id,
        kind,
        parts: readFormParts(body, boundary),
        readField: (part) => readFieldText(part as FormPart),
        expectedSha256: q.sha256,
        declaredBytes: declaredLength(req),
        force,
      });
    }
    // A raw-body POST would be a "simple" cross-site request; the raw body goes by PUT only.
    if (method === 'POST') throw new DomainError('unsupported_media_type', `POST takes multipart/form-data (curl -F ${kind}=@file); send a raw body with PUT (curl -T)`, 'content-type');
    // The raw file: application/octet-stream, or no type at all (curl -T sends none).
    if (req.headers.get('content-type') !== null) requireMediaType(req, ['application/octet-stream']);
    return uploadArtifact(actor, { imageId: params.id, kind, body, expectedSha256: q.sha256, declaredBytes: declaredLength(req), force });
  });

export const putArtifactRoute = uploadArtifactRoute('PUT');
export const postArtifactFormRoute = uploadArtifactRoute('POST');

/** tus's headers for where an upload stands (HEAD gets them with GET's status and no body). */
function sessionHeaders(s: UploadSession): Record<string, string> {
  return { 'upload-offset': String(s.offset), 'upload-length': String(s.sizeBytes), 'upload-expires': new Date(s.expiresAt).toUTCString() };
}

export const createUploadSessionRoute = apiRoute<{ id: string; kind: string }>('operator', async ({ req, actor, params }) => {
  const kind = artifactKindParam.parse(params.kind);
  const input = uploadSessionCreate.parse(await readJson(req));
  const session = await createUploadSession(actor, { imageId: params.id, kind, sizeBytes: input.sizeBytes, sha256: input.sha256, force: input.force ?? false });
  return json(session, 201, { location: session.url, ...sessionHeaders(session) });
});

export const getUploadSessionRoute = apiRoute<{ id: string }>('operator', async ({ params }) => {
  const session = await getUploadSessionOrThrow(params.id);
  return json(session, 200, sessionHeaders(session));
});

export const appendUploadSessionRoute = apiRoute<{ id: string }>('operator', async ({ req, actor, params }) => {
  // tus 1.0 §PATCH: a chunk is application/offset+octet-stream, anything else is 415.
  requireMediaType(req, ['application/offset+octet-stream']);
  const h = uploadChunkHeaders.parse({ 'upload-offset': req.headers.get('upload-offset') ?? undefined, [checksumHeader]: req.headers.get(checksumHeader) ?? undefined });
  const result = await appendToUploadSession(actor, params.id, { offset: h['upload-offset'], body: bodyStream(req), sha256: h[checksumHeader] });
  return json(result, 200, sessionHeaders(result));
});

export const cancelUploadSessionRoute = apiRoute<{ id: string }>('operator', async ({ params }) => {
  await cancelUploadSession(params.id);
});
