// bootd's content-addressed artifact cache (DESIGN.md "bootd on its own machine"): each
// artifact is one file <stateDir>/artifacts/<sha256>, there only once its bytes were hashed
// and matched (a pull writes <sha256>.part, fsyncs, renames, fsyncs the directory), so a
// name in this directory is always a whole, verified file, whatever crashed when. A .part
// left by a cut pull is where the next pull resumes. Least recently used goes first when the
// cache is over its size limit, never a pinned artifact (one an active, trial or previous
// image needs): a cache that can't shrink without those stays over its limit and says so.
import fs from 'node:fs';
import { open, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';

export const sha256Pattern = /^[0-9a-f]{64}$/;

interface Entry {
  sizeBytes: number;
  lastUsedMs: number;
}

export interface Eviction {
  sha256: string;
  sizeBytes: number;
}

/** How often a hit writes its time to the file (mtime), so the LRU order survives a restart. */
const touchEveryMs = 60_000;

export class ArtifactCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(readonly dir: string, readonly limitBytes: number, private readonly now: () => number = Date.now) {}

  /** Reads what is on disk (a restart keeps its cache); a stray temp file of a rename is removed. */
  async open(): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    for (const name of await readdir(this.dir)) {
      if (!sha256Pattern.test(name)) continue;
      const st = await stat(path.join(this.dir, name)).catch(() => null);
      if (!st?.isFile()) continue;
      this.entries.set(name, { sizeBytes: st.size, lastUsedMs: st.mtimeMs });
      this.bytes += st.size;
    }
  }

  pathOf(sha256: string): string {
    return path.join(this.dir, sha256);
  }

  partPathOf(sha256: string): string {
    return path.join(this.dir, `${sha256}.part`);
  }

  has(sha256: string): boolean {
    return this.entries.has(sha256);
  }

  /** The cached file's path, marking it used; null when not cached. */
  use(sha256: string): string | null {
    const e = this.entries.get(sha256);
    if (!e) return null;
    const now = this.now();
    if (now - e.lastUsedMs > touchEveryMs) {
      const at = new Date(now);
      void utimes(this.pathOf(sha256), at, at).catch(() => undefined);
    }
    e.lastUsedMs = now;
    return this.pathOf(sha256);
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get count(): number {
    return this.entries.size;
  }

  /** A verified, fsynced .part becomes the artifact: renamed, and the directory fsynced so the name survives a crash. */
  async admit(sha256: string, sizeBytes: number): Promise<void> {
    await rename(this.partPathOf(sha256), this.pathOf(sha256));
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    if (!this.entries.has(sha256)) this.bytes += sizeBytes;
    this.entries.set(sha256, { sizeBytes, lastUsedMs: this.now() });
  }

  /**
   * Removes least recently used artifacts not in `pinned` until the cache is within its limit.
   * A file being sent stays readable to its open readers (unlinked, not overwritten).
   */
  async evict(pinned: ReadonlySet<string>): Promise<Eviction[]> {
    if (this.bytes <= this.limitBytes) return [];
    const candidates = [...this.entries].filter(([sha]) => !pinned.has(sha)).sort((a, b) => a[1].lastUsedMs - b[1].lastUsedMs);
    const evicted: Eviction[] = [];
    for (const [sha, e] of candidates) {
      if (this.bytes <= this.limitBytes) break;
      this.entries.delete(sha);
      this.bytes -= e.sizeBytes;
      await rm(this.pathOf(sha), { force: true });
      evicted.push({ sha256: sha, sizeBytes: e.sizeBytes });
    }
    return evicted;
  }
}
