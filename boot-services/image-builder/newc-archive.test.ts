import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeNewcArchive } from './newc-archive.ts';

test('the archive unpacks with cpio into the same files, modes and links', (t) => {
  try { execFileSync('which', ['cpio'], { stdio: 'ignore' }); } catch { t.skip('cpio is not installed'); return; }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-newc-'));
  try {
    const archive = writeNewcArchive([
      { kind: 'dir', path: 'etc' },
      { kind: 'file', path: 'etc/hello', data: Buffer.from('hello\n'), mode: 0o600 },
      { kind: 'file', path: 'init', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
      { kind: 'symlink', path: 'sh', target: 'init' },
    ]);
    execFileSync('cpio', ['-i', '-d', '--quiet'], { cwd: dir, input: archive });
    assert.equal(fs.readFileSync(path.join(dir, 'etc/hello'), 'utf8'), 'hello\n');
    assert.equal(fs.statSync(path.join(dir, 'etc/hello')).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(dir, 'init')).mode & 0o777, 0o755);
    assert.equal(fs.readlinkSync(path.join(dir, 'sh')), 'init');
    const listing = execFileSync('cpio', ['-t', '--quiet'], { input: archive, encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(listing, ['etc', 'etc/hello', 'init', 'sh']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a path that climbs out of the archive root is refused', () => {
  assert.throws(() => writeNewcArchive([{ kind: 'file', path: '../etc/passwd', data: Buffer.alloc(0) }]), /bad archive path/);
});
