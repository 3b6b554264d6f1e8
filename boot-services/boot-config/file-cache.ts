// Whole-file contents kept in memory for files small enough (bootloaders, kernels, the 8 MB
// file a whole rack asks for at once). Keyed by inode + size + mtime, so a replaced file is
// read again; concurrent first requests share one read. Least recently used goes first.
import { readFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';

export interface FileCacheLimits {
  maxFileBytes: number;
  maxTotalBytes: number;
}

export const defaultFileCacheLimits: FileCacheLimits = { maxFileBytes: 32 * 1024 * 1024, maxTotalBytes: 256 * 1024 * 1024 };

export function fileIdentity(stats: Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs'>): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${Math.floor(stats.mtimeMs)}`;
}

export class FileCache {
  private readonly entries = new Map<string, { bytes: Promise<Buffer>; sizeBytes: number }>();
  private totalBytes = 0;

  constructor(readonly limits: FileCacheLimits = defaultFileCacheLimits) {}

  fits(sizeBytes: number): boolean {
    return sizeBytes <= this.limits.maxFileBytes;
  }

  /** The file's bytes, read once while its identity holds. Callers check fits() first. */
  read(filePath: string, stats: Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs'>): Promise<Buffer> {
    const key = fileIdentity(stats);
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.bytes;
    }
    const bytes = readFile(filePath).then((buf) => {
      // The file changed between stat and read: serve what was read, don't keep it.
      if (buf.length !== stats.size) this.forget(key);
      return buf;
    });
    bytes.catch(() => this.forget(key));
    this.entries.set(key, { bytes, sizeBytes: stats.size });
    this.totalBytes += stats.size;
    this.evict();
    return bytes;
  }

  get cachedBytes(): number {
    return this.totalBytes;
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.sizeBytes;
  }

  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.totalBytes <= this.limits.maxTotalBytes) break;
      this.forget(key);
    }
  }
}
