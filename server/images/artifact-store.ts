// Content-addressed artifact files (kernels, initrds, rootfs tarballs): each stored once under
// <FLEETBOOT_DATA_DIR>/artifacts/<sha256>, and recorded as an Artifact row. A file appears
// under its final name only complete and fsynced (temp file → fsync → rename → fsync of the
// directory), so bootd never serves half an artifact, whatever crashes when.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { open, mkdir, rename, rm, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { Prisma, PrismaClient } from '@prisma/client';
import { DomainError, invalid } from '../errors.ts';

export interface StoredArtifact {
  sha256: string;
  sizeBytes: number;
  path: string;
}

/** The console's data directory (FLEETBOOT_DATA_DIR, else ./data): the artifact store and upload sessions live in it. */
export function dataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.FLEETBOOT_DATA_DIR ?? 'data');
}

/** The artifact store's advisory lock key ("fbarts" in ASCII): uploads hold it shared, the removal of unused artifacts alone. */
export const artifactStoreLockKey = 0x666261727473n;

/** Takes the store's lock shared for this transaction: an upload's publish and link (unused-artifacts.ts says why). */
export async function lockArtifactStoreShared(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(${artifactStoreLockKey})`;
}

export function artifactsDir(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'artifacts');
}

async function fsyncDir(dir: string): Promise<void> {
  const fd = await open(dir, 'r');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

export interface ReceiveArtifactOptions {
  /** Refuse (and delete the partial file) once the stream passes this many bytes. */
  maxBytes?: number;
  /** The length the sender declared (Content-Length): a shorter stream is a cut upload. */
  expectedBytes?: number;
}

export interface WriteArtifactOptions extends ReceiveArtifactOptions {
  /** The sender's sha256 (hex): a mismatch refuses the file before it gets its final name. */
  expectedSha256?: string;
}

/** A complete, hashed, fsynced file under a temp name, not yet visible in the store. */
export interface IncomingArtifact {
  sha256: string;
  sizeBytes: number;
  /** the temp file (a name starting .incoming-, or a resumable upload's part file) */
  path: string;
}

/**
 * Free space the store leaves alone: the embedded PostgreSQL and the logs usually share its disk,
 * and an upload that fills it would take them down with it. FLEETBOOT_MIN_FREE_BYTES, else 2 %
 * of the filesystem up to 1 GiB.
 */
function reserveBytes(totalBytes: number): number {
  const set = process.env.FLEETBOOT_MIN_FREE_BYTES;
  if (set !== undefined && set !== '' && Number.isFinite(Number(set))) return Math.max(0, Number(set));
  return Math.min(1024 ** 3, Math.floor(totalBytes * 0.02));
}

/** Refuses (507) an upload of this many bytes before it starts when the store's disk can't hold it and keep its reserve. */
export async function refuseWithoutRoom(dataDir: string, bytes: number): Promise<void> {
  const dir = artifactsDir(dataDir);
  await mkdir(dir, { recursive: true });
  const fsStats = await statfs(dir);
  const free = fsStats.bavail * fsStats.bsize;
  const reserve = reserveBytes(fsStats.blocks * fsStats.bsize);
  if (bytes > free - reserve) {
    throw new DomainError('insufficient_storage', `no room for ${bytes} bytes: ${free} bytes free on the artifact store's disk, ${reserve} of them kept free (FLEETBOOT_MIN_FREE_BYTES)`, 'body', { freeBytes: free, reserveBytes: reserve });
  }
}

/** A write that ran out of disk (ENOSPC, EDQUOT) as the 507 the client can act on; anything else unchanged. */
export function asStorageError(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new DomainError('insufficient_storage', `the artifact store's disk is full (${code}): free some space and send it again`, 'body');
  return err;
}

const incomingPrefix = '.incoming-';

/**
 * Streams into a temp file of the store, hashing on the way. Nothing is visible until
 * publishArtifactFile(); on any failure (too large, cut, the source's error) the temp file is
 * gone before this throws.
 */
export async function receiveArtifactFile(dataDir: string, source: AsyncIterable<Uint8Array>, opts: ReceiveArtifactOptions = {}): Promise<IncomingArtifact> {
  const dir = artifactsDir(dataDir);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `${incomingPrefix}${process.pid}-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const fd = await open(tmp, 'wx', 0o644);
  try {
    for await (const buf of source) {
      sizeBytes += buf.length;
      if (opts.maxBytes !== undefined && sizeBytes > opts.maxBytes) {
        throw new DomainError('payload_too_large', `the artifact is larger than the limit of ${opts.maxBytes} bytes`, 'body');
      }
      const { bytesWritten } = await fd.write(buf);
      // A short write is how a filling disk answers first.
      if (bytesWritten !== buf.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
      hash.update(buf);
    }
    if (opts.expectedBytes !== undefined && sizeBytes !== opts.expectedBytes) {
      throw invalid('body', `the upload ended after ${sizeBytes} of ${opts.expectedBytes} bytes`);
    }
    await fd.sync();
  } catch (err) {
    await fd.close();
    await rm(tmp, { force: true });
    throw asStorageError(err);
  }
  await fd.close();
  return { sha256: hash.digest('hex'), sizeBytes, path: tmp };
}

/** Refuses a file whose sha256 isn't the one its sender gave (400, field sha256). */
export function checkSha256(actual: string, expected: string | undefined): void {
  if (expected && expected.toLowerCase() !== actual) {
    throw invalid('sha256', `checksum mismatch: the body's sha256 is ${actual}, the sender said ${expected.toLowerCase()}`);
  }
}

export async function discardIncoming(incoming: IncomingArtifact): Promise<void> {
  await rm(incoming.path, { force: true });
}

/**
 * Gives a complete file its final name <sha256> (fsync → rename → fsync of the directories);
 * an identical file already there is kept and the temp one dropped. The temp file must be on
 * the store's filesystem (it is: the store's own directory or a subdirectory).
 */
export async function publishArtifactFile(dataDir: string, incoming: IncomingArtifact): Promise<StoredArtifact> {
  const dir = artifactsDir(dataDir);
  const finalPath = path.join(dir, incoming.sha256);
  const existing = await stat(finalPath).catch(() => null);
  if (existing && existing.size === incoming.sizeBytes) {
    await rm(incoming.path, { force: true });
  } else {
    const fd = await open(incoming.path, 'r');
    try {
      await fd.sync();
    } finally {
      await fd.close();
    }
    await rename(incoming.path, finalPath);
    await fsyncDir(dir);
    if (path.dirname(incoming.path) !== dir) await fsyncDir(path.dirname(incoming.path));
  }
  return { sha256: incoming.sha256, sizeBytes: incoming.sizeBytes, path: finalPath };
}

/** Streams into the store, hashing on the way; an existing identical file is kept as is. */
export async function writeArtifactFile(dataDir: string, source: AsyncIterable<Uint8Array>, opts: WriteArtifactOptions = {}): Promise<StoredArtifact> {
  const incoming = await receiveArtifactFile(dataDir, source, opts);
  try {
    checkSha256(incoming.sha256, opts.expectedSha256);
  } catch (err) {
    await discardIncoming(incoming);
    throw err;
  }
  return publishArtifactFile(dataDir, incoming);
}

/**
 * Deletes temp files left by a process that died mid-write (killed, power lost): their names
 * carry the writer's pid. Files of live processes (another upload running now) are kept.
 */
export async function removeStaleIncoming(dataDir: string, isAlive = pidAlive): Promise<string[]> {
  const dir = artifactsDir(dataDir);
  const names = await fs.promises.readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(incomingPrefix)) continue;
    const pid = Number(name.slice(incomingPrefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && (pid === process.pid || isAlive(pid))) continue;
    await rm(path.join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The Artifact row for a stored file (idempotent: same content, same row). */
export async function recordArtifact(prisma: PrismaClient, a: StoredArtifact): Promise<void> {
  await prisma.artifact.upsert({
    where: { sha256: a.sha256 },
    create: { sha256: a.sha256, sizeBytes: BigInt(a.sizeBytes), path: a.path },
    update: { path: a.path, sizeBytes: BigInt(a.sizeBytes) },
  });
}

export async function storeArtifactFromFile(prisma: PrismaClient, dataDir: string, file: string): Promise<StoredArtifact> {
  const stored = await writeArtifactFile(dataDir, fs.createReadStream(file));
  await recordArtifact(prisma, stored);
  return stored;
}
