// GET|HEAD /api/v1/artifacts/{sha256}: an artifact's bytes for a boot server, which sends its
// own credential (Authorization: Bearer fbb_…; made and revoked on the Boot servers page).
// One byte range (RFC 9110 §14) lets a cut pull resume where it stopped; If-Range with the
// ETag (the sha256) makes sure the rest is of the same file. Users' sessions and API tokens
// are not boot servers: they get 401 here.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { decideRange, rangeStillValid } from '../../../lib/http-range.ts';
import { findBootServerByCredential } from '../../boot-servers/queries.ts';
import { findArtifactFile, sha256Pattern } from '../../images/artifact-origin.ts';
import { errorResponse } from '../respond.ts';
import { notFound, unauthorized } from '../../errors.ts';

type RouteContext = { params: Promise<Record<string, string>> };

function bearer(req: Request): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.get('authorization') ?? '');
  return m ? m[1]! : null;
}

export async function artifactForBootServerRoute(req: Request, route: RouteContext): Promise<Response> {
  try {
    const credential = bearer(req);
    if (!credential || !(await findBootServerByCredential(credential))) throw unauthorized('send a boot server credential (Authorization: Bearer fbb_…)');
    const { sha256 } = await route.params;
    if (!sha256 || !sha256Pattern.test(sha256)) throw notFound('artifact');
    const file = await findArtifactFile(sha256);
    if (!file) throw notFound('artifact');
    const etag = `"${file.sha256}"`;
    const lastModified = file.lastModified.toUTCString();
    const common = { etag, 'last-modified': lastModified, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream', 'cache-control': 'no-store' };
    const decision = rangeStillValid(req.headers.get('if-range') ?? undefined, etag, lastModified) ? decideRange(req.headers.get('range') ?? undefined, file.sizeBytes) : { kind: 'whole' as const };
    if (decision.kind === 'unsatisfiable') return new Response(null, { status: 416, headers: { ...common, 'content-range': `bytes */${file.sizeBytes}` } });
    // A pull asks for one range (the rest of its file); several are answered whole (RFC 9110 §14.2 allows it).
    const range = decision.kind === 'partial' && decision.ranges.length === 1 ? decision.ranges[0]! : { start: 0, end: file.sizeBytes - 1 };
    const partial = range.start !== 0 || range.end !== file.sizeBytes - 1;
    const length = Math.max(0, range.end - range.start + 1);
    const headers = { ...common, 'content-length': String(length), ...(partial ? { 'content-range': `bytes ${range.start}-${range.end}/${file.sizeBytes}` } : {}) };
    if (req.method === 'HEAD' || length === 0) return new Response(null, { status: partial ? 206 : 200, headers });
    const body = Readable.toWeb(createReadStream(file.path, { start: range.start, end: range.end, highWaterMark: 1024 * 1024 })) as ReadableStream<Uint8Array>;
    return new Response(body, { status: partial ? 206 : 200, headers });
  } catch (err) {
    return errorResponse(err);
  }
}
