// Sends one boot file over HTTP: validators (ETag, Last-Modified → 304), Range (206, several
// ranges as multipart/byteranges, 416), HEAD, Content-Length. A file is "prepared" once
// (validators, headers, and its bytes when small enough for the cache) and the preparation is
// reused while the file is unchanged, so a hot small file costs one write and no syscall
// besides it (nginx's open_file_cache idea). Big files stream from disk with backpressure.
import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BootFile } from '../boot-config/boot-files.ts';
import type { FileCache } from '../boot-config/file-cache.ts';
import { decideRange, noneMatch, rangeStillValid, type ByteRange } from '../../lib/http-range.ts';

export type FileResponseResult =
  | { ok: true; bytesSent: number; status: number }
  /** `aborted`: the client went away (or the socket failed) before the last byte left. */
  | { ok: false; bytesSent: number; reason: string; aborted?: boolean };

export interface FileResponseHooks {
  /** Called as streamed body bytes are handed to the socket (throttling is the caller's business). */
  onProgress(bytesSent: number, bytesTotal: number): void;
  /** Called once the response's last byte has left for the kernel ('finish'), or when it was cut short. */
  onDone(result: FileResponseResult): void;
}

export const noHooks: FileResponseHooks = { onProgress() {}, onDone() {} };

/** Stream chunk size for files read from disk (fewer syscalls than the 64 KiB default). */
export const streamChunkBytes = 1024 * 1024;
/**
 * Bytes a response may hold queued in user space before we wait for the socket to drain:
 * waiting after every chunk (Node's 16 KiB default) leaves the socket idle between reads.
 */
export const maxQueuedResponseBytes = 2 * 1024 * 1024;

export interface PreparedFile {
  file: BootFile;
  sizeBytes: number;
  etag: string;
  lastModified: string | null;
  contentType: string;
  /** The whole file when it is in memory (generated, or small enough for the cache). */
  bytes: Buffer | null;
  /** Headers of a whole-file 200, flat [name, value, ...] as writeHead takes them. */
  wholeHeaders: string[];
}

export function etagOf(file: BootFile): string {
  if (file.kind === 'generated') return `"${file.sha256.slice(0, 32)}"`;
  if (file.sha256) return `"${file.sha256}"`;
  return `"${file.ino.toString(16)}-${file.sizeBytes.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
}

export function prepareFile(file: BootFile, bytes: Buffer | null): PreparedFile {
  const sizeBytes = file.kind === 'generated' ? file.bytes.length : file.sizeBytes;
  const etag = etagOf(file);
  const lastModified = file.kind === 'disk' ? new Date(file.mtimeMs).toUTCString() : null;
  const contentType = file.kind === 'generated' ? file.contentType : 'application/octet-stream';
  const common = ['ETag', etag, 'Accept-Ranges', 'bytes',
    // Boot files change when an image is replaced: caches must ask again; the ETag makes that cheap.
    'Cache-Control', 'no-cache'];
  if (lastModified) common.push('Last-Modified', lastModified);
  return {
    file, sizeBytes, etag, lastModified, contentType,
    bytes: file.kind === 'generated' ? file.bytes : bytes,
    wholeHeaders: [...common, 'Content-Type', contentType, 'Content-Length', String(sizeBytes)],
  };
}

/** Reads the bytes of a small disk file through the shared cache, then prepares it. */
export async function loadAndPrepare(file: BootFile, cache: FileCache): Promise<PreparedFile> {
  if (file.kind === 'disk' && cache.fits(file.sizeBytes)) {
    return prepareFile(file, await cache.read(file.path, { dev: file.dev, ino: file.ino, size: file.sizeBytes, mtimeMs: file.mtimeMs }));
  }
  return prepareFile(file, null);
}

function commonHeaders(p: PreparedFile): string[] {
  const h = ['ETag', p.etag, 'Accept-Ranges', 'bytes', 'Cache-Control', 'no-cache'];
  if (p.lastModified) h.push('Last-Modified', p.lastModified);
  return h;
}

/**
 * Answers the request from a prepared file. Synchronous (returns null) when the answer is
 * in memory; a promise when it streams from disk.
 */
export function sendPreparedFile(req: IncomingMessage, res: ServerResponse, p: PreparedFile, hooks: FileResponseHooks = noHooks): Promise<void> | null {
  const head = req.method === 'HEAD';
  const headers = req.headers;
  // The common case first: a plain GET of a file in memory.
  if (!headers.range && !headers['if-none-match'] && p.bytes) {
    res.writeHead(200, p.wholeHeaders);
    res.end(head ? undefined : p.bytes);
    doneWhenSent(res, head ? 0 : p.sizeBytes, hooks);
    return null;
  }
  if (noneMatch(headers['if-none-match'], p.etag)) {
    res.writeHead(304, commonHeaders(p)).end();
    hooks.onDone({ ok: true, bytesSent: 0, status: 304 });
    return null;
  }
  const decision = rangeStillValid(headers['if-range'] as string | undefined, p.etag, p.lastModified ?? '') ? decideRange(headers.range, p.sizeBytes) : { kind: 'whole' as const };
  if (decision.kind === 'unsatisfiable') {
    res.writeHead(416, [...commonHeaders(p), 'Content-Range', `bytes */${p.sizeBytes}`, 'Content-Length', '0']).end();
    hooks.onDone({ ok: false, bytesSent: 0, reason: 'range-not-satisfiable' });
    return null;
  }
  if (decision.kind === 'whole' || decision.ranges.length === 1) {
    const range = decision.kind === 'whole' ? { start: 0, end: p.sizeBytes - 1 } : decision.ranges[0]!;
    const length = range.end - range.start + 1;
    const h = [...commonHeaders(p), 'Content-Type', p.contentType, 'Content-Length', String(length)];
    if (decision.kind === 'partial') h.push('Content-Range', `bytes ${range.start}-${range.end}/${p.sizeBytes}`);
    res.writeHead(decision.kind === 'partial' ? 206 : 200, h);
    if (head || length === 0) {
      res.end();
      doneWhenSent(res, 0, hooks);
      return null;
    }
    return writeParts(res, [bodyPart(p, range)], length, hooks);
  }
  // RFC 9110 §14.6: several ranges go as multipart/byteranges, each part with its Content-Range.
  const boundary = randomBytes(12).toString('hex');
  const parts: BodyPart[] = [];
  for (const range of decision.ranges) {
    parts.push({ kind: 'bytes', bytes: Buffer.from(`\r\n--${boundary}\r\nContent-Type: ${p.contentType}\r\nContent-Range: bytes ${range.start}-${range.end}/${p.sizeBytes}\r\n\r\n`) });
    parts.push(bodyPart(p, range));
  }
  parts.push({ kind: 'bytes', bytes: Buffer.from(`\r\n--${boundary}--\r\n`) });
  const total = parts.reduce((n, part) => n + (part.kind === 'bytes' ? part.bytes.length : part.end - part.start + 1), 0);
  res.writeHead(206, [...commonHeaders(p), 'Content-Type', `multipart/byteranges; boundary=${boundary}`, 'Content-Length', String(total)]);
  if (head) {
    res.end();
    hooks.onDone({ ok: true, bytesSent: 0, status: 206 });
    return null;
  }
  return writeParts(res, parts, total, hooks);
}

type BodyPart = { kind: 'bytes'; bytes: Buffer } | { kind: 'disk'; path: string; start: number; end: number };

function bodyPart(p: PreparedFile, range: ByteRange): BodyPart {
  if (p.bytes) return { kind: 'bytes', bytes: p.bytes.subarray(range.start, range.end + 1) };
  if (p.file.kind !== 'disk') throw new Error('unreachable: generated files are always in memory');
  return { kind: 'disk', path: p.file.path, start: range.start, end: range.end };
}

async function writeParts(res: ServerResponse, parts: BodyPart[], total: number, hooks: FileResponseHooks): Promise<void> {
  let sent = 0;
  try {
    for (const part of parts) {
      if (part.kind === 'bytes') {
        sent += part.bytes.length;
        res.write(part.bytes);
        if (res.writableLength > maxQueuedResponseBytes) await drained(res);
        continue;
      }
      const stream = createReadStream(part.path, { start: part.start, end: part.end, highWaterMark: streamChunkBytes });
      try {
        for await (const chunk of stream) {
          if (res.destroyed) throw new Error('client went away');
          sent += (chunk as Buffer).length;
          hooks.onProgress(sent, total);
          res.write(chunk);
          if (res.writableLength > maxQueuedResponseBytes) await drained(res);
        }
      } finally {
        stream.destroy();
      }
    }
    res.end();
    doneWhenSent(res, sent, hooks);
  } catch (err) {
    cutShort(res, sent, err as Error, hooks);
  }
}

/** Ends a body cut short of its Content-Length: the client sees an incomplete response, never a short file as whole. */
export function cutShort(res: ServerResponse, sent: number, err: Error, hooks: FileResponseHooks): void {
  // What was still queued in user space never left.
  const left = Math.max(0, sent - res.writableLength);
  res.destroy();
  hooks.onDone({ ok: false, bytesSent: left, reason: err.message, aborted: true });
}

/**
 * Reports the outcome when the last byte has been handed to the kernel ('finish'), not when it
 * was queued: a transfer's duration and rate then mean something. A response closed before
 * that was cut short (the client went away with bytes still queued).
 */
export function doneWhenSent(res: ServerResponse, bytesSent: number, hooks: FileResponseHooks): void {
  if (hooks === noHooks) return;
  if (res.writableFinished) return hooks.onDone({ ok: true, bytesSent, status: res.statusCode });
  const onFinish = () => {
    res.off('close', onClose);
    hooks.onDone({ ok: true, bytesSent, status: res.statusCode });
  };
  const onClose = () => {
    res.off('finish', onFinish);
    hooks.onDone({ ok: false, bytesSent: Math.max(0, bytesSent - res.writableLength), reason: 'client went away', aborted: true });
  };
  res.once('finish', onFinish);
  res.once('close', onClose);
}

export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => { cleanup(); resolve(); };
    const onClose = () => { cleanup(); reject(new Error('client went away')); };
    const cleanup = () => { res.off('drain', onDrain); res.off('close', onClose); };
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
