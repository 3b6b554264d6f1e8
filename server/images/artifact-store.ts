// Content-addressed artifact files (kernels, initrds, rootfs tarballs): each stored once under
// <FLEETBOOT_DATA_DIR>/artifacts/<sha256>, and recorded as an Artifact row. A file appears
// under its final name only complete and fsynced (temp file → fsync → rename → fsync of the
// directory), so bootd never serves half an artifact, whatever crashes when.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { open, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { PrismaClient } from '@prisma/client';
import { DomainError, invalid } from '../errors.ts';

export interface StoredArtifact {
  sha256: string;
  sizeBytes: number;
  path: string;
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

export interface WriteArtifactOptions {
  /** The sender's sha256 (hex): a mismatch refuses the file before it gets its final name. */
  expectedSha256?: string;
  /** Refuse (and delete the partial file) once the stream passes this many bytes. */
  maxBytes?: number;
  /** The length the sender declared (Content-Length): a shorter stream is a cut upload. */
  expectedBytes?: number;
}

const incomingPrefix = '.incoming-';

/** Streams into the store, hashing on the way; an existing identical file is kept as is. */
export async function writeArtifactFile(dataDir: string, source: Readable, opts: WriteArtifactOptions = {}): Promise<StoredArtifact> {
  const dir = artifactsDir(dataDir);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `${incomingPrefix}${process.pid}-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const fd = await open(tmp, 'wx', 0o644);
  let sha256: string;
  try {
    for await (const chunk of source) {
      const buf = chunk as Buffer;
      sizeBytes += buf.length;
      if (opts.maxBytes !== undefined && sizeBytes > opts.maxBytes) {
        throw new DomainError('payload_too_large', `the artifact is larger than the limit of ${opts.maxBytes} bytes`, 'body');
      }
      hash.update(buf);
      await fd.write(buf);
    }
    if (opts.expectedBytes !== undefined && sizeBytes !== opts.expectedBytes) {
      throw invalid('body', `the upload ended after ${sizeBytes} of ${opts.expectedBytes} bytes`);
    }
    sha256 = hash.digest('hex');
    if (opts.expectedSha256 && opts.expectedSha256.toLowerCase() !== sha256) {
      throw invalid('sha256', `checksum mismatch: the body's sha256 is ${sha256}, the sender said ${opts.expectedSha256.toLowerCase()}`);
    }
    await fd.sync();
  } catch (err) {
    await fd.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fd.close();
  const finalPath = path.join(dir, sha256);
  const existing = await stat(finalPath).catch(() => null);
  if (existing && existing.size === sizeBytes) {
    await rm(tmp, { force: true });
  } else {
    await rename(tmp, finalPath);
    await fsyncDir(dir);
  }
  return { sha256, sizeBytes, path: finalPath };
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
