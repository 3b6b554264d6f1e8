// The browser's side of a resumable artifact upload (server/images/upload-sessions.ts): create
// a session, PATCH the file in chunks at the server's offset, and when a chunk fails (the link
// dropped, the web process restarted) ask where the upload stands and go on from there. The
// session's id is kept in localStorage with the file's name, size and date, so choosing the
// same file again after a reload resumes it instead of starting over.

export const defaultChunkBytes = 16 * 1024 * 1024;
/** consecutive failed attempts (no byte stored in between) before we give up and say so */
const maxAttemptsWithoutProgress = 8;
const retryDelaysMs = [500, 1000, 2000, 4000, 8000, 15_000];

export interface ResumableUploadOptions {
  /** POST /api/v1/images/{id}/artifacts/{kind}/uploads */
  createUrl: string;
  force: boolean;
  /** localStorage key of this image's artifact */
  resumeKey: string;
  chunkBytes?: number;
  onProgress: (storedOrSending: number, total: number) => void;
  /** the link failed: we're waiting to retry (attempt counts from 1) */
  onRetry?: (attempt: number, stored: number) => void;
  /** cancel(): stops the upload and deletes what the server stored */
  onStart?: (controls: { cancel: () => void }) => void;
  /** tests shorten the waits */
  retryDelaysMs?: number[];
}

interface SessionBody {
  id: string;
  url: string;
  offset: number;
  sizeBytes: number;
  complete: boolean;
  image?: Record<string, unknown>;
  error?: string;
  details?: { offset?: number };
}

/** The server refused the upload (checksum, size, image in use…): retrying can't help. */
export class UploadRefused extends Error {}
/** The link kept failing; the session is kept so that uploading the same file again resumes. */
export class UploadStalled extends Error {
  constructor(readonly stored: number, readonly total: number, reason = 'the connection keeps failing') {
    super(reason);
  }
}
export class UploadCancelled extends Error {}

interface Reply {
  status: number;
  body: SessionBody | null;
}

/** One request by XHR (fetch has no upload progress); rejects when no answer came back. */
function send(method: string, url: string, body: Blob | string | null, headers: Record<string, string>, onSent: ((bytes: number) => void) | null, track: (xhr: XMLHttpRequest | null) => void): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    if (onSent) xhr.upload.onprogress = (e) => onSent(e.loaded);
    xhr.onerror = () => reject(new Error('network error'));
    xhr.onabort = () => reject(new UploadCancelled('cancelled'));
    xhr.onload = () => {
      let parsed: SessionBody | null = null;
      try {
        parsed = JSON.parse(xhr.responseText) as SessionBody;
      } catch { /* not JSON: an answer from something in between */ }
      resolve({ status: xhr.status, body: parsed });
    };
    track(xhr);
    xhr.send(body);
  });
}

interface Saved {
  id: string;
  url: string;
  name: string;
  size: number;
  lastModified: number;
}

function readSaved(key: string, file: File): Saved | null {
  try {
    const saved = JSON.parse(localStorage.getItem(key) ?? 'null') as Saved | null;
    return saved && saved.name === file.name && saved.size === file.size && saved.lastModified === file.lastModified ? saved : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Uploads `file`; resolves with the image once the server has published the artifact. */
export async function uploadResumable(file: File, opts: ResumableUploadOptions): Promise<Record<string, unknown>> {
  if (file.size === 0) throw new UploadRefused('the file is empty');
  const chunkBytes = opts.chunkBytes ?? defaultChunkBytes;
  const delays = opts.retryDelaysMs ?? retryDelaysMs;
  let current: XMLHttpRequest | null = null;
  let cancelled = false;
  const track = (xhr: XMLHttpRequest | null) => (current = xhr);
  const json = { 'content-type': 'application/json' };

  let session: { id: string; url: string } | null = null;
  let offset = 0;
  const saved = readSaved(opts.resumeKey, file);
  if (saved) {
    const r = await send('GET', saved.url, null, {}, null, track).catch(() => null);
    if (r?.status === 200 && r.body) {
      session = saved;
      offset = r.body.offset;
    } else if (r?.status === 404) {
      localStorage.removeItem(opts.resumeKey);
    }
  }
  if (!session) {
    const r = await send('POST', opts.createUrl, JSON.stringify({ sizeBytes: file.size, force: opts.force }), json, null, track);
    if (r.status !== 201 || !r.body) throw new UploadRefused(r.body?.error ?? `the upload could not start (HTTP ${r.status})`);
    session = { id: r.body.id, url: r.body.url };
    const entry: Saved = { ...session, name: file.name, size: file.size, lastModified: file.lastModified };
    localStorage.setItem(opts.resumeKey, JSON.stringify(entry));
  }
  const url = session.url;
  opts.onStart?.({
    cancel: () => {
      cancelled = true;
      current?.abort();
      localStorage.removeItem(opts.resumeKey);
      void send('DELETE', url, null, {}, null, () => undefined).catch(() => undefined);
    },
  });

  let failures = 0;
  const failed = async () => {
    failures += 1;
    if (failures > maxAttemptsWithoutProgress) throw new UploadStalled(offset, file.size);
    opts.onRetry?.(failures, offset);
    await sleep(delays[Math.min(failures - 1, delays.length - 1)]!);
    if (cancelled) throw new UploadCancelled('cancelled');
    // Where does the upload stand? (part of the failed chunk may have been stored)
    const r = await send('GET', url, null, {}, null, track).catch(() => null);
    if (r?.status === 200 && r.body) offset = r.body.offset;
    if (r?.status === 404) {
      localStorage.removeItem(opts.resumeKey);
      throw new UploadRefused('the upload expired on the server: start again');
    }
  };

  opts.onProgress(offset, file.size);
  for (;;) {
    if (cancelled) throw new UploadCancelled('cancelled');
    const start = offset;
    const end = Math.min(start + chunkBytes, file.size);
    let r: Reply;
    try {
      // At the full length this is an empty PATCH: it finishes an upload stored but not published.
      r = await send('PATCH', url, file.slice(start, end), { 'upload-offset': String(start), 'content-type': 'application/offset+octet-stream' }, (sent) => opts.onProgress(start + sent, file.size), track);
    } catch (err) {
      if (err instanceof UploadCancelled || cancelled) throw new UploadCancelled('cancelled');
      await failed();
      continue;
    }
    if (r.status === 200 && r.body) {
      if (r.body.offset > offset) failures = 0;
      offset = r.body.offset;
      opts.onProgress(offset, file.size);
      if (r.body.complete && r.body.image) {
        localStorage.removeItem(opts.resumeKey);
        return r.body.image;
      }
      continue;
    }
    if (r.status === 409 && typeof r.body?.details?.offset === 'number') {
      // Our idea of the offset was wrong (a chunk half stored before a cut): go on from theirs.
      offset = r.body.details.offset;
      failures += 1;
      if (failures > maxAttemptsWithoutProgress) throw new UploadStalled(offset, file.size);
      continue;
    }
    if (r.status === 507 && r.body) {
      // The server's disk is full: retrying won't free it. The session keeps what it stored,
      // so the same file resumes from there once an operator has made room.
      throw new UploadStalled(typeof r.body.details?.offset === 'number' ? r.body.details.offset : offset, file.size, r.body.error ?? 'the server has no room for this upload');
    }
    if (r.status === 0 || r.status >= 500 || !r.body) {
      await failed();
      continue;
    }
    // Refused for good (checksum, too large, the image in use, expired): the server removed
    // or will expire the session.
    localStorage.removeItem(opts.resumeKey);
    throw new UploadRefused(r.body.error ?? `the upload failed (HTTP ${r.status})`);
  }
}
