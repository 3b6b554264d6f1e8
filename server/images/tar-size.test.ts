// The tar header reader against archives made by GNU tar (Debian's), gzip and zstd alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TarSizeCounter, inodeBytes, pageBytes } from './tar-size.ts';
import { detectCompression, measureRootfsFile } from './rootfs-measure.ts';
import { memoryNeededForRoot, ramRootMarginBytes } from './ram-fit.ts';

function tree(): { dir: string; expected: number; fileBytes: number; entries: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-tarsize-'));
  fs.mkdirSync(path.join(dir, 'etc'));
  fs.writeFileSync(path.join(dir, 'etc/small'), 'x'.repeat(10));
  fs.writeFileSync(path.join(dir, 'big'), Buffer.alloc(3 * pageBytes + 1, 7));
  fs.writeFileSync(path.join(dir, 'empty'), '');
  fs.symlinkSync('big', path.join(dir, 'link'));
  fs.linkSync(path.join(dir, 'big'), path.join(dir, 'hard'));
  // A name over 100 bytes: GNU tar writes a long-name entry before it.
  const long = 'n'.repeat(150);
  fs.writeFileSync(path.join(dir, long), 'y');
  // Entries: . etc etc/small big empty link hard(hard link: no inode) long → 7 with an inode.
  const pages = (n: number) => Math.ceil(n / pageBytes) * pageBytes;
  const expected = 7 * inodeBytes + pages(10) + pages(3 * pageBytes + 1) + pages(0) + pages(1);
  return { dir, expected, fileBytes: 10 + 3 * pageBytes + 1 + 1, entries: 8 };
}

test('GNU tar, gzip and zstd: each file rounded to pages, an inode per entry, hard links free', async () => {
  const t = tree();
  try {
    const tar = path.join(t.dir, '..', `${path.basename(t.dir)}.tar`);
    execFileSync('tar', ['-C', t.dir, '-cf', tar, '.']);
    execFileSync('gzip', ['-kf', tar]);
    execFileSync('zstd', ['-qf', tar, '-o', `${tar}.zst`]);
    for (const [file, compression] of [[tar, 'none'], [`${tar}.gz`, 'gzip'], [`${tar}.zst`, 'zstd']] as const) {
      const m = await measureRootfsFile(file);
      assert.deepEqual(m, { compression, unpackedBytes: t.expected, fileBytes: t.fileBytes, entries: t.entries }, file);
    }
    for (const f of [tar, `${tar}.gz`, `${tar}.zst`]) fs.rmSync(f);
  } finally {
    fs.rmSync(t.dir, { recursive: true, force: true });
  }
});

test('pax size records (POSIX.1-2001) override the header; fed a byte at a time', () => {
  const t = tree();
  try {
    const bytes = execFileSync('tar', ['-C', t.dir, '--format=pax', '--pax-option=delete=atime,delete=ctime', '-cf', '-', '.']);
    const counter = new TarSizeCounter();
    for (let i = 0; i < bytes.length; i++) counter.write(bytes.subarray(i, i + 1));
    assert.equal(counter.result().unpackedBytes, t.expected);
  } finally {
    fs.rmSync(t.dir, { recursive: true, force: true });
  }
});

test('a cut archive, a wrong checksum and plain junk are errors, not sizes', async () => {
  const t = tree();
  try {
    const bytes = execFileSync('tar', ['-C', t.dir, '-cf', '-', '.']);
    const cut = new TarSizeCounter();
    cut.write(bytes.subarray(0, 512 + 700));
    assert.throws(() => cut.result(), /cut short/);
    const bad = Buffer.from(bytes);
    bad[0] = bad[0]! ^ 1;
    assert.throws(() => new TarSizeCounter().write(bad), /header checksum/);
    const junk = path.join(os.tmpdir(), `fb-junk-${process.pid}`);
    fs.writeFileSync(junk, 'hello, not an archive');
    await assert.rejects(measureRootfsFile(junk), /neither gzip, zstd nor a tar archive/);
    fs.rmSync(junk);
    assert.equal(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0])), 'zstd');
  } finally {
    fs.rmSync(t.dir, { recursive: true, force: true });
  }
});

test('memory a ram root needs: the tmpfs share or the margin, whichever is more', () => {
  assert.equal(memoryNeededForRoot(100 * 1024 * 1024), 100 * 1024 * 1024 + ramRootMarginBytes);
  const big = 10 * 1024 ** 3;
  assert.equal(memoryNeededForRoot(big), Math.ceil(big / 0.9));
});
