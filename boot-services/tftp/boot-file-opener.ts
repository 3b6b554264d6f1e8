// Turns a TFTP name into the bytes of one transfer: looks the name up in the boot-file
// namespace (generated configs, bootloaders, image artifacts), serves small files from the
// shared cache and reads big ones ahead from disk.
import type { BootFiles } from '../boot-config/boot-files.ts';
import type { ClientHosts } from '../client-hosts.ts';
import type { FileCache } from '../boot-config/file-cache.ts';
import { toNetascii } from './transfer-content.ts';
import { TftpErrorCode, type TransferMode } from './packet.ts';
import type { Endpoint } from './read-transfer.ts';
import type { OpenResult } from './server.ts';

export function bootFileOpener(files: BootFiles, cache: FileCache, clients: ClientHosts) {
  return async function openFile(name: string, client: Endpoint, mode: TransferMode): Promise<OpenResult> {
    const found = await files.lookup(name, client.address);
    if (!found.ok) {
      if (found.reason === 'outside-root') return { ok: false, code: TftpErrorCode.AccessViolation, message: found.message, reason: 'outside-root' };
      // TFTP can't say "wait": the client is refused (an event on its timeline) and its next try finds the file pulled.
      if (found.reason === 'not-cached') return { ok: false, code: TftpErrorCode.NotDefined, message: 'Not cached yet: being pulled, try again', reason: 'artifact-not-cached' };
      return { ok: false, code: TftpErrorCode.FileNotFound, message: 'File not found', reason: found.reason };
    }
    const file = found.file;
    // Reservation, pool lease or boot agent, as of now: pool-leased hosts' transfers land on their timeline too.
    const known = await clients.identify(client.address);
    if (file.kind === 'generated') {
      const planHost = file.plan.kind === 'discovery' ? null : file.plan.host;
      const host = planHost ?? known.host;
      const mac = file.plan.kind === 'discovery' ? file.plan.mac ?? known.mac : host?.mac ?? known.mac;
      const bytes = mode === 'netascii' ? toNetascii(file.bytes) : file.bytes;
      return { ok: true, content: { kind: 'bytes', bytes }, sizeBytes: bytes.length, hostHint: { hostId: host?.id ?? null, mac, by: planHost ? 'config' : known.by } };
    }
    const hostHint = { hostId: known.host?.id ?? null, mac: known.mac, by: known.by };
    if (mode === 'netascii') {
      // RFC 1350 netascii changes the size (tsize must be exact): translate here, small files only.
      if (!cache.fits(file.sizeBytes)) return { ok: false, code: TftpErrorCode.NotDefined, message: 'File too large for netascii: use octet mode', reason: 'netascii-too-large' };
      const bytes = toNetascii(await cache.read(file.path, { dev: file.dev, ino: file.ino, size: file.sizeBytes, mtimeMs: file.mtimeMs }));
      return { ok: true, content: { kind: 'bytes', bytes }, sizeBytes: bytes.length, hostHint };
    }
    return { ok: true, content: { kind: 'file', path: file.path, sizeBytes: file.sizeBytes, dev: file.dev, ino: file.ino, mtimeMs: file.mtimeMs }, sizeBytes: file.sizeBytes, hostHint };
  };
}
