// Sends one boot file over HTTP: validators (ETag, Last-Modified → 304), Range (206, several
// ranges as multipart/byteranges, 416), HEAD, Content-Length. Small files come from the shared
// in-memory cache in one write; big ones stream from disk with backpressure, never whole.
import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BootFile } from '../boot-config/boot-files.ts';
import type { FileCache } from '../boot-config/file-cache.ts';
import { decideRange, noneMatch, rangeStillValid, type ByteRange } from './range.ts';

export interface FileResponseHooks {
  /** Called as body bytes are handed to the socket (throttling is the caller's business). */
  onProgress(bytesSent: number, bytesTotal: number): void;
  onDone(result: { ok: true; bytesSent: number; status: number } | { ok: false; bytesSent: number; reason: string }): void;
}

export const noHooks: FileResponseHooks = { onProgress() {}, onDone() {} };

/** Stream chunk size for files read from disk (fewer syscalls than the 64 KiB default). */
export const streamChunkBytes = 256 * 1024;

export function etagOf(file: BootFile): string {
  if (file.kind === 'generated' || file.sha256) return `"${file.kind === 'generated' ? file.sha256.slice(0, 32) : file.sha256}"`;
  return `"${file.ino.toString(16)}-${file.sizeBytes.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
}

function sizeOf(file: BootFile): number {
  return file.kind === 'generated' ? file.bytes.length : file.sizeBytes;
}

export async function sendBootFile(req: IncomingMessage, res: ServerResponse, file: BootFile, cache: FileCache, hooks: FileResponseHooks = noHooks): Promise<void> {
  const size = sizeOf(file);
  const etag = etagOf(file);
  const lastModified = new Date(file.kind === 'disk' ? file.mtimeMs : Date.now()).toUTCString();
  const contentType = file.kind === 'generated' ? file.contentType : 'application/octet-stream';
  res.setHeader('ETag', etag);
  res.setHeader('Accept-Ranges', 'bytes');
  if (file.kind === 'disk') res.setHeader('Last-Modified', lastModified);
  // Boot files change when an image is replaced: caches must ask again, and the ETag makes that cheap.
  res.setHeader('Cache-Control', 'no-cache');

  if (noneMatch(req.headers['if-none-match'], etag)) {
    res.writeHead(304).end();
    hooks.onDone({ ok: true, bytesSent: 0, status: 304 });
    return;
  }
  const decision = rangeStillValid(req.headers['if-range'] as string | undefined, etag, lastModified) ? decideRange(req.headers.range, size) : { kind: 'whole' as const };
  if (decision.kind === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': 0 }).end();
    hooks.onDone({ ok: false, bytesSent: 0, reason: 'range-not-satisfiable' });
    return;
  }
  const head = req.method === 'HEAD';
  const bytes = file.kind === 'generated' ? file.bytes : cache.fits(file.sizeBytes) ? await cache.read(file.path, { dev: file.dev, ino: file.ino, size: file.sizeBytes, mtimeMs: file.mtimeMs }) : null;
  const body = (range: ByteRange) => bodyPart(file, bytes, range);

  if (decision.kind === 'whole' || decision.ranges.length === 1) {
    const range = decision.kind === 'whole' ? { start: 0, end: size - 1 } : decision.ranges[0]!;
    const length = range.end - range.start + 1;
    const headers: Record<string, string | number> = { 'Content-Type': contentType, 'Content-Length': length };
    if (decision.kind === 'partial') headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
    res.writeHead(decision.kind === 'partial' ? 206 : 200, headers);
    if (head || length === 0) {
      res.end();
      hooks.onDone({ ok: true, bytesSent: 0, status: res.statusCode });
      return;
    }
    await writeParts(res, [body(range)], length, hooks);
    return;
  }

  // RFC 9110 §14.6: several ranges go as multipart/byteranges, each part with its Content-Range.
  const boundary = randomBytes(12).toString('hex');
  const parts: BodyPart[] = [];
  for (const range of decision.ranges) {
    parts.push({ kind: 'bytes', bytes: Buffer.from(`\r\n--${boundary}\r\nContent-Type: ${contentType}\r\nContent-Range: bytes ${range.start}-${range.end}/${size}\r\n\r\n`) });
    parts.push(body(range));
  }
  parts.push({ kind: 'bytes', bytes: Buffer.from(`\r\n--${boundary}--\r\n`) });
  const total = parts.reduce((n, p) => n + (p.kind === 'bytes' ? p.bytes.length : p.end - p.start + 1), 0);
  res.writeHead(206, { 'Content-Type': `multipart/byteranges; boundary=${boundary}`, 'Content-Length': total });
  if (head) {
    res.end();
    hooks.onDone({ ok: true, bytesSent: 0, status: 206 });
    return;
  }
  await writeParts(res, parts, total, hooks);
}

type BodyPart = { kind: 'bytes'; bytes: Buffer } | { kind: 'disk'; path: string; start: number; end: number };

function bodyPart(file: BootFile, bytes: Buffer | null, range: ByteRange): BodyPart {
  if (bytes) return { kind: 'bytes', bytes: bytes.subarray(range.start, range.end + 1) };
  if (file.kind !== 'disk') throw new Error('unreachable: generated files are always in memory');
  return { kind: 'disk', path: file.path, start: range.start, end: range.end };
}

async function writeParts(res: ServerResponse, parts: BodyPart[], total: number, hooks: FileResponseHooks): Promise<void> {
  let sent = 0;
  // One in-memory part: a single write, the fast path for small cached files.
  const only = parts[0];
  if (parts.length === 1 && only?.kind === 'bytes') {
    res.end(only.bytes);
    hooks.onDone({ ok: true, bytesSent: only.bytes.length, status: res.statusCode });
    return;
  }
  try {
    for (const part of parts) {
      if (part.kind === 'bytes') {
        sent += part.bytes.length;
        if (!res.write(part.bytes)) await drained(res);
        continue;
      }
      const stream = createReadStream(part.path, { start: part.start, end: part.end, highWaterMark: streamChunkBytes });
      try {
        for await (const chunk of stream) {
          if (res.destroyed) throw new Error('client went away');
          sent += (chunk as Buffer).length;
          hooks.onProgress(sent, total);
          if (!res.write(chunk)) await drained(res);
        }
      } finally {
        stream.destroy();
      }
    }
    res.end();
    hooks.onDone({ ok: true, bytesSent: sent, status: res.statusCode });
  } catch (err) {
    res.destroy();
    hooks.onDone({ ok: false, bytesSent: sent, reason: (err as Error).message });
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => { cleanup(); resolve(); };
    const onClose = () => { cleanup(); reject(new Error('client went away')); };
    const cleanup = () => { res.off('drain', onDrain); res.off('close', onClose); };
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
