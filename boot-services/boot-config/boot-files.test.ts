import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BootFiles, checkBootFileName } from './boot-files.ts';
import { FakeBootView } from '../../lib/boot/testing/fake-boot-view.ts';

test('names that could leave the boot root are refused', () => {
  assert.deepEqual(checkBootFileName('../etc/passwd'), { ok: false, reason: 'parent-directory' });
  assert.deepEqual(checkBootFileName('a/../../b'), { ok: false, reason: 'parent-directory' });
  assert.deepEqual(checkBootFileName('/../etc/passwd'), { ok: false, reason: 'parent-directory' });
  assert.deepEqual(checkBootFileName('/'), { ok: false, reason: 'empty' });
  assert.deepEqual(checkBootFileName('a\0b'), { ok: false, reason: 'control-character' });
  assert.deepEqual(checkBootFileName('a'.repeat(256)), { ok: false, reason: 'overlong' });
  assert.deepEqual(checkBootFileName('pxelinux.cfg/01-aa-bb-cc-dd-ee-ff'), { ok: true, name: 'pxelinux.cfg/01-aa-bb-cc-dd-ee-ff' });
});

test('a leading / names the boot root, as GRUB\'s TFTP client sends it', () => {
  assert.deepEqual(checkBootFileName('/images/img-1/kernel'), { ok: true, name: 'images/img-1/kernel' });
  assert.deepEqual(checkBootFileName('//grub/grub.cfg'), { ok: true, name: 'grub/grub.cfg' });
  assert.deepEqual(checkBootFileName('/etc/passwd'), { ok: true, name: 'etc/passwd' });
});

test('a symlink inside a root that points outside it is refused; one that stays inside is served', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fb-root-'));
  try {
    await mkdir(path.join(dir, 'root'));
    await writeFile(path.join(dir, 'secret'), 'secret');
    await writeFile(path.join(dir, 'root', 'real.bin'), 'boot');
    await symlink(path.join(dir, 'secret'), path.join(dir, 'root', 'escape'));
    await symlink('real.bin', path.join(dir, 'root', 'alias'));
    const files = new BootFiles({ view: () => new FakeBootView(), httpBaseUrl: 'http://x', bootloaders: new Map(), roots: [path.join(dir, 'root')], discoveryKernelPath: '/nonexistent', discoveryInitrdPath: '/nonexistent' });
    const escape = await files.lookup('escape', null);
    assert.equal(escape.ok ? 'served' : escape.reason, 'outside-root');
    const alias = await files.lookup('alias', null);
    assert.ok(alias.ok && alias.file.kind === 'disk' && alias.file.sizeBytes === 4);
    const missing = await files.lookup('nope', null);
    assert.equal(missing.ok ? 'served' : missing.reason, 'not-found');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
