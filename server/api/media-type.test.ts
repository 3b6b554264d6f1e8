import assert from 'node:assert/strict';
import test from 'node:test';
import { isMediaType } from './media-type.ts';

test('the exact type, with a UTF-8 charset at most', () => {
  for (const h of ['application/json', 'Application/JSON', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"']) assert.ok(isMediaType(h, 'application/json'), h);
  assert.ok(isMediaType('text/csv', 'text/csv'));
});

test("what a page on another origin can send without a preflight isn't JSON or CSV (issue 17)", () => {
  for (const h of ['text/plain;x=json', 'application/x-www-form-urlencoded;x=json', 'application/json; x=1', 'application/jsonx', 'multipart/form-data; boundary=json', 'application/json; charset=latin1', '']) assert.ok(!isMediaType(h, 'application/json'), h);
  for (const h of ['text/plain;x=csv', 'text/plain; x="text/csv"', 'text/csv; header=present']) assert.ok(!isMediaType(h, 'text/csv'), h);
  assert.ok(!isMediaType(null, 'text/csv'));
});
