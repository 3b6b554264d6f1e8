import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketCount, bucketOwnerIndex, bucketRange, loadBalanceBucket } from './load-balance.ts';

const mac = (s: string) => Buffer.from(s.replace(/:/g, ''), 'hex');

test('RFC 3074 §6 hash: worked by hand from the mixing table', () => {
  // hash = len; for i = len..1: hash = table[hash ^ key[i-1]]
  assert.equal(loadBalanceBucket(Uint8Array.from([])), 0);
  assert.equal(loadBalanceBucket(Uint8Array.from([0])), 175); // table[1 ^ 0]
  assert.equal(loadBalanceBucket(Uint8Array.from([1, 2])), 170); // table[table[2 ^ 2] ^ 1] = table[251 ^ 1]
});

test('the mixing table is a permutation: every bucket is reachable from a one-byte key', () => {
  const seen = new Set<number>();
  for (let b = 0; b < 256; b++) seen.add(loadBalanceBucket(Uint8Array.from([b])));
  assert.equal(seen.size, bucketCount);
});

test('MACs spread over both halves about evenly', () => {
  let low = 0;
  const n = 4096;
  for (let i = 0; i < n; i++) {
    const m = mac(`52:54:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`);
    if (bucketOwnerIndex(loadBalanceBucket(m), 2) === 0) low++;
  }
  assert.ok(Math.abs(low - n / 2) < n * 0.05, `${low} of ${n} in the first half`);
});

test('two servers split the buckets 0-127 / 128-255; one server owns them all', () => {
  assert.deepEqual([bucketRange(0, 2), bucketRange(1, 2)], [{ first: 0, last: 127 }, { first: 128, last: 255 }]);
  assert.equal(bucketOwnerIndex(127, 2), 0);
  assert.equal(bucketOwnerIndex(128, 2), 1);
  assert.equal(bucketOwnerIndex(255, 1), 0);
  for (let b = 0; b < 256; b++) {
    const i = bucketOwnerIndex(b, 3);
    const r = bucketRange(i, 3);
    assert.ok(b >= r.first && b <= r.last, `bucket ${b} not in server ${i}'s range`);
  }
});
