import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DiskContent, readAheadBytes, toNetascii } from './transfer-content.ts';

test('a big file read window by window, across read-ahead chunks, gives back its bytes', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fb-content-'));
  try {
    const bytes = randomBytes(readAheadBytes * 3 + 12345);
    await writeFile(path.join(dir, 'f'), bytes);
    const content = await DiskContent.open(path.join(dir, 'f'), bytes.length);
    const windowBytes = 1468 * 64;
    const got: Buffer[] = [];
    for (let offset = 0; offset < bytes.length; offset += windowBytes) {
      let part = content.peek(offset, windowBytes);
      if (!part) {
        await content.load(offset, windowBytes);
        part = content.peek(offset, windowBytes);
      }
      assert.ok(part, `bytes at ${offset}`);
      got.push(Buffer.from(part));
    }
    content.close();
    assert.ok(Buffer.concat(got).equals(bytes));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('netascii: LF becomes CR LF, a bare CR becomes CR NUL', () => {
  assert.deepEqual([...toNetascii(Buffer.from('a\nb\rc'))], [0x61, 0x0d, 0x0a, 0x62, 0x0d, 0x00, 0x63]);
});
