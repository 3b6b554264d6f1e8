import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockBytesForMtu, negotiateReadOptions } from './options.ts';

const limits = { maxBlockBytes: blockBytesForMtu(1500), maxWindowBlocks: 64, defaultTimeoutMs: 1000 };

test('blksize is capped at what fits a 1500-byte MTU unfragmented', () => {
  assert.equal(blockBytesForMtu(1500), 1468);
  assert.equal(blockBytesForMtu(1500, 'IPv6'), 1448, 'an IPv6 header is 20 bytes longer (RFC 8200 §3)');
  const n = negotiateReadOptions(new Map([['blksize', '65464']]), 10, limits);
  assert.equal(n.blockBytes, 1468);
  assert.equal(n.acknowledged.get('blksize'), '1468');
});

test('tsize 0 is answered with the file size; timeout accepted as sent; windowsize capped', () => {
  const n = negotiateReadOptions(new Map([['tsize', '0'], ['timeout', '3'], ['windowsize', '500']]), 12345, limits);
  assert.deepEqual([...n.acknowledged], [['tsize', '12345'], ['timeout', '3'], ['windowsize', '64']]);
  assert.equal(n.timeoutMs, 3000);
  assert.equal(n.windowBlocks, 64);
});

test('invalid or unknown options are left out of the OACK, the transfer keeps its defaults', () => {
  const n = negotiateReadOptions(new Map([['blksize', '4'], ['timeout', '0'], ['windowsize', 'x'], ['multicast', '']]), 1, limits);
  assert.equal(n.acknowledged.size, 0);
  assert.equal(n.blockBytes, 512);
  assert.equal(n.windowBlocks, 1);
});
