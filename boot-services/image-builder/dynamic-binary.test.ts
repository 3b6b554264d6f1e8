import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { dynamicBinaryFiles, parseLddOutput } from './dynamic-binary.ts';

// Debian 12's `ldd /usr/bin/zstd`, as printed on a build machine.
const zstdLdd = `\tlinux-vdso.so.1 (0x00007fed897d0000)
\tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007fed89667000)
\tliblzma.so.5 => /lib/x86_64-linux-gnu/liblzma.so.5 (0x00007fed89638000)
\tliblz4.so.1 => /lib/x86_64-linux-gnu/liblz4.so.1 (0x00007fed89612000)
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007fed89430000)
\t/lib64/ld-linux-x86-64.so.2 (0x00007fed897d2000)
`;

test('ldd output gives each library and the loader, not the vDSO', () => {
  assert.deepEqual(parseLddOutput(zstdLdd), [
    '/lib/x86_64-linux-gnu/libz.so.1', '/lib/x86_64-linux-gnu/liblzma.so.5', '/lib/x86_64-linux-gnu/liblz4.so.1',
    '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2',
  ]);
});

test('a library ldd cannot find is an error, not a smaller initramfs', () => {
  assert.throws(() => parseLddOutput('\tlibfoo.so.1 => not found\n'), /libfoo\.so\.1 => not found/);
});

test('this machine\'s zstd comes with its loader; a static BusyBox alone', { skip: fs.existsSync('/usr/bin/zstd') ? false : 'zstd is not installed' }, () => {
  const files = dynamicBinaryFiles('/usr/bin/zstd', '/usr/bin/zstd');
  assert.equal(files[0]!.path, 'usr/bin/zstd');
  assert.ok(files.some((f) => f.path === 'lib64/ld-linux-x86-64.so.2'), JSON.stringify(files));
  assert.ok(files.every((f) => fs.statSync(f.source).isFile()));
  if (fs.existsSync('/bin/busybox')) assert.deepEqual(dynamicBinaryFiles('/bin/busybox', 'bin/busybox').map((f) => f.path), ['bin/busybox']);
});
