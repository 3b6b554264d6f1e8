// The initramfs container: a cpio archive in the "newc" format the kernel unpacks
// (linux/Documentation/driver-api/early-userspace/buffer-format.rst). Written here rather than
// by running cpio so the build needs no tool beyond Node, and so the archive is reproducible:
// fixed owner root, fixed mtime, entries in the order given.
import { gzipSync } from 'node:zlib';

export type NewcEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Buffer; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'chardev'; path: string; major: number; minor: number; mode?: number };

const fileTypeBits = { dir: 0o040000, file: 0o100000, symlink: 0o120000, chardev: 0o020000 } as const;
const newcMagic = '070701';
const trailerName = 'TRAILER!!!';

const hex8 = (n: number) => n.toString(16).padStart(8, '0');
const pad4 = (n: number) => (4 - (n % 4)) % 4;

function header(ino: number, mode: number, nlink: number, size: number, nameBytes: number, rdevMajor = 0, rdevMinor = 0, mtimeSeconds = 0): string {
  // Fields: magic ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
  return newcMagic + [ino, mode, 0, 0, nlink, mtimeSeconds, size, 0, 0, rdevMajor, rdevMinor, nameBytes, 0].map(hex8).join('');
}

function record(parts: Buffer[], head: string, name: string, body: Buffer): void {
  const nameBuf = Buffer.from(`${name}\0`, 'utf8');
  const headBuf = Buffer.from(head, 'ascii');
  parts.push(headBuf, nameBuf, Buffer.alloc(pad4(headBuf.length + nameBuf.length)), body, Buffer.alloc(pad4(body.length)));
}

/** The uncompressed archive. Paths are relative ("init", "bin/busybox"), parents listed first. */
export function writeNewcArchive(entries: readonly NewcEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of entries) {
    const name = e.path.replace(/^\/+/, '');
    if (!name || name.split('/').includes('..')) throw new Error(`bad archive path: ${e.path}`);
    const nameBytes = Buffer.byteLength(name) + 1;
    switch (e.kind) {
      case 'dir':
        record(parts, header(ino++, fileTypeBits.dir | (e.mode ?? 0o755), 2, 0, nameBytes), name, Buffer.alloc(0));
        break;
      case 'file':
        record(parts, header(ino++, fileTypeBits.file | (e.mode ?? 0o644), 1, e.data.length, nameBytes), name, e.data);
        break;
      case 'symlink': {
        const target = Buffer.from(e.target, 'utf8');
        record(parts, header(ino++, fileTypeBits.symlink | 0o777, 1, target.length, nameBytes), name, target);
        break;
      }
      case 'chardev':
        record(parts, header(ino++, fileTypeBits.chardev | (e.mode ?? 0o600), 1, 0, nameBytes, e.major, e.minor), name, Buffer.alloc(0));
        break;
    }
  }
  record(parts, header(0, 0, 1, 0, Buffer.byteLength(trailerName) + 1), trailerName, Buffer.alloc(0));
  return Buffer.concat(parts);
}

/** gzip: every Debian kernel has CONFIG_RD_GZIP, and it decompresses fastest under TCG of the three. */
export function gzipArchive(archive: Buffer): Buffer {
  return gzipSync(archive, { level: 6 });
}
