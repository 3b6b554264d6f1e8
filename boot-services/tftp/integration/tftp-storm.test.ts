// A boot storm: 200 clients at once each fetch an 8 MB file from bootd's TFTP (curl, lock-step
// with blksize 1468 like PXE firmware; every tenth with atftp and windowsize 8). All must
// complete with the right checksum. Bounded: each client 180 s, the whole storm 240 s.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { labSkipReason } from '../../testing/netns-lab.ts';
import { startBootLab, serverIp, type BootLab } from './boot-lab.ts';

const skip = labSkipReason();
if (skip) console.log(`# skipping TFTP storm test: ${skip}`);
const clients = 200;
const fileBytes = 8 * 1024 * 1024;

describe('TFTP boot storm', { skip: skip ?? false }, () => {
  let lab: BootLab;
  let bootDir: string;
  let outDir: string;
  let expected: string;

  before(async () => {
    bootDir = await mkdtemp(path.join(os.tmpdir(), 'fb-storm-root-'));
    outDir = await mkdtemp(path.join(os.tmpdir(), 'fb-storm-out-'));
    const file = randomBytes(fileBytes);
    expected = createHash('sha256').update(file).digest('hex');
    await writeFile(path.join(bootDir, 'kernel8.bin'), file);
    // Events of 200 transfers are not what is measured here.
    lab = await startBootLab({ bootloaderDirs: [bootDir], quiet: true, enableHttp: false });
  });

  after(async () => {
    await lab?.dispose();
    await rm(bootDir, { recursive: true, force: true });
    await rm(outDir, { recursive: true, force: true });
  });

  test(`${clients} concurrent clients × 8 MB all complete with equal checksums`, { timeout: 300_000 }, async () => {
    const url = `tftp://${serverIp}:${lab.tftpPort}/kernel8.bin`;
    const script = [
      `for i in $(seq 1 ${clients}); do`,
      `  if [ $((i % 10)) -eq 0 ]; then`,
      `    timeout 180 atftp --option "blksize 1468" --option "windowsize 8" -g -r kernel8.bin -l ${outDir}/$i.bin ${serverIp} ${lab.tftpPort} >/dev/null 2>&1 || echo "fail $i" &`,
      '  else',
      `    timeout 180 curl -s --tftp-blksize 1468 -o ${outDir}/$i.bin ${url} || echo "fail $i" &`,
      '  fi',
      'done; wait',
    ].join('\n');
    const started = Date.now();
    const output = lab.client.exec('sh', ['-c', script], { timeoutMs: 240_000 });
    const seconds = (Date.now() - started) / 1000;
    console.log(`# storm: ${clients} × 8 MB in ${seconds.toFixed(1)} s`);
    assert.equal(output.trim(), '', 'no client failed');
    const names = await readdir(outDir);
    assert.equal(names.length, clients);
    const sums = await Promise.all(names.map(async (n) => createHash('sha256').update(await readFile(path.join(outDir, n))).digest('hex')));
    assert.deepEqual(sums.filter((s) => s !== expected), [], 'every copy has the checksum of the original');
  });
});

describe('TFTP admission past the transfer cap', { skip: skip ?? false }, () => {
  test('with room for 4 transfers, 24 clients at once all finish: the rest wait instead of failing', { timeout: 120_000 }, async () => {
    const bootDir = await mkdtemp(path.join(os.tmpdir(), 'fb-admit-root-'));
    const outDir = await mkdtemp(path.join(os.tmpdir(), 'fb-admit-out-'));
    let lab: BootLab | null = null;
    try {
      const file = randomBytes(2 * 1024 * 1024);
      await writeFile(path.join(bootDir, 'initrd.bin'), file);
      lab = await startBootLab({ bootloaderDirs: [bootDir], quiet: true, enableHttp: false, maxConcurrentTransfers: 4 });
      const script = `for i in $(seq 1 24); do timeout 90 curl -s --tftp-blksize 1468 -o ${outDir}/$i.bin tftp://${serverIp}:${lab.tftpPort}/initrd.bin || echo "fail $i" & done; wait`;
      assert.equal(lab.client.exec('sh', ['-c', script], { timeoutMs: 100_000 }).trim(), '', 'no client failed');
      const expected = createHash('sha256').update(file).digest('hex');
      const names = await readdir(outDir);
      assert.equal(names.length, 24);
      for (const n of names) assert.equal(createHash('sha256').update(await readFile(path.join(outDir, n))).digest('hex'), expected, n);
      assert.match(await lab.metrics(), /fleetboot_tftp_transfers_total\{result="done"\} 24/);
    } finally {
      await lab?.dispose();
      await rm(bootDir, { recursive: true, force: true });
      await rm(outDir, { recursive: true, force: true });
    }
  });
});
