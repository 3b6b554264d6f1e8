// bootd's TFTP against Debian's clients (tftp-hpa, atftp, curl) in network namespaces, plus
// a raw client for the RFC behaviours they don't exercise. The server runs alone in its own
// namespace (boot-services-runner.ts) with a fake view; one lab serves the whole file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, symlink, writeFile, access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { labSkipReason } from '../../testing/netns-lab.ts';
import { host, image, role } from '../../../lib/boot/testing/fake-boot-view.ts';
import { encodeRequest } from '../packet.ts';
import { startBootLab, serverIp, serverSecondIp, clientIp, type BootLab } from './boot-lab.ts';

const skip = labSkipReason();
if (skip) console.log(`# skipping TFTP interop tests: ${skip}`);
const here = path.dirname(fileURLToPath(import.meta.url));
const rawClient = path.join(here, 'raw-tftp-client.ts');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const knownMac = '52:54:00:12:34:56';

describe('TFTP with real clients', { skip: skip ?? false }, () => {
  let lab: BootLab;
  let bootDir: string;
  let outDir: string;
  let big: Buffer;
  let pxelinux: Buffer;

  before(async () => {
    bootDir = await mkdtemp(path.join(os.tmpdir(), 'fb-tftp-root-'));
    outDir = await mkdtemp(path.join(os.tmpdir(), 'fb-tftp-out-'));
    big = randomBytes(8 * 1024 * 1024);
    await writeFile(path.join(bootDir, 'big8.bin'), big);
    await writeFile(path.join(bootDir, 'small.bin'), randomBytes(3000));
    await writeFile(path.join(bootDir, 'kernel-web'), 'KERNEL');
    await writeFile(path.join(bootDir, 'initrd-web'), 'INITRD');
    await symlink('/etc/passwd', path.join(bootDir, 'escape'));
    pxelinux = await readFile('/usr/lib/PXELINUX/pxelinux.0');
    const art = (p: string) => ({ sha256: sha256(Buffer.from(p)), sizeBytes: 6, path: path.join(bootDir, p) });
    lab = await startBootLab({
      bootloaderDirs: [bootDir],
      view: {
        hosts: [host({ id: 'h-web01', hostname: 'web01', mac: knownMac, ip: clientIp, roleId: 'r-web' })],
        roles: [role({ id: 'r-web', name: 'web', activeImageId: 'img-7', cmdlineTemplate: 'console=ttyS0 fleetboot.host={hostname} fleetboot.role={role}' })],
        images: [image({ id: 'img-7', roleId: 'r-web', version: '7', kernel: art('kernel-web'), initrd: art('initrd-web') })],
        networkList: [],
      },
    });
  });

  after(async () => {
    await lab?.dispose();
    await rm(bootDir, { recursive: true, force: true });
    await rm(outDir, { recursive: true, force: true });
  });

  // The client namespace writes into outDir (same filesystem: namespaces share it).
  /** Events arrive on the runner's stdout, read between our synchronous client runs. */
  const eventSeen = async (what: string, pred: (e: BootLab['events'][number]) => boolean) => {
    for (let waited = 0; waited < 3000 && !lab.events.some(pred); waited += 20) await new Promise((r) => setTimeout(r, 20));
    assert.ok(lab.events.some(pred), what);
    return lab.events.find(pred)!;
  };
  const fetched = async (name: string) => readFile(path.join(outDir, name));
  const raw = (scenario: string, args: Record<string, unknown>) =>
    JSON.parse(lab.client.exec(process.execPath, ['--import', 'tsx', rawClient, scenario, JSON.stringify({ server: serverIp, port: lab.tftpPort, ...args })], { timeoutMs: 20_000 }));

  test('tftp-hpa fetches pxelinux.0 intact', async () => {
    lab.client.exec('tftp', ['-m', 'binary', serverIp, String(lab.tftpPort), '-c', 'get', 'pxelinux.0', path.join(outDir, 'hpa-pxelinux.0')]);
    assert.equal(sha256(await fetched('hpa-pxelinux.0')), sha256(pxelinux));
  });

  test('atftp fetches pxelinux.0 with tsize and blksize 1468', async () => {
    lab.client.exec('atftp', ['--option', 'tsize 0', '--option', 'blksize 1468', '-g', '-r', 'pxelinux.0', '-l', path.join(outDir, 'atftp-pxelinux.0'), serverIp, String(lab.tftpPort)]);
    assert.equal(sha256(await fetched('atftp-pxelinux.0')), sha256(pxelinux));
    const start = await eventSeen('a transfer-start event with the negotiated block size', (e) => e.type === 'transfer-start' && e.detail?.file === 'pxelinux.0' && e.detail?.blockBytes === 1468);
    assert.equal(start.bytesTotal, pxelinux.length);
    assert.equal(start.hostId, 'h-web01', 'the event is tied to the host found by client IP');
  });

  test('curl fetches pxelinux.0 over tftp:// with blksize', async () => {
    lab.client.exec('curl', ['-sS', '--max-time', '20', '--tftp-blksize', '1468', '-o', path.join(outDir, 'curl-pxelinux.0'), `tftp://${serverIp}:${lab.tftpPort}/pxelinux.0`]);
    assert.equal(sha256(await fetched('curl-pxelinux.0')), sha256(pxelinux));
  });

  test('a client asking windowsize gets it and the 8 MB file is intact', async () => {
    lab.client.exec('atftp', ['--option', 'blksize 1468', '--option', 'windowsize 8', '-g', '-r', 'big8.bin', '-l', path.join(outDir, 'window.bin'), serverIp, String(lab.tftpPort)], { timeoutMs: 60_000 });
    assert.equal(sha256(await fetched('window.bin')), sha256(big));
    await eventSeen('windowsize 8 negotiated', (e) => e.type === 'transfer-start' && e.detail?.file === 'big8.bin' && e.detail?.windowBlocks === 8);
    await eventSeen('transfer-done with all bytes', (e) => e.type === 'transfer-done' && e.detail?.file === 'big8.bin' && e.bytesDone === big.length);
  });

  test('the npm tftp client (blksize 1468, windowsize 4) fetches the 8 MB file intact', async () => {
    lab.client.exec(process.execPath, ['--import', 'tsx', path.join(here, 'npm-tftp-client.ts'), serverIp, String(lab.tftpPort), 'big8.bin', path.join(outDir, 'npm.bin')], { timeoutMs: 60_000 });
    assert.equal(sha256(await fetched('npm.bin')), sha256(big));
    await eventSeen('windowsize 4 negotiated with the npm client', (e) => e.type === 'transfer-start' && e.detail?.file === 'big8.bin' && e.detail?.windowBlocks === 4);
  });

  test('blksize above what a 1500-byte MTU carries is answered with 1468', async () => {
    lab.client.exec('atftp', ['--option', 'blksize 9000', '-g', '-r', 'small.bin', '-l', path.join(outDir, 'mtu.bin'), serverIp, String(lab.tftpPort)]);
    await eventSeen('blksize capped at 1468', (e) => e.type === 'transfer-start' && e.detail?.file === 'small.bin' && e.detail?.blockBytes === 1468);
  });

  test('a write request is refused and nothing is written', async () => {
    await writeFile(path.join(outDir, 'upload.bin'), 'x');
    const result = lab.client.exec('sh', ['-c', `cd ${outDir} && tftp -m binary ${serverIp} ${lab.tftpPort} -c put upload.bin 2>&1; true`]);
    assert.match(result, /Access violation|Read-only/i);
    await assert.rejects(access(path.join(bootDir, 'upload.bin')));
  });

  test('names leaving the boot root are refused: ../, /../, a symlink out', () => {
    for (const name of ['../etc/passwd', '..\\..\\etc\\passwd', '/../etc/passwd', 'escape']) {
      const reply = raw('raw', { hex: encodeRequest('read', name, 'octet').toString('hex') });
      assert.equal(reply.opcode, 5, `${name} answered with an ERROR`);
      assert.equal(reply.code, 2, `${name}: access violation (got ${reply.message})`);
    }
  });

  test('a leading / is the boot root: GRUB\'s /images/<id>/kernel is the artifact, /etc/passwd is not the host\'s file', async () => {
    // GRUB's TFTP client sends the path of its config's `linux /images/<id>/kernel` as written.
    lab.client.exec('atftp', ['-g', '-r', '/images/img-7/kernel', '-l', path.join(outDir, 'grub-kernel'), serverIp, String(lab.tftpPort)]);
    assert.equal((await fetched('grub-kernel')).toString(), 'KERNEL');
    lab.client.exec('tftp', ['-m', 'binary', serverIp, String(lab.tftpPort), '-c', 'get', '/pxelinux.0', path.join(outDir, 'rooted-pxelinux.0')]);
    assert.equal(sha256(await fetched('rooted-pxelinux.0')), sha256(pxelinux));
    const reply = raw('raw', { hex: encodeRequest('read', '/etc/passwd', 'octet').toString('hex') });
    assert.deepEqual([reply.opcode, reply.code], [5, 1], `/etc/passwd is looked up under the boot root and not found (got ${reply.message})`);
  });

  test('an overlong name, mode "mail", a malformed packet: refused, and the server keeps serving', () => {
    const overlong = raw('raw', { hex: encodeRequest('read', 'a'.repeat(300), 'octet').toString('hex') });
    assert.equal(overlong.opcode, 5);
    const mail = raw('raw', { hex: encodeRequest('read', 'pxelinux.0', 'mail').toString('hex') });
    assert.deepEqual([mail.opcode, mail.code], [5, 4]);
    for (const hex of ['0001', '00017078', 'ffff00000000', '0003000141']) {
      const reply = raw('raw', { hex });
      assert.equal(reply.opcode, 5, `garbage ${hex} answered with an ERROR`);
    }
    lab.client.exec('tftp', ['-m', 'binary', serverIp, String(lab.tftpPort), '-c', 'get', 'pxelinux.0', path.join(outDir, 'after-garbage')]);
  });

  test('OVMF\'s size probe (tsize, then ERROR 8 to the OACK) is not a transfer error', async () => {
    const mark = lab.events.length;
    const r = raw('size-probe', { file: 'small.bin' });
    assert.deepEqual(r, { tsize: '3000', packetsAfterAbort: 0 });
    // The download that follows the probe is recorded as usual; the probe left no error behind.
    lab.client.exec('tftp', ['-m', 'binary', serverIp, String(lab.tftpPort), '-c', 'get', 'small.bin', path.join(outDir, 'after-probe.bin')]);
    await eventSeen('the real download is done', (e) => e.type === 'transfer-done' && e.detail?.file === 'small.bin' && lab.events.indexOf(e) >= mark);
    // Earlier tests' refusals may still be arriving: only this file's transfers count.
    assert.deepEqual(lab.events.slice(mark).filter((e) => e.type === 'transfer-error' && e.detail?.file === 'small.bin'), []);
  });

  test('a duplicate ACK is not answered (no Sorcerer\'s Apprentice)', () => {
    const r = raw('duplicate-ack', { file: 'small.bin' });
    assert.equal(r.data2, 2);
    assert.equal(r.packetsAfterDuplicateAcks, 0);
    assert.deepEqual(r.blocksAfterNewAck, [3]);
  });

  test('an ERROR from a foreign TID gets error 5 and the transfer finishes intact', async () => {
    const r = raw('foreign-tid', { file: 'small.bin' });
    assert.deepEqual(r.strangerGot, { opcode: 5, code: 5 });
    assert.equal(r.sha256, sha256(await readFile(path.join(bootDir, 'small.bin'))));
  });

  test('replies come from the address the request was sent to', () => {
    assert.equal(raw('reply-source', { file: 'small.bin', server: serverSecondIp }).from, serverSecondIp);
    assert.equal(raw('reply-source', { file: 'small.bin', server: serverIp }).from, serverIp);
  });

  test('pxelinux.cfg/01-<mac> of a known host names its image and cmdline', async () => {
    lab.client.exec('tftp', [serverIp, String(lab.tftpPort), '-c', 'get', `pxelinux.cfg/01-${knownMac.replace(/:/g, '-')}`, path.join(outDir, 'known.cfg')]);
    const cfg = (await fetched('known.cfg')).toString().replace(/\r\n/g, '\n');
    assert.match(cfg, /KERNEL images\/img-7\/kernel/);
    assert.match(cfg, /INITRD images\/img-7\/initrd/);
    assert.match(cfg, /APPEND console=ttyS0 fleetboot\.host=web01 fleetboot\.role=web/);
    lab.client.exec('tftp', ['-m', 'binary', serverIp, String(lab.tftpPort), '-c', 'get', 'images/img-7/kernel', path.join(outDir, 'kernel')]);
    assert.equal((await fetched('kernel')).toString(), 'KERNEL');
  });

  test('an unknown MAC gets the discovery entry', async () => {
    lab.client.exec('tftp', ['-m', 'binary', serverIp, String(lab.tftpPort), '-c', 'get', 'pxelinux.cfg/01-52-54-00-99-99-99', path.join(outDir, 'unknown.cfg')]);
    const cfg = (await fetched('unknown.cfg')).toString();
    assert.match(cfg, /KERNEL discovery\/kernel/);
    assert.match(cfg, /fleetboot\.mode=discovery .*fleetboot\.mac=52:54:00:99:99:99/);
  });

  test('metrics count the refusals by reason', async () => {
    const text = await lab.metrics();
    assert.match(text, /fleetboot_tftp_refused_total\{reason="write-request"\} [1-9]/);
    assert.match(text, /fleetboot_tftp_refused_total\{reason="parent-directory"\} [1-9]/);
    assert.match(text, /fleetboot_tftp_foreign_packets_total [1-9]/);
  });
});
