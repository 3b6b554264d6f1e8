// What a tar archive takes once unpacked into a tmpfs, read from its headers as the archive
// streams by: the data blocks are skipped, never kept, so a multi-GB rootfs is measured in
// constant memory. Reads POSIX ustar and pax (POSIX.1-2001 `size=` records), GNU long names
// and GNU base-256 sizes (files over 8 GiB).

/** tmpfs stores a file's data in whole pages. */
export const pageBytes = 4096;
/** A rough cost of one inode and its dentry in the kernel's slabs. */
export const inodeBytes = 1024;

const blockBytes = 512;
const sizeOffset = 124;
const sizeLength = 12;
const checksumOffset = 148;
const typeOffset = 156;

/** Entry types (POSIX ustar typeflag; x/g pax; L/K GNU long name/link). */
const dataTypes = new Set(['0', '\0', '7']);
const metaTypes = new Set(['x', 'g', 'L', 'K']);
const hardLink = '1';

export interface TarSize {
  /** Bytes the tree takes in a tmpfs: each file rounded up to a page, plus an inode per entry. */
  unpackedBytes: number;
  /** Bytes of file contents alone. */
  fileBytes: number;
  entries: number;
}

function parseSize(header: Buffer): number {
  // GNU base-256: the high bit of the first byte set, the rest a big-endian number.
  if (header[sizeOffset]! & 0x80) {
    let n = header[sizeOffset]! & 0x7f;
    for (let i = 1; i < sizeLength; i++) n = n * 256 + header[sizeOffset + i]!;
    return n;
  }
  const text = header.toString('latin1', sizeOffset, sizeOffset + sizeLength).replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]*$/.test(text)) throw new Error(`not a tar archive (size field "${text}")`);
  return text === '' ? 0 : parseInt(text, 8);
}

/** POSIX: the checksum is the byte sum of the header with its own field read as spaces. */
function checksumMatches(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < blockBytes; i++) sum += i >= checksumOffset && i < checksumOffset + 8 ? 0x20 : header[i]!;
  const stored = parseInt(header.toString('latin1', checksumOffset, checksumOffset + 8).replace(/[\0 ]+/g, ''), 8);
  return stored === sum;
}

/** pax extended header records: "<length> <key>=<value>\n" (POSIX.1-2001 pax). */
function paxSize(records: Buffer): number | null {
  let found: number | null = null;
  for (const line of records.toString('utf8').split('\n')) {
    const m = /^\d+ size=(\d+)$/.exec(line);
    if (m) found = Number(m[1]);
  }
  return found;
}

export class TarSizeCounter {
  private unpacked = 0;
  private files = 0;
  private entries = 0;
  private header = Buffer.alloc(blockBytes);
  private headerFill = 0;
  /** Bytes of the current entry's data (with padding) still to pass. */
  private skipBytes = 0;
  /** A pax header's records being collected (they are small), else null. */
  private pax: Buffer[] | null = null;
  private paxLeft = 0;
  private nextSize: number | null = null;
  private ended = false;

  write(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length && !this.ended) {
      if (this.skipBytes > 0) {
        const n = Math.min(this.skipBytes, chunk.length - at);
        if (this.pax && this.paxLeft > 0) {
          const take = Math.min(n, this.paxLeft);
          this.pax.push(Buffer.from(chunk.subarray(at, at + take)));
          this.paxLeft -= take;
        }
        this.skipBytes -= n;
        at += n;
        if (this.skipBytes === 0 && this.pax) {
          this.nextSize = paxSize(Buffer.concat(this.pax)) ?? this.nextSize;
          this.pax = null;
        }
        continue;
      }
      const n = Math.min(blockBytes - this.headerFill, chunk.length - at);
      this.header.set(chunk.subarray(at, at + n), this.headerFill);
      this.headerFill += n;
      at += n;
      if (this.headerFill === blockBytes) {
        this.headerFill = 0;
        this.onHeader();
      }
    }
  }

  private onHeader(): void {
    const h = this.header;
    // A zero block marks the end of the archive; what follows is padding.
    if (h.every((b) => b === 0)) {
      this.ended = true;
      return;
    }
    if (!checksumMatches(h)) throw new Error(`not a tar archive (header checksum wrong at entry ${this.entries + 1})`);
    const type = String.fromCharCode(h[typeOffset]!);
    const stored = parseSize(h);
    const size = this.nextSize ?? stored;
    if (!metaTypes.has(type)) this.nextSize = null;
    this.skipBytes = Math.ceil(stored / blockBytes) * blockBytes;
    if (metaTypes.has(type)) {
      if (type === 'x') {
        this.pax = [];
        this.paxLeft = stored;
      }
      return;
    }
    this.entries++;
    if (type === hardLink) return;
    this.unpacked += inodeBytes;
    if (dataTypes.has(type)) {
      this.files += size;
      this.unpacked += Math.ceil(size / pageBytes) * pageBytes;
    }
  }

  /** The totals; an archive cut inside an entry or before its end marker is an error. */
  result(): TarSize {
    if (!this.ended && (this.skipBytes > 0 || this.headerFill > 0)) throw new Error('the tar archive is cut short');
    if (!this.ended && this.entries === 0) throw new Error('not a tar archive (no entries)');
    return { unpackedBytes: this.unpacked, fileBytes: this.files, entries: this.entries };
  }
}
