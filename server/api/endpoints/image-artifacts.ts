// PUT /api/v1/images/{id}/artifacts/{kernel|initrd|rootfs}: the raw body is the file (curl -T,
// or the console's XHR with upload progress). Streamed to disk, never buffered.
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { apiRoute, queryObject } from '../handler.ts';
import { invalid } from '../../errors.ts';
import { artifactKindParam, artifactUploadQuery } from '../../images/schema.ts';
import { uploadArtifact } from '../../images/upload.ts';

export const checksumHeader = 'x-checksum-sha256';

export const uploadArtifactRoute = apiRoute<{ id: string; kind: string }>('operator', async ({ req, actor, params, url }) => {
  const kind = artifactKindParam.parse(params.kind);
  const q = artifactUploadQuery.parse({ ...queryObject(url), ...(req.headers.get(checksumHeader) ? { sha256: req.headers.get(checksumHeader) } : {}) });
  if (!req.body) throw invalid('body', 'send the file as the request body');
  const length = req.headers.get('content-length');
  return uploadArtifact(actor, {
    imageId: params.id,
    kind,
    body: Readable.fromWeb(req.body as unknown as NodeWebStream<Uint8Array>),
    expectedSha256: q.sha256,
    declaredBytes: length !== null && /^\d+$/.test(length) ? Number(length) : undefined,
    force: q.force === 'true' || q.force === '1',
  });
});
