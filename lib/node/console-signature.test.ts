import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signConsoleRequest, verifyConsoleRequest } from './console-signature.ts';

const key = 'a'.repeat(64);
const now = 1_800_000_000_000;

test('a signature holds for its method, path and key, within the allowed clock skew only', () => {
  const sig = signConsoleRequest(key, 'GET', '/logs/h1?lines=10', now);
  assert.equal(verifyConsoleRequest(key, 'GET', '/logs/h1?lines=10', sig, now + 60_000), true);
  assert.equal(verifyConsoleRequest(key, 'GET', '/logs/h2?lines=10', sig, now), false, 'another host');
  assert.equal(verifyConsoleRequest(key, 'GET', '/logs/h1?lines=11', sig, now), false, 'another query');
  assert.equal(verifyConsoleRequest('b'.repeat(64), 'GET', '/logs/h1?lines=10', sig, now), false, 'another boot server');
  assert.equal(verifyConsoleRequest(key, 'GET', '/logs/h1?lines=10', sig, now + 301_000), false, 'too old');
  for (const bad of [undefined, '', 'x', `${Math.floor(now / 1000)}:zz`, sig.slice(0, -1)]) assert.equal(verifyConsoleRequest(key, 'GET', '/logs/h1?lines=10', bad, now), false, String(bad));
});
