import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HostLogFiles, logFileName } from './host-log-files.ts';

test('lines are appended in batches, rotated by size, and read back from the end', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fb-syslog-files-'));
  const errors: string[] = [];
  const files = new HostLogFiles({ dir, maxFileBytes: 100, keepFiles: 2, maxPendingBytes: 1 << 20, flushIntervalMs: 5, onWriteError: (n, e) => errors.push(`${n}: ${e.message}`) });
  try {
    for (let i = 0; i < 30; i++) {
      assert.ok(files.append('web01', `line ${String(i).padStart(2, '0')}`));
      if (i % 4 === 0) await files.flush();
    }
    await files.close();
    assert.deepEqual(errors, []);
    assert.deepEqual((await readdir(dir)).sort(), ['web01.log', 'web01.log.1', 'web01.log.2']);
    for (const f of await readdir(dir)) assert.ok((await readFile(path.join(dir, f))).length <= 100, `${f} within the size bound`);
    assert.deepEqual(await files.tail('web01', 3), ['line 27', 'line 28', 'line 29']);
    // Across the live file and the newest rotated one, in order.
    const tail = await files.tail('web01', 12);
    assert.equal(tail.at(-1), 'line 29');
    assert.deepEqual(tail, [...tail].sort());
    assert.deepEqual(await files.tail('nobody', 5), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a full queue refuses lines instead of growing', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fb-syslog-full-'));
  const files = new HostLogFiles({ dir, maxFileBytes: 1000, keepFiles: 1, maxPendingBytes: 20, flushIntervalMs: 60_000, onWriteError: () => undefined });
  try {
    assert.equal(files.append('a', '0123456789'), true);
    assert.equal(files.append('a', '0123456789'), false);
    await files.close();
    assert.equal(await readFile(path.join(dir, 'a.log'), 'utf8'), '0123456789\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('file names never leave the logs directory', () => {
  assert.equal(logFileName('web01.example.org'), 'web01.example.org');
  assert.equal(logFileName('10.66.0.5'), '10.66.0.5');
  for (const bad of ['../etc/passwd', '.hidden', 'a/b', '', 'x y']) assert.equal(logFileName(bad), null, bad);
});
