// A rootfs tarball's compression and unpacked size, measured once per artifact after it is
// stored (the image page shows them and checks them against the role's hosts' RAM, issue 21).
// The file is streamed through the decompressor and the tar header reader: nothing is kept.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { PrismaClient } from '@prisma/client';
import { db } from '../db/client.ts';
import { TarSizeCounter, type TarSize } from './tar-size.ts';

export type RootfsCompression = 'gzip' | 'zstd' | 'none' | 'unknown';

/** gzip 1f 8b (RFC 1952 §2.3.1), zstd 28 b5 2f fd (RFC 8878 §3.1.1), a plain tar's "ustar" at 257. */
export function detectCompression(head: Buffer): RootfsCompression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) return 'zstd';
  if (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar') return 'none';
  return 'unknown';
}

async function readHead(file: string): Promise<Buffer> {
  const fd = await open(file, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fd.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fd.close();
  }
}

/** The decompressed bytes of the file: zlib for gzip, Debian's zstd for zstd (Node 20 has none). */
async function* decompressed(file: string, compression: RootfsCompression): AsyncGenerator<Uint8Array> {
  if (compression === 'none') {
    yield* fs.createReadStream(file);
    return;
  }
  if (compression === 'gzip') {
    yield* fs.createReadStream(file).pipe(createGunzip());
    return;
  }
  const child = spawn('zstd', ['-dcq', '--', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
  });
  let drained = false;
  try {
    yield* child.stdout;
    drained = true;
  } finally {
    // Only a reader that stopped early (an error downstream) leaves zstd to be stopped.
    if (!drained) child.kill();
  }
  const code = await exited;
  if (code !== 0) throw new Error(`zstd -d failed (exit ${code}): ${stderr.trim()}`);
}

export interface RootfsMeasure extends TarSize {
  compression: RootfsCompression;
}

export async function measureRootfsFile(file: string): Promise<RootfsMeasure> {
  const compression = detectCompression(await readHead(file));
  if (compression === 'unknown') throw Object.assign(new Error('neither gzip, zstd nor a tar archive'), { compression });
  const counter = new TarSizeCounter();
  try {
    for await (const chunk of decompressed(file, compression)) counter.write(chunk);
    return { compression, ...counter.result() };
  } catch (err) {
    throw Object.assign(err as Error, { compression });
  }
}

const running = new Map<string, Promise<void>>();

/**
 * Measures the artifact and records the result on its row; a file that is no readable tarball
 * keeps its detected compression and no size (the page says it could not be read). One
 * measurement per artifact at a time, in the background of the caller.
 */
export function measureRootfsArtifact(a: { sha256: string; path: string }, prisma: PrismaClient = db()): Promise<void> {
  const existing = running.get(a.sha256);
  if (existing) return existing;
  const job = (async () => {
    try {
      const m = await measureRootfsFile(a.path);
      await prisma.artifact.update({ where: { sha256: a.sha256 }, data: { compression: m.compression, unpackedBytes: BigInt(m.unpackedBytes) } });
    } catch (err) {
      const compression = (err as { compression?: RootfsCompression }).compression ?? 'unknown';
      console.error(`rootfs ${a.sha256}: not measured: ${(err as Error).message}`);
      await prisma.artifact.update({ where: { sha256: a.sha256 }, data: { compression, unpackedBytes: null } })
        .catch((e: Error) => console.error(`rootfs ${a.sha256}: the failed measurement was not recorded: ${e.message}`));
    } finally {
      running.delete(a.sha256);
    }
  })();
  running.set(a.sha256, job);
  return job;
}
