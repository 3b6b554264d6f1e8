// Artifact files no image uses any more (its image deleted, its role deleted, replaced by a
// forced re-upload) are removed from the store with their Artifact row (issue 17: a 300 MB
// orphan stayed after one re-upload). What any image refers to stays, whatever its status: the
// active, previous, on-trial and override images are images. Crash-safe and race-free:
// - the removal holds an exclusive advisory lock while it deletes the rows and unlinks their
//   files; an upload publishes its file and links it to its image under the same lock, shared
//   (upload.ts), so a file is never unlinked between an upload's publish and its commit;
// - a row younger than `rowGraceSeconds` stays (a writer that records the row before linking
//   it, as the sample image does, gets that long to link it);
// - a file under a sha256 name with no row (a crash after the unlink's transaction failed, or
//   after an upload published and died before its commit) goes once older than the stray grace.
// A transfer reading a removed file keeps reading it (an open file outlives its name on Linux);
// bootd asks only for artifacts of images in its view, which no longer has them.
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { db } from '../db/client.ts';
import { artifactStoreLockKey, artifactsDir, dataDir } from './artifact-store.ts';

export const defaultRowGraceSeconds = 60;
export const defaultStrayGraceSeconds = 600;

export interface RemovedArtifacts {
  /** sha256 of each artifact removed, row and file. */
  removed: string[];
  bytes: number;
  /** sha256-named files without a row, removed. */
  strayFiles: string[];
}

const sha256Name = /^[0-9a-f]{64}$/;

export async function removeUnusedArtifacts(opts: { rowGraceSeconds?: number; strayGraceSeconds?: number; dir?: string } = {}): Promise<RemovedArtifacts> {
  const store = artifactsDir(opts.dir ?? dataDir());
  const rowGrace = opts.rowGraceSeconds ?? defaultRowGraceSeconds;
  const result = await db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${artifactStoreLockKey})`;
    const unused = await tx.$queryRaw<Array<{ sha256: string; path: string; sizeBytes: bigint }>>`
      SELECT a.sha256, a.path, a."sizeBytes" FROM "Artifact" a
      WHERE a."createdAt" < now() - make_interval(secs => ${rowGrace}::int)
        AND NOT EXISTS (SELECT 1 FROM "Image" i WHERE i."kernelSha256" = a.sha256 OR i."initrdSha256" = a.sha256 OR i."rootfsSha256" = a.sha256)
      FOR UPDATE OF a`;
    if (unused.length === 0) return { removed: [], bytes: 0 };
    await tx.artifact.deleteMany({ where: { sha256: { in: unused.map((a) => a.sha256) } } });
    // Unlinked before the commit, under the lock: if the commit fails, the rows stay for files
    // that are gone, which no image uses and the next pass deletes.
    for (const a of unused) await rm(storedPath(store, a), { force: true });
    return { removed: unused.map((a) => a.sha256), bytes: unused.reduce((n, a) => n + Number(a.sizeBytes), 0) };
  }, { timeout: 60_000, maxWait: 30_000 });
  return { ...result, strayFiles: await removeStrayFiles(store, opts.strayGraceSeconds ?? defaultStrayGraceSeconds) };
}

/** The store's own file of an artifact: by its sha256 under the store, never a path outside it a row might name. */
function storedPath(store: string, a: { sha256: string }): string {
  return path.join(store, a.sha256);
}

async function removeStrayFiles(store: string, graceSeconds: number): Promise<string[]> {
  const names = (await readdir(store).catch(() => [] as string[])).filter((n) => sha256Name.test(n));
  if (names.length === 0) return [];
  const known = new Set((await db().artifact.findMany({ where: { sha256: { in: names } }, select: { sha256: true } })).map((a) => a.sha256));
  const removed: string[] = [];
  for (const name of names) {
    if (known.has(name)) continue;
    const s = await stat(path.join(store, name)).catch(() => null);
    if (!s || Date.now() - s.mtimeMs < graceSeconds * 1000) continue;
    // Checked again under the lock: an upload may have recorded it meanwhile.
    await db().$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${artifactStoreLockKey})`;
      if (await tx.artifact.findUnique({ where: { sha256: name }, select: { sha256: true } })) return;
      await rm(path.join(store, name), { force: true });
      removed.push(name);
    });
  }
  return removed;
}

let pending: Promise<unknown> | null = null;
let again = false;
/**
 * A removal in the background after a delete or a replacement, one at a time: asked while one
 * runs, another follows it (what was committed meanwhile may have missed its SELECT). Failures
 * are logged; the hourly sweep retries.
 */
export function removeUnusedArtifactsSoon(): void {
  if (pending) {
    again = true;
    return;
  }
  pending = removeUnusedArtifacts()
    .then((r) => { if (r.removed.length || r.strayFiles.length) console.info('removed unused artifacts', { artifacts: r.removed.length, bytes: r.bytes, strayFiles: r.strayFiles.length }); })
    .catch((err) => console.error('removing unused artifacts failed', err))
    .finally(() => {
      pending = null;
      if (again) {
        again = false;
        removeUnusedArtifactsSoon();
      }
    });
}

const sweepIntervalMs = 3_600_000;
let sweeper: NodeJS.Timeout | null = null;
/** At start and then hourly, once per process (instrumentation.ts): what the passes after each delete left (rows in their grace, a crash's strays). */
export function startUnusedArtifactSweeper(): void {
  if (sweeper) return;
  sweeper = setInterval(removeUnusedArtifactsSoon, sweepIntervalMs);
  sweeper.unref();
  removeUnusedArtifactsSoon();
}
