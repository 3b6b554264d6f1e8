import assert from 'node:assert/strict';
import { test } from 'node:test';
import { macSpellingPattern, normalizeMac } from './mac.ts';

const accepted: Array<[string, string]> = [
  ['aa:bb:cc:00:11:22', 'aa:bb:cc:00:11:22'],
  ['AA:BB:CC:00:11:22', 'aa:bb:cc:00:11:22'],
  ['AA-BB-CC-00-11-22', 'aa:bb:cc:00:11:22'],
  ['aabb.cc00.1122', 'aa:bb:cc:00:11:22'],
  ['aabbcc001122', 'aa:bb:cc:00:11:22'],
  ['  aa:bb:cc:00:11:22\n', 'aa:bb:cc:00:11:22'],
];
const refused = [
  'aa:bb:cc:00:11', // five pairs
  'aa:bb:cc:00:11:22:33', // eight bytes
  'zz:bb:cc:00:11:22', // not hex
  'aa:bb-cc:00:11:22', // mixed separators
  'aa::bb:cc:00:11:22', // doubled separator
  'a:abbcc001122', // groups of other sizes
  'aa bb cc 00 11 22', // spaces inside
  'aabb:cc00:1122', // quads take dots only
  'aa.bb.cc.00.11.22', // pairs take : or - only
  '',
];

test('every accepted spelling gives the lower-case colon form', () => {
  for (const [text, mac] of accepted) assert.equal(normalizeMac(text), mac, text);
});

test('refused spellings give null', () => {
  for (const text of refused) assert.equal(normalizeMac(text), null, text);
});

test('the OpenAPI pattern accepts exactly what normalizeMac reads', () => {
  const pattern = new RegExp(macSpellingPattern);
  for (const [text] of accepted) assert.ok(pattern.test(text), text);
  for (const text of refused) assert.ok(!pattern.test(text), text);
});
