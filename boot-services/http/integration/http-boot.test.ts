// bootd's HTTP boot service with curl in a network namespace: Range, multi-range, ETag/304,
// HEAD, refusals, the iPXE script per MAC, and a 100 MB image artifact streamed with flat
// server memory (its peak RSS must not grow by anything like the file's size).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { labSkipReason } from '../../testing/netns-lab.ts';
import { host, image, role } from '../../../lib/boot/testing/fake-boot-view.ts';
import { startBootLab, clientIp, type BootLab } from '../../tftp/integration/boot-lab.ts';

const skip = labSkipReason();
if (skip) console.log(`# skipping HTTP boot tests: ${skip}`);
const knownMac = '52:54:00:ab:cd:ef';
const pooledMac = '52:54:00:00:00:42';
/** A second client address, holding a pool lease (no reservation) for pooledMac. */
const pooledIp = '10.77.0.5';
const kernel20Bytes = 20 * 1024 * 1024;
const bigBytes = 100 * 1024 * 1024;

function peakRssKiB(pid: number, text: string): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(text)?.[1] ?? NaN) || (() => { throw new Error(`no VmHWM for ${pid}`); })();
}

describe('HTTP boot files with curl', { skip: skip ?? false }, () => {
  let lab: BootLab;
  let dir: string;
  let small: Buffer;
  let bigSha: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fb-http-'));
    small = randomBytes(100_000);
    await writeFile(path.join(dir, 'small.bin'), small);
    await writeFile(path.join(dir, 'initrd'), 'INITRD');
    await symlink('/etc/passwd', path.join(dir, 'escape'));
    // 100 MB of pseudo-random bytes written in chunks (never held whole here either).
    const chunk = randomBytes(1024 * 1024);
    const hash = createHash('sha256');
    const parts: Buffer[] = [];
    for (let i = 0; i < 100; i++) { parts.push(chunk); hash.update(chunk); }
    await writeFile(path.join(dir, 'rootfs.tar.gz'), Buffer.concat(parts));
    bigSha = hash.digest('hex');
    // 20 MiB: under the file cache's limit, so answered from memory in one write.
    await writeFile(path.join(dir, 'kernel20'), Buffer.concat(parts.slice(0, 20)));
    const art = (name: string, size: number, sha: string) => ({ sha256: sha, sizeBytes: size, path: path.join(dir, name) });
    lab = await startBootLab({
      bootloaderDirs: [dir],
      enableTftp: false,
      view: {
        hosts: [host({ id: 'h-db1', hostname: 'db1', mac: knownMac, ip: clientIp, roleId: 'r-db' }), host({ id: 'h-pool', hostname: 'pool1', mac: pooledMac, ip: null, roleId: 'r-db' })],
        roles: [role({ id: 'r-db', name: 'db', activeImageId: 'img-3', bootLoader: 'ipxe', cmdlineTemplate: 'console=ttyS0 fleetboot.rootfs={rootfsUrl} fleetboot.sha={rootfsSha256}' })],
        images: [
          image({ id: 'img-3', roleId: 'r-db', version: '3', kernel: art('small.bin', small.length, 'k'.repeat(64)), initrd: art('initrd', 6, 'i'.repeat(64)), rootfs: art('rootfs.tar.gz', bigBytes, bigSha) }),
          image({ id: 'img-4', roleId: 'r-db', version: '4', kernel: art('kernel20', kernel20Bytes, 'c'.repeat(64)), initrd: art('initrd', 6, 'i'.repeat(64)), rootfs: null }),
        ],
        networkList: [],
      },
      leases: { [pooledIp]: pooledMac },
      extraClientAddresses: [pooledIp],
    });
  });

  after(async () => {
    await lab?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const curl = (args: string[]) => lab.client.exec('curl', ['-sS', '--max-time', '60', ...args], { timeoutMs: 90_000 });
  const url = (p: string) => `${lab.httpBaseUrl}${p}`;

  test('a Range request returns exactly those bytes with 206 and Content-Range', () => {
    const out = path.join(dir, 'range.out');
    const headers = curl(['-D', '-', '-o', out, '-r', '1000-1999', url('/boot/v1/images/img-3/kernel')]);
    assert.match(headers, /^HTTP\/1\.1 206/);
    assert.match(headers, /Content-Range: bytes 1000-1999\/100000/i);
    return readFile(out).then((got) => assert.ok(got.equals(small.subarray(1000, 2000))));
  });

  test('a suffix range and an open range', async () => {
    const out = path.join(dir, 'suffix.out');
    curl(['-o', out, '-r', '-500', url('/boot/v1/images/img-3/kernel')]);
    assert.ok((await readFile(out)).equals(small.subarray(small.length - 500)));
    curl(['-o', out, '-r', '99990-', url('/boot/v1/images/img-3/kernel')]);
    assert.ok((await readFile(out)).equals(small.subarray(99990)));
  });

  test('several ranges come back as multipart/byteranges', () => {
    const body = curl(['-D', '-', '-r', '0-1,4-5', url('/boot/v1/images/img-3/initrd')]);
    assert.match(body, /Content-Type: multipart\/byteranges; boundary=/i);
    assert.match(body, /Content-Range: bytes 0-1\/6\r\n\r\nIN\r\n/);
    assert.match(body, /Content-Range: bytes 4-5\/6\r\n\r\nRD\r\n/);
  });

  test('a range past the end is 416', () => {
    assert.equal(curl(['-o', '/dev/null', '-w', '%{http_code}', '-r', '200000-', url('/boot/v1/images/img-3/kernel')]), '416');
  });

  test('the ETag makes the next request a 304; HEAD gives the length without a body', () => {
    const head = curl(['-I', url('/boot/v1/images/img-3/kernel')]);
    assert.match(head, /Content-Length: 100000/i);
    const etag = /ETag: (".*")/i.exec(head)?.[1];
    assert.ok(etag, 'an ETag');
    assert.equal(etag, `"${'k'.repeat(64)}"`, 'an artifact\'s ETag is its sha256');
    assert.equal(curl(['-o', '/dev/null', '-w', '%{http_code}', '-H', `If-None-Match: ${etag}`, url('/boot/v1/images/img-3/kernel')]), '304');
  });

  test('bootloaders by name; names leaving the root are refused', () => {
    assert.equal(curl(['-o', '/dev/null', '-w', '%{http_code}', url('/boot/v1/bootloaders/pxelinux.0')]), '200');
    assert.equal(curl(['-o', '/dev/null', '-w', '%{http_code}', '--path-as-is', url('/boot/v1/files/../../etc/passwd')]), '403');
    assert.equal(curl(['-o', '/dev/null', '-w', '%{http_code}', url('/boot/v1/files/%2e%2e%2fetc%2fpasswd')]), '403');
    assert.equal(curl(['-o', '/dev/null', '-w', '%{http_code}', url('/boot/v1/files/escape')]), '403');
    assert.equal(curl(['-o', '/dev/null', '-w', '%{http_code}', url('/boot/v1/images/nope/kernel')]), '404');
  });

  test('the boot root at / and a leading / inside /boot/v1/files/ name the TFTP namespace', async () => {
    // GRUB booted over HTTP asks the server's root for the files its config names.
    const out = path.join(dir, 'root.out');
    curl(['-o', out, url('/images/img-3/kernel')]);
    assert.ok((await readFile(out)).equals(small));
    assert.equal(curl(['-o', '/dev/null', '-w', '%{http_code}', url('/boot/v1/files//images/img-3/initrd')]), '200');
    assert.match(curl([url('/grub/grub.cfg')]), /^linux \/images\/img-3\/kernel /m, 'the GRUB config of the host at the client\'s address');
    assert.equal(curl(['-o', '/dev/null', '-w', '%{http_code}', '--path-as-is', url('/../etc/passwd')]), '403');
    assert.equal(curl(['-o', '/dev/null', '-w', '%{http_code}', url('/%2e%2e%2fetc%2fpasswd')]), '403');
    assert.equal(curl(['-o', '/dev/null', '-w', '%{http_code}', url('/etc/passwd')]), '404');
    assert.equal(curl(['-o', '/dev/null', '-w', '%{http_code}', url('/escape')]), '403');
  });

  test('the iPXE script of a known MAC names its image with absolute URLs; an unknown MAC gets discovery', () => {
    const script = curl([url(`/boot/v1/ipxe/${knownMac}`)]);
    assert.match(script, /^#!ipxe/);
    assert.match(script, new RegExp(`^kernel ${lab.httpBaseUrl.replace(/[.]/g, '\\.')}/boot/v1/images/img-3/kernel initrd=initrd console=ttyS0 fleetboot\\.rootfs=${lab.httpBaseUrl.replace(/[.]/g, '\\.')}/boot/v1/images/img-3/rootfs fleetboot\\.sha=${bigSha}`, 'm'));
    assert.match(script, new RegExp(`^initrd --name initrd ${lab.httpBaseUrl.replace(/[.]/g, '\\.')}/boot/v1/images/img-3/initrd$`, 'm'));
    assert.match(curl([url('/boot/v1/ipxe/52-54-00-00-00-01')]), /kernel http:\/\/.*\/boot\/v1\/discovery\/kernel .*fleetboot\.mode=discovery/);
  });

  test('a 100 MB rootfs streams intact with flat server memory, and its transfer is on the host\'s timeline', async () => {
    const before = peakRssKiB(lab.serverPid, await readFile(`/proc/${lab.serverPid}/status`, 'utf8'));
    const out = path.join(dir, 'rootfs.out');
    curl(['-o', out, url('/boot/v1/images/img-3/rootfs')]);
    const afterPeak = peakRssKiB(lab.serverPid, await readFile(`/proc/${lab.serverPid}/status`, 'utf8'));
    const hash = createHash('sha256');
    for await (const c of createReadStream(out)) hash.update(c as Buffer);
    assert.equal(hash.digest('hex'), bigSha);
    const growthMiB = (afterPeak - before) / 1024;
    console.log(`# server peak RSS grew ${growthMiB.toFixed(1)} MiB while sending 100 MiB`);
    // Buffering the file would add at least its 100 MiB; streaming adds chunks the GC hasn't reclaimed yet.
    assert.ok(growthMiB < 50, `peak RSS grew ${growthMiB.toFixed(1)} MiB`);
    for (let waited = 0; waited < 3000 && !lab.events.some((e) => e.type === 'transfer-done' && e.detail?.file === 'images/img-3/rootfs'); waited += 20) await new Promise((r) => setTimeout(r, 20));
    const done = lab.events.find((e) => e.type === 'transfer-done' && e.detail?.file === 'images/img-3/rootfs');
    assert.ok(done, 'a transfer-done event');
    assert.equal(done.hostId, 'h-db1');
    assert.equal(done.bytesDone, bigBytes);
    assert.ok(lab.events.some((e) => e.type === 'transfer-start' && e.detail?.file === 'images/img-3/rootfs' && e.bytesTotal === bigBytes));
  });

  const eventOf = async (match: (e: BootLab['events'][number]) => boolean, what: string) => {
    for (let waited = 0; waited < 5000 && !lab.events.some(match); waited += 20) await new Promise((r) => setTimeout(r, 20));
    const found = lab.events.find(match);
    assert.ok(found, what);
    return found;
  };

  test('a client on a pool lease (no reserved address) gets its transfers on its host\'s timeline, by its lease', async () => {
    curl(['--interface', pooledIp, '-o', '/dev/null', url('/boot/v1/images/img-3/kernel')]);
    const done = await eventOf((e) => e.type === 'transfer-done' && e.detail?.clientIp === pooledIp, 'a transfer-done from the pooled address');
    assert.equal(done.hostId, 'h-pool');
    assert.equal(done.mac, pooledMac);
    assert.equal(done.detail?.matchedBy, 'lease');
  });

  test('a kernel answered from memory is done when its last byte has left: a slow client\'s transfer takes seconds, with its rate', async () => {
    const started = Date.now();
    curl(['--limit-rate', '5M', '-o', '/dev/null', url('/boot/v1/images/img-4/kernel')]);
    const tookMs = Date.now() - started;
    const done = await eventOf((e) => e.type === 'transfer-done' && e.detail?.file === 'images/img-4/kernel' && !e.detail?.range, 'a transfer-done for the 20 MiB kernel');
    const durationMs = done.detail?.durationMs as number;
    console.log(`# 20 MiB at 5 MB/s: curl took ${tookMs} ms, the event says ${durationMs} ms at ${done.detail?.bytesPerSecond} B/s`);
    assert.equal(done.bytesDone, kernel20Bytes);
    // The kernel's socket buffers (both ends, up to ~10 MiB on a veth) hold the tail when the server
    // is done: at 5 MB/s the first 10 MiB still take 2 s. Handed-to-the-socket timing said 0-1 ms.
    assert.ok(durationMs >= 1000, `transfer-done after ${durationMs} ms`);
    // Up to half the file may sit in socket buffers when the server is done, so the event's rate can
    // be twice the client's (one run: 10.7 MB/s for a 5 MiB/s curl); from memory it would be GB/s.
    assert.ok((done.detail?.bytesPerSecond as number) < 25_000_000, `its rate is the client's, not memory's: ${done.detail?.bytesPerSecond} B/s`);
    assert.ok(lab.events.some((e) => e.type === 'transfer-start' && e.detail?.file === 'images/img-4/kernel' && e.bytesTotal === kernel20Bytes), 'a transfer-start for the big in-memory file');
  });

  test('a Range request is recorded as one, with the bytes of the range', async () => {
    curl(['-o', '/dev/null', '-r', '0-999999', url('/boot/v1/images/img-3/rootfs')]);
    const done = await eventOf((e) => e.type === 'transfer-done' && e.detail?.file === 'images/img-3/rootfs' && e.detail?.range === 'bytes=0-999999', 'a transfer-done with its range');
    assert.equal(done.detail?.status, 206);
    assert.equal(done.bytesDone, 1_000_000);
    assert.equal(done.bytesTotal, bigBytes);
  });

  test('a client that goes away mid-transfer leaves an aborted transfer, not a done one', async () => {
    // curl gives up after 1 s at 2 MB/s: some 2 MB of 100 MB.
    try {
      curl(['--limit-rate', '2M', '--max-time', '1', '-o', '/dev/null', url('/boot/v1/images/img-3/rootfs')]);
    } catch { /* curl exits 28 (timeout): that is the point */ }
    const aborted = await eventOf((e) => e.type === 'transfer-aborted' && e.detail?.file === 'images/img-3/rootfs', 'a transfer-aborted event');
    assert.ok((aborted.bytesDone ?? 0) < bigBytes, `bytes sent ${aborted.bytesDone}`);
    assert.equal(aborted.hostId, 'h-db1');
  });
});
