import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ArtifactCache } from './artifact-cache.ts';

const sha = (c: string) => c.repeat(64);

async function cacheWith(limitBytes: number, files: Array<[string, number]>, clock: { now: number }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-artifact-cache-'));
  const cache = new ArtifactCache(dir, limitBytes, () => clock.now);
  await cache.open();
  for (const [c, size] of files) {
    fs.writeFileSync(cache.partPathOf(sha(c)), Buffer.alloc(size));
    await cache.admit(sha(c), size);
    clock.now += 1000;
  }
  return { cache, dir };
}

test('past its limit the least recently used artifacts go, never a pinned one', async () => {
  const clock = { now: 1_000_000 };
  const { cache, dir } = await cacheWith(250, [['a', 100], ['b', 100], ['c', 100]], clock);
  try {
    cache.use(sha('a'));
    const evicted = await cache.evict(new Set());
    assert.deepEqual(evicted.map((e) => e.sha256[0]), ['b'], 'b was used least recently (a was just used)');
    assert.equal(fs.existsSync(path.join(dir, sha('b'))), false);
    assert.equal(cache.totalBytes, 200);
    const shrunk = new ArtifactCache(dir, 50, () => clock.now);
    await shrunk.open();
    assert.equal(shrunk.totalBytes, 200, 'a restart finds what is on disk');
    const more = await shrunk.evict(new Set([sha('a'), sha('c')]));
    assert.deepEqual(more, [], 'everything left is pinned: over the limit rather than breaking a boot');
    assert.equal(shrunk.totalBytes, 200);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a .part (cut pull) and stray names are not artifacts', async () => {
  const clock = { now: 0 };
  const { cache, dir } = await cacheWith(1000, [['a', 10]], clock);
  try {
    fs.writeFileSync(cache.partPathOf(sha('b')), 'half');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
    const again = new ArtifactCache(dir, 1000);
    await again.open();
    assert.deepEqual([again.count, again.has(sha('a')), again.has(sha('b')), again.use(sha('b'))], [1, true, false, null]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
