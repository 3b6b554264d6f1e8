// Per-host syslog files under <stateDir>/logs/<name>.log: lines are queued in memory by the
// socket loop and appended in batches off it, one file at a time, with size-based rotation
// (<name>.log.1 … .log.<keepFiles>). Also reads a file's last lines for the admin endpoint.
import { mkdir, open, rename, rm, stat, appendFile } from 'node:fs/promises';
import path from 'node:path';

export interface HostLogFilesOptions {
  dir: string;
  /** A file is rotated before it would grow past this. */
  maxFileBytes: number;
  /** Rotated files kept besides the live one. */
  keepFiles: number;
  /** Queued bytes past this are refused (the disk is slower than the senders). */
  maxPendingBytes: number;
  flushIntervalMs: number;
  /** A write failed: the batch stays queued and is tried again on the next flush. */
  onWriteError(name: string, err: Error): void;
}

export const defaultHostLogFilesOptions = (dir: string): Omit<HostLogFilesOptions, 'onWriteError'> => ({
  dir,
  maxFileBytes: 10 * 1024 * 1024,
  keepFiles: 3,
  maxPendingBytes: 16 * 1024 * 1024,
  flushIntervalMs: 200,
});

/** Longest line read back by tail(): a message of defaultMaxMessageBytes with its prefix, escaped. */
const maxTailLineBytes = 32 * 1024;

/** A file name from a hostname or an IP: nothing that can leave the logs directory. */
export function logFileName(name: string): string | null {
  return /^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,252}$/.test(name) ? name : null;
}

export class HostLogFiles {
  private readonly pending = new Map<string, string[]>();
  private pendingBytes = 0;
  private readonly sizes = new Map<string, number>();
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly opts: HostLogFilesOptions) {}

  /** Queues one line for the file `name`; false when the queue is full (caller counts a drop). */
  append(name: string, line: string): boolean {
    const bytes = Buffer.byteLength(line) + 1;
    if (this.closed || this.pendingBytes + bytes > this.opts.maxPendingBytes) return false;
    let lines = this.pending.get(name);
    if (!lines) this.pending.set(name, (lines = []));
    lines.push(line);
    this.pendingBytes += bytes;
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.opts.flushIntervalMs);
    return true;
  }

  queuedBytes(): number {
    return this.pendingBytes;
  }

  /** Writes everything queued so far; resolves when it is on disk (or failed and re-queued). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeBatch());
    return this.flushing;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  private async writeBatch(): Promise<void> {
    const batch = [...this.pending];
    this.pending.clear();
    await mkdir(this.opts.dir, { recursive: true }).catch(() => undefined);
    for (const [name, lines] of batch) {
      const data = lines.join('\n') + '\n';
      const bytes = Buffer.byteLength(data);
      try {
        await this.rotateIfFull(name, bytes);
        await appendFile(this.filePath(name), data);
        this.sizes.set(name, (this.sizes.get(name) ?? 0) + bytes);
        this.pendingBytes -= bytes;
      } catch (err) {
        this.opts.onWriteError(name, err as Error);
        this.sizes.delete(name);
        // Keep the lines, ahead of any queued since, for the next flush.
        this.pending.set(name, [...lines, ...(this.pending.get(name) ?? [])]);
      }
    }
    if (this.pending.size > 0 && !this.closed) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.opts.flushIntervalMs);
    }
  }

  private async rotateIfFull(name: string, incomingBytes: number): Promise<void> {
    let size = this.sizes.get(name);
    if (size === undefined) {
      size = await stat(this.filePath(name)).then((s) => s.size, () => 0);
      this.sizes.set(name, size);
    }
    if (size === 0 || size + incomingBytes <= this.opts.maxFileBytes) return;
    const file = this.filePath(name);
    await rm(`${file}.${this.opts.keepFiles}`, { force: true });
    for (let i = this.opts.keepFiles - 1; i >= 1; i--) {
      await rename(`${file}.${i}`, `${file}.${i + 1}`).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
    if (this.opts.keepFiles > 0) await rename(file, `${file}.1`);
    else await rm(file, { force: true });
    this.sizes.set(name, 0);
  }

  filePath(name: string): string {
    return path.join(this.opts.dir, `${name}.log`);
  }

  /** The last `count` lines written for `name` (the live file, then the newest rotated one). */
  async tail(name: string, count: number): Promise<string[]> {
    const lines = await lastLines(this.filePath(name), count);
    if (lines.length < count && this.opts.keepFiles > 0) {
      const older = await lastLines(`${this.filePath(name)}.1`, count - lines.length);
      return [...older, ...lines];
    }
    return lines;
  }
}

async function lastLines(file: string, count: number): Promise<string[]> {
  if (count <= 0) return [];
  const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (!handle) return [];
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, count * maxTailLineBytes);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, size - length);
    const lines = buf.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    // Started mid-file: the first piece is part of a line.
    if (length < size) lines.shift();
    return lines.slice(-count);
  } finally {
    await handle.close();
  }
}
