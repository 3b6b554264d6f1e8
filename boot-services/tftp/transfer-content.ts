// The bytes one TFTP transfer sends: a buffer already in memory (generated configs, cached
// files), or a large file read ahead in chunks so nothing is ever held whole.
import { open, type FileHandle } from 'node:fs/promises';

export interface TransferContent {
  readonly sizeBytes: number;
  /** Bytes [offset, offset + length) if they are in memory now; else null (call load). */
  peek(offset: number, length: number): Buffer | null;
  /** Reads ahead from offset, at least `length` bytes (less at the end of the file). */
  load(offset: number, length: number): Promise<void>;
  close(): void;
}

export class MemoryContent implements TransferContent {
  constructor(private readonly bytes: Buffer) {}
  get sizeBytes(): number {
    return this.bytes.length;
  }
  peek(offset: number, length: number): Buffer {
    return this.bytes.subarray(offset, Math.min(offset + length, this.bytes.length));
  }
  async load(): Promise<void> {}
  close(): void {}
}

/** Read-ahead size for files too big to cache: many windows per read, little memory per transfer. */
export const readAheadBytes = 1024 * 1024;

export class DiskContent implements TransferContent {
  private chunk: Buffer = Buffer.alloc(0);
  private chunkOffset = 0;
  /** The chunk after the current one, read while the current one is being sent. */
  private prefetch: { offset: number; bytes: Promise<Buffer> } | null = null;
  private closed = false;

  private constructor(private readonly handle: FileHandle, readonly sizeBytes: number) {}

  static async open(filePath: string, sizeBytes: number): Promise<DiskContent> {
    return new DiskContent(await open(filePath, 'r'), sizeBytes);
  }

  peek(offset: number, length: number): Buffer | null {
    const end = Math.min(offset + length, this.sizeBytes);
    if (offset < this.chunkOffset || end > this.chunkOffset + this.chunk.length) return null;
    return this.chunk.subarray(offset - this.chunkOffset, end - this.chunkOffset);
  }

  async load(offset: number, length: number): Promise<void> {
    if (this.closed) return;
    const chunkEnd = this.chunkOffset + this.chunk.length;
    const ahead = this.prefetch;
    this.prefetch = null;
    if (ahead && ahead.offset === chunkEnd && offset >= this.chunkOffset && offset <= chunkEnd) {
      // The usual case: the window runs past the current chunk into the prefetched one.
      const next = await ahead.bytes;
      this.chunk = Buffer.concat([this.chunk.subarray(offset - this.chunkOffset), next]);
    } else {
      ahead?.bytes.catch(() => undefined);
      this.chunk = await this.readAt(offset, Math.max(length, readAheadBytes));
    }
    this.chunkOffset = offset;
    const nextOffset = this.chunkOffset + this.chunk.length;
    if (nextOffset < this.sizeBytes && !this.closed) this.prefetch = { offset: nextOffset, bytes: this.readAt(nextOffset, readAheadBytes) };
  }

  private async readAt(offset: number, length: number): Promise<Buffer> {
    const want = Math.max(0, Math.min(length, this.sizeBytes - offset));
    // A fresh buffer each time: datagrams still queued in the socket may point into the old one.
    const buf = Buffer.allocUnsafe(want);
    let filled = 0;
    while (filled < want) {
      const { bytesRead } = await this.handle.read(buf, filled, want - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buf.subarray(0, filled);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const pending = this.prefetch?.bytes;
    this.prefetch = null;
    // Close after an in-flight read finishes with the handle.
    void (pending ?? Promise.resolve()).catch(() => undefined).finally(() => this.handle.close().catch(() => undefined));
  }
}

/** RFC 1350 §1 / RFC 764: netascii sends lines as CR LF and a bare CR as CR NUL. */
export function toNetascii(bytes: Buffer): Buffer {
  const out: number[] = [];
  for (const b of bytes) {
    if (b === 0x0a) out.push(0x0d, 0x0a);
    else if (b === 0x0d) out.push(0x0d, 0x00);
    else out.push(b);
  }
  return Buffer.from(out);
}
