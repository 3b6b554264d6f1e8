import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRange, noneMatch, rangeStillValid } from './http-range.ts';

test('byte ranges (RFC 9110 §14.1.2)', () => {
  assert.deepEqual(decideRange('bytes=0-99', 1000), { kind: 'partial', ranges: [{ start: 0, end: 99 }] });
  assert.deepEqual(decideRange('bytes=900-', 1000), { kind: 'partial', ranges: [{ start: 900, end: 999 }] });
  assert.deepEqual(decideRange('bytes=-100', 1000), { kind: 'partial', ranges: [{ start: 900, end: 999 }] });
  assert.deepEqual(decideRange('bytes=990-2000', 1000), { kind: 'partial', ranges: [{ start: 990, end: 999 }] });
  assert.deepEqual(decideRange('bytes=0-1,5-6', 10), { kind: 'partial', ranges: [{ start: 0, end: 1 }, { start: 5, end: 6 }] });
  assert.deepEqual(decideRange('bytes=1000-', 1000), { kind: 'unsatisfiable' });
});

test('malformed or foreign ranges are ignored: the whole file (RFC 9110 §14.2)', () => {
  for (const h of ['items=0-1', 'bytes=', 'bytes=a-b', 'bytes=5-1', 'bytes=-']) assert.deepEqual(decideRange(h, 10), { kind: 'whole' }, h);
  assert.deepEqual(decideRange(undefined, 10), { kind: 'whole' });
});

test('If-None-Match weak comparison; If-Range strong', () => {
  assert.ok(noneMatch('"a", W/"b"', '"b"'));
  assert.ok(noneMatch('*', '"x"'));
  assert.ok(!noneMatch('"a"', '"b"'));
  assert.ok(rangeStillValid('"a"', '"a"', ''));
  assert.ok(!rangeStillValid('"a"', '"b"', ''));
});
