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

/** Streams into the store, hashing on the way; an existing identical file is kept as is. */
export async function writeArtifactFile(dataDir: string, source: Readable): Promise<StoredArtifact> {
  const dir = artifactsDir(dataDir);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.incoming-${process.pid}-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const fd = await open(tmp, 'wx', 0o644);
  try {
    for await (const chunk of source) {
      const buf = chunk as Buffer;
      hash.update(buf);
      sizeBytes += buf.length;
      await fd.write(buf);
    }
    await fd.sync();
  } catch (err) {
    await fd.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fd.close();
  const sha256 = hash.digest('hex');
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
