// Pulls artifacts from the console into the cache (GET /api/v1/artifacts/<sha256> with this
// boot server's credential): hashed while written to <sha256>.part, admitted under its name
// only when size and sha256 match. A cut pull resumes where the .part ends (Range with
// If-Range: the ETag, RFC 9110 §13.1.5), after a short wait, a few times; a console answering
// 200 to a Range starts the file again. At most maxConcurrent pulls run; one a booting host is
// waiting for goes ahead of prefetches. A pull can be followed while it runs (stream-through):
// `written` bytes of the .part are on disk and final, and `changed()` wakes followers.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import type { ArtifactCache } from './artifact-cache.ts';

export interface PullOrigin {
  /** FLEETBOOT_CONSOLE_URL, without a trailing slash. */
  consoleUrl: string;
  /** The boot server's credential (fbb_…). */
  credential: string;
}

/** Why a pull failed; `cut` and `unreachable` are tried again, the others are not (this pull). */
export type PullFailure = 'unreachable' | 'cut' | 'refused' | 'not-found' | 'console-error' | 'sha256-mismatch' | 'size-mismatch' | 'disk';

export interface PullResult {
  sha256: string;
  ok: boolean;
  failure: PullFailure | null;
  message: string | null;
  /** Bytes received from the console in this pull (all attempts). */
  bytesReceived: number;
  attempts: number;
  /** Whether an attempt resumed a .part with a Range request. */
  resumed: boolean;
}

export class ArtifactPull {
  state: 'queued' | 'pulling' | 'done' | 'failed' = 'queued';
  /** Bytes of the .part on disk, from its start: what a follower may read. */
  written = 0;
  failure: PullFailure | null = null;
  urgent = false;
  readonly result: Promise<PullResult>;
  private settle!: (r: PullResult) => void;
  private wakers: Array<() => void> = [];

  constructor(readonly sha256: string, readonly sizeBytes: number, readonly partPath: string, readonly finalPath: string) {
    this.result = new Promise((resolve) => (this.settle = resolve));
  }

  /** Resolves at the next change of `written` or `state`. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.wakers.push(resolve));
  }

  notify(): void {
    for (const wake of this.wakers.splice(0)) wake();
  }

  finish(r: PullResult): void {
    this.state = r.ok ? 'done' : 'failed';
    this.failure = r.failure;
    this.settle(r);
    this.notify();
  }
}

export interface ArtifactPullerOptions {
  origin: PullOrigin;
  cache: ArtifactCache;
  maxConcurrent: number;
  /** Attempts per pull (a cut one resumes). */
  attempts?: number;
  retryDelayMs?: number;
  /** An attempt receiving nothing this long is cut. */
  idleTimeoutMs?: number;
  onResult?: (r: PullResult) => void;
}

class AttemptError extends Error {
  constructor(readonly failure: PullFailure, message: string) {
    super(message);
  }
}

const retried: ReadonlySet<PullFailure> = new Set(['unreachable', 'cut', 'console-error']);

export class ArtifactPuller {
  private readonly pulls = new Map<string, ArtifactPull>();
  private readonly queue: ArtifactPull[] = [];
  private running = 0;
  private closed = false;
  private readonly aborts = new Set<AbortController>();

  constructor(private readonly opts: ArtifactPullerOptions) {}

  /** The pull of this artifact under way (queued or running), or null. */
  active(sha256: string): ArtifactPull | null {
    return this.pulls.get(sha256) ?? null;
  }

  get activeCount(): number {
    return this.pulls.size;
  }

  /** Starts (or joins) the pull of an artifact; `urgent` puts it ahead of queued prefetches. */
  pull(sha256: string, sizeBytes: number, urgent = false): ArtifactPull {
    let p = this.pulls.get(sha256);
    if (!p) {
      p = new ArtifactPull(sha256, sizeBytes, this.opts.cache.partPathOf(sha256), this.opts.cache.pathOf(sha256));
      this.pulls.set(sha256, p);
      if (urgent) this.queue.unshift(p);
      else this.queue.push(p);
    } else if (urgent && p.state === 'queued' && !p.urgent) {
      this.queue.splice(this.queue.indexOf(p), 1);
      this.queue.unshift(p);
    }
    p.urgent ||= urgent;
    this.next();
    return p;
  }

  close(): void {
    this.closed = true;
    for (const a of this.aborts) a.abort();
    for (const p of this.queue.splice(0)) {
      this.pulls.delete(p.sha256);
      p.finish({ sha256: p.sha256, ok: false, failure: 'unreachable', message: 'bootd is stopping', bytesReceived: 0, attempts: 0, resumed: false });
    }
  }

  private next(): void {
    while (!this.closed && this.running < this.opts.maxConcurrent && this.queue.length > 0) {
      const p = this.queue.shift()!;
      this.running += 1;
      void this.run(p).finally(() => {
        this.running -= 1;
        this.pulls.delete(p.sha256);
        this.next();
      });
    }
  }

  private async run(p: ArtifactPull): Promise<void> {
    p.state = 'pulling';
    p.notify();
    const result: PullResult = { sha256: p.sha256, ok: false, failure: null, message: null, bytesReceived: 0, attempts: 0, resumed: false };
    const attempts = this.opts.attempts ?? 4;
    for (let attempt = 1; attempt <= attempts && !this.closed; attempt++) {
      result.attempts = attempt;
      try {
        await this.attempt(p, result);
        await this.opts.cache.admit(p.sha256, p.sizeBytes);
        result.ok = true;
        result.failure = null;
        result.message = null;
        break;
      } catch (err) {
        const failure = err instanceof AttemptError ? err.failure : 'disk';
        result.failure = failure;
        result.message = (err as Error).message;
        if (!retried.has(failure) || attempt === attempts) break;
        await new Promise((r) => setTimeout(r, (this.opts.retryDelayMs ?? 1000) * attempt));
      }
    }
    p.finish(result);
    this.opts.onResult?.(result);
  }

  /** One request: resumes the .part if there is one, writes and hashes what arrives, checks the whole. */
  private async attempt(p: ArtifactPull, result: PullResult): Promise<void> {
    let have = (await stat(p.partPath).catch(() => null))?.size ?? 0;
    if (have > p.sizeBytes) {
      await rm(p.partPath, { force: true });
      have = 0;
    }
    let hash = createHash('sha256');
    if (have > 0) await hashFile(p.partPath, hash);
    p.written = have;
    p.notify();
    const headers: Record<string, string> = { authorization: `Bearer ${this.opts.origin.credential}` };
    // A whole .part needs no bytes, only the check below; a request would ask for an empty range (416).
    if (have > 0) Object.assign(headers, { range: `bytes=${have}-`, 'if-range': `"${p.sha256}"` });
    const abort = new AbortController();
    this.aborts.add(abort);
    const idleMs = this.opts.idleTimeoutMs ?? 30_000;
    let idle = setTimeout(() => abort.abort(), idleMs);
    try {
      if (have < p.sizeBytes) {
        let res: Response;
        try {
          res = await fetch(`${this.opts.origin.consoleUrl}/api/v1/artifacts/${p.sha256}`, { headers, signal: abort.signal });
        } catch (err) {
          throw new AttemptError('unreachable', `the console can't be reached: ${(err as Error).cause ? String((err as { cause: Error }).cause.message) : (err as Error).message}`);
        }
        if (res.status === 401 || res.status === 403) throw new AttemptError('refused', `the console refused this boot server's credential (HTTP ${res.status})`);
        if (res.status === 404) throw new AttemptError('not-found', 'the console has no such artifact (deleted, or its file is missing)');
        if (res.status !== 200 && res.status !== 206) throw new AttemptError('console-error', `the console answered HTTP ${res.status}`);
        if (res.status === 206) {
          const start = Number(/^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1] ?? -1);
          if (start !== have) throw new AttemptError('console-error', `the console sent a range from ${start}, asked from ${have}`);
          result.resumed = true;
        } else if (have > 0) {
          // The whole file again (RFC 9110 §13.1.5: If-Range didn't match): start over.
          have = 0;
          hash = createHash('sha256');
          p.written = 0;
        }
        const file = await open(p.partPath, have > 0 ? 'a' : 'w', 0o600);
        try {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            clearTimeout(idle);
            idle = setTimeout(() => abort.abort(), idleMs);
            if (p.written + chunk.length > p.sizeBytes) {
              await rm(p.partPath, { force: true });
              throw new AttemptError('size-mismatch', `the console sent more than the ${p.sizeBytes} bytes the view says`);
            }
            await file.write(chunk);
            hash.update(chunk);
            result.bytesReceived += chunk.length;
            p.written += chunk.length;
            p.notify();
          }
          await file.sync();
        } catch (err) {
          if (err instanceof AttemptError) throw err;
          throw new AttemptError('cut', `the pull was cut at ${p.written} of ${p.sizeBytes} bytes: ${(err as Error).message}`);
        } finally {
          await file.close();
        }
      }
      if (p.written < p.sizeBytes) throw new AttemptError('cut', `the pull was cut at ${p.written} of ${p.sizeBytes} bytes`);
      const got = hash.digest('hex');
      if (got !== p.sha256) {
        await rm(p.partPath, { force: true });
        throw new AttemptError('sha256-mismatch', `the bytes pulled hash to ${got}, not ${p.sha256}: not kept`);
      }
    } finally {
      clearTimeout(idle);
      this.aborts.delete(abort);
    }
  }
}

async function hashFile(file: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
}
