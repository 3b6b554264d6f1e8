// Resumable artifact uploads, for a 4 GB rootfs over a link that drops. The semantics are the
// tus protocol's core and creation extensions (tus.io/protocols/resumable-upload): a session is
// created with the file's length, PATCH with Upload-Offset appends, HEAD/GET tell the offset, a
// PATCH at another offset is 409, sessions expire. Our routes and JSON bodies are our own (not
// a tus server: no Tus-Resumable negotiation).
//
// The state lives on disk beside the bytes, in the store's .uploads folder (same filesystem, so
// the finished file is renamed into the store, never copied): <id>.json, written at creation
// and once more when published, and <id>.part, whose size *is* the offset. A restart of the
// web process loses nothing; the sha256 is computed as chunks arrive, and since node's Hash
// can't be saved, after a restart the part file is hashed once from disk when the upload
// resumes. A session without a byte for FLEETBOOT_UPLOAD_EXPIRY_HOURS (24) is deleted: at the
// web process's start, hourly, and whenever a session is created or asked for.
import { createHash, randomBytes, randomUUID, type Hash } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { actorLabel, type Actor } from '../auth/actor.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import { artifactsDir, asStorageError, dataDir } from './artifact-store.ts';
import { getImageOrThrow, type ImageWithArtifacts } from './queries.ts';
import type { ArtifactKind } from './schema.ts';
import { publishReceivedArtifact, refuseUnstorable, refuseUnlessTargetUploadable } from './upload.ts';

export const defaultUploadExpiryHours = 24;
const sweepIntervalMs = 60 * 60 * 1000;

/** FLEETBOOT_UPLOAD_EXPIRY_HOURS (fractions allowed), else 24. */
export function uploadExpiryMs(): number {
  const v = Number(process.env.FLEETBOOT_UPLOAD_EXPIRY_HOURS);
  return (Number.isFinite(v) && v > 0 ? v : defaultUploadExpiryHours) * 3600 * 1000;
}

interface SessionRecord {
  id: string;
  imageId: string;
  kind: ArtifactKind;
  sizeBytes: number;
  /** the sender's sha256, if given at creation */
  sha256: string | null;
  force: boolean;
  createdBy: string;
  createdAt: string;
  /** set once the file is in the store and on the image; the record stays until it expires */
  published: { sha256: string; at: string } | null;
}

export interface UploadSession {
  id: string;
  url: string;
  imageId: string;
  kind: ArtifactKind;
  sizeBytes: number;
  /** bytes stored so far: the next PATCH starts here */
  offset: number;
  /** the expected sha256 while uploading, the file's once published */
  sha256: string | null;
  complete: boolean;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
}

export interface UploadSessionCreate {
  imageId: string;
  kind: ArtifactKind;
  sizeBytes: number;
  sha256?: string;
  force: boolean;
}

export function uploadSessionsDir(dir = dataDir()): string {
  return path.join(artifactsDir(dir), '.uploads');
}

const recordPath = (id: string) => path.join(uploadSessionsDir(), `${id}.json`);
const partPath = (id: string) => path.join(uploadSessionsDir(), `${id}.part`);
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The request writing into a session now, and the sha256 of its part file so far. */
const writers = new Map<string, { stop: () => void; done: Promise<void> }>();
const liveHashes = new Map<string, { hash: Hash; bytes: number }>();

async function fsyncPath(p: string): Promise<void> {
  const fd = await open(p, 'r');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

async function writeRecord(record: SessionRecord): Promise<void> {
  const final = recordPath(record.id);
  const tmp = `${final}.tmp-${randomBytes(4).toString('hex')}`;
  const fd = await open(tmp, 'wx', 0o600);
  try {
    await fd.writeFile(JSON.stringify(record));
    await fd.sync();
  } finally {
    await fd.close();
  }
  await rename(tmp, final);
  await fsyncPath(uploadSessionsDir());
}

async function readRecord(id: string): Promise<SessionRecord | null> {
  if (!uuidPattern.test(id)) return null;
  try {
    return JSON.parse(await readFile(recordPath(id), 'utf8')) as SessionRecord;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function partBytes(id: string): Promise<number> {
  return (await stat(partPath(id)).catch(() => null))?.size ?? 0;
}

/** The last time a byte (or the record) was written. */
async function lastActivityMs(id: string): Promise<number> {
  const times = await Promise.all([stat(recordPath(id)).catch(() => null), stat(partPath(id)).catch(() => null)]);
  return Math.max(0, ...times.map((s) => s?.mtimeMs ?? 0));
}

async function removeSession(id: string): Promise<void> {
  liveHashes.delete(id);
  await rm(partPath(id), { force: true });
  await rm(recordPath(id), { force: true });
}

async function view(record: SessionRecord): Promise<UploadSession> {
  const offset = record.published ? record.sizeBytes : await partBytes(record.id);
  return {
    id: record.id,
    url: `/api/v1/uploads/${record.id}`,
    imageId: record.imageId,
    kind: record.kind,
    sizeBytes: record.sizeBytes,
    offset,
    sha256: record.published?.sha256 ?? record.sha256,
    complete: record.published !== null,
    createdBy: record.createdBy,
    createdAt: record.createdAt,
    expiresAt: new Date((await lastActivityMs(record.id)) + uploadExpiryMs()).toISOString(),
  };
}

/** The session, or NotFound when there is none or it has expired (then it is deleted). */
async function liveRecordOrThrow(id: string, now = Date.now()): Promise<SessionRecord> {
  const record = await readRecord(id);
  if (!record) throw notFound('upload');
  if (!writers.has(id) && (await lastActivityMs(id)) + uploadExpiryMs() <= now) {
    await removeSession(id);
    throw notFound('upload');
  }
  return record;
}

/** Deletes sessions past their expiry (and stray files); a session being written is kept. */
export async function removeExpiredUploadSessions(now = Date.now()): Promise<string[]> {
  const dir = uploadSessionsDir();
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const id = name.slice(0, 36);
    if (writers.has(id)) continue;
    if (name.endsWith('.json') && uuidPattern.test(id)) {
      if ((await lastActivityMs(id)) + uploadExpiryMs() > now) continue;
      await removeSession(id);
      removed.push(id);
    } else if (name.endsWith('.part') && uuidPattern.test(id)) {
      // a part without its record can't be resumed (removeSession deletes the part first)
      if (!names.includes(`${id}.json`)) await rm(path.join(dir, name), { force: true });
    } else if (name.includes('.json.tmp-')) {
      const s = await stat(path.join(dir, name)).catch(() => null);
      if (s && s.mtimeMs + sweepIntervalMs < now) await rm(path.join(dir, name), { force: true });
    }
  }
  return removed;
}

let sweeper: NodeJS.Timeout | null = null;
/** Sweeps now and then hourly; once per process. */
export async function startUploadSessionSweeper(): Promise<void> {
  if (sweeper) return;
  sweeper = setInterval(() => void removeExpiredUploadSessions().catch((err) => console.error('cleaning expired upload sessions failed', err)), sweepIntervalMs);
  sweeper.unref();
  await removeExpiredUploadSessions();
}

export async function createUploadSession(actor: Actor, input: UploadSessionCreate): Promise<UploadSession> {
  await refuseUnstorable(input.sizeBytes);
  await refuseUnlessTargetUploadable(input);
  await mkdir(uploadSessionsDir(), { recursive: true });
  await removeExpiredUploadSessions();
  const record: SessionRecord = {
    id: randomUUID(),
    imageId: input.imageId,
    kind: input.kind,
    sizeBytes: input.sizeBytes,
    sha256: input.sha256?.toLowerCase() ?? null,
    force: input.force,
    createdBy: actorLabel(actor),
    createdAt: new Date().toISOString(),
    published: null,
  };
  await writeRecord(record);
  await (await open(partPath(record.id), 'a', 0o600)).close();
  return view(record);
}

export async function getUploadSessionOrThrow(id: string): Promise<UploadSession> {
  return view(await liveRecordOrThrow(id));
}

/**
 * Makes this request the session's only writer. tusd's rule: a new request stops the one still
 * writing (usually the dead connection of a cut the server hasn't noticed yet) and goes on
 * from what that one stored.
 */
async function becomeWriter(id: string, body: Readable | null): Promise<{ release: () => void; wasStopped: () => boolean; stopped: AbortSignal }> {
  for (let w = writers.get(id); w; w = writers.get(id)) {
    w.stop();
    await w.done;
  }
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  const stop = new AbortController();
  const writer = {
    stop: () => {
      stop.abort(new Error('another request took this upload over'));
      // Frees what it can; a read pending on a dead connection may never settle, hence the signal.
      body?.destroy();
    },
    done,
  };
  writers.set(id, writer);
  return {
    release: () => {
      if (writers.get(id) === writer) writers.delete(id);
      release();
    },
    wasStopped: () => stop.signal.aborted,
    stopped: stop.signal,
  };
}

/**
 * The chunks of `source` until `stopped` fires, even while a read is pending. (Not
 * Promise.race against one long-lived promise: every race would stay referenced from it, and
 * with it every chunk read, until the request ends.)
 */
async function* untilStopped(source: AsyncIterable<Uint8Array> | null, stopped: AbortSignal): AsyncGenerator<Uint8Array> {
  if (!source) return;
  const chunks = source[Symbol.asyncIterator]();
  for (;;) {
    const next = await new Promise<IteratorResult<Uint8Array>>((resolve, reject) => {
      if (stopped.aborted) return reject(stopped.reason);
      const onStop = () => reject(stopped.reason);
      stopped.addEventListener('abort', onStop, { once: true });
      chunks.next().then(
        (r) => {
          stopped.removeEventListener('abort', onStop);
          resolve(r);
        },
        (err: unknown) => {
          stopped.removeEventListener('abort', onStop);
          reject(err);
        },
      );
    });
    if (next.done) return;
    yield next.value;
  }
}

/** Reads a chunk's remaining bytes into nothing, up to one chunk's worth (64 MiB) or 10 s, whichever ends first. */
async function discardRest(body: Readable | null): Promise<void> {
  if (!body || body.destroyed || body.readableEnded) return;
  const deadline = Date.now() + 10_000;
  let left = 64 * 1024 * 1024;
  try {
    for await (const b of body) {
      left -= (b as Buffer).length;
      if (left <= 0 || Date.now() > deadline) break;
    }
  } catch {
    // The client gave up first: nothing to answer.
  }
}

/** The sha256 state of the part file's first `bytes` bytes: the live one, else read from disk. */
async function hashSoFar(id: string, bytes: number): Promise<{ hash: Hash; bytes: number }> {
  const live = liveHashes.get(id);
  if (live && live.bytes === bytes) return live;
  const hash = createHash('sha256');
  if (bytes > 0) {
    for await (const chunk of fs.createReadStream(partPath(id), { start: 0, end: bytes - 1, highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  }
  const state = { hash, bytes };
  liveHashes.set(id, state);
  return state;
}

export interface UploadChunk {
  /** Upload-Offset: where the sender thinks the upload is */
  offset: number;
  body: Readable | null;
  /** X-Checksum-Sha256 on any chunk: the sha256 of the whole file */
  sha256?: string;
}

export interface AppendResult extends UploadSession {
  /** the image, once the last byte made the artifact published */
  image?: ImageWithArtifacts;
}

const offsetConflict = (offset: number, message: string) => new DomainError('conflict', message, 'upload-offset', { offset });

/**
 * Appends a chunk at `offset` (409 with the session's offset in `details` when it isn't the
 * session's). The chunk that brings the file to its length also checks the sha256 and
 * publishes it like any upload (publishReceivedArtifact: store, image, audit); an empty PATCH
 * at the full length finishes an upload whose last chunk was stored but not yet published.
 */
export async function appendToUploadSession(actor: Actor, id: string, chunk: UploadChunk): Promise<AppendResult> {
  if (!(await readRecord(id))) throw notFound('upload');
  const writer = await becomeWriter(id, chunk.body);
  try {
    const record = await liveRecordOrThrow(id);
    if (record.published) {
      if (chunk.offset === record.sizeBytes) return { ...(await view(record)), image: await getImageOrThrow(record.imageId) };
      throw offsetConflict(record.sizeBytes, `the upload is complete (${record.sizeBytes} bytes, published)`);
    }
    let received = await partBytes(id);
    if (chunk.offset !== received) throw offsetConflict(received, `the upload is at byte ${received}, not ${chunk.offset}: resume from there`);
    const sender = chunk.sha256?.toLowerCase();
    if (sender && record.sha256 && sender !== record.sha256) throw invalid('sha256', 'X-Checksum-Sha256 is not the sha256 the upload was created with');
    const target = { imageId: record.imageId, kind: record.kind, force: record.force };
    try {
      await refuseUnlessTargetUploadable(target);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'not_found') await removeSession(id);
      throw err;
    }
    const state = await hashSoFar(id, received);
    const fd = await open(partPath(id), 'a');
    try {
      for await (const bytes of untilStopped(chunk.body, writer.stopped)) {
        if (received + bytes.length > record.sizeBytes) {
          throw new DomainError('payload_too_large', `more bytes than the ${record.sizeBytes} this upload was created with`, 'body');
        }
        const { bytesWritten } = await fd.write(bytes);
        if (bytesWritten !== bytes.length) {
          // A short write is how a filling disk answers first: cut the part back to what is
          // counted, or the next write would leave a gap the hash doesn't know about.
          await fd.truncate(received);
          throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
        }
        // After the write: the hash never counts a byte the file hasn't got.
        state.hash.update(bytes);
        state.bytes += bytes.length;
        received += bytes.length;
      }
    } catch (err) {
      if (writer.wasStopped()) throw offsetConflict(received, 'another request took this upload over');
      if (err instanceof DomainError) throw err;
      const storage = asStorageError(err);
      if (storage instanceof DomainError) {
        // Read (and drop) the rest of the chunk first: a connection closed on unread bytes is
        // reset, and the client would lose the 507 and the offset it needs to resume.
        await discardRest(chunk.body);
        throw new DomainError(storage.code, `${storage.message}; the upload is at byte ${received}, resume from there`, 'body', { offset: received });
      }
      throw invalid('body', `the chunk was cut off: the upload is at byte ${received}, resume from there`, { offset: received });
    } finally {
      await fd.close();
    }
    if (received < record.sizeBytes) return view(record);

    liveHashes.delete(id);
    const incoming = { sha256: state.hash.digest('hex'), sizeBytes: received, path: partPath(id) };
    let image: ImageWithArtifacts;
    try {
      image = await publishReceivedArtifact(actor, target, incoming, sender ?? record.sha256 ?? undefined, { via: 'resumable', upload: id });
    } catch (err) {
      // Refused (checksum, the image now in use) or failed: the session can't finish any more.
      await removeSession(id);
      throw err;
    }
    const published: SessionRecord = { ...record, published: { sha256: incoming.sha256, at: new Date().toISOString() } };
    await writeRecord(published);
    return { ...(await view(published)), image };
  } finally {
    writer.release();
  }
}

/** Cancels an upload: stops its writer, deletes its bytes. */
export async function cancelUploadSession(id: string): Promise<void> {
  if (!(await readRecord(id))) throw notFound('upload');
  const writer = await becomeWriter(id, null);
  try {
    await removeSession(id);
  } finally {
    writer.release();
  }
}
