import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestartBackoff, healthyRunMs, maxDelayMs } from './restart-backoff.ts';

test('the delay doubles while runs keep failing fast, up to the maximum', () => {
  const b = new RestartBackoff();
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(() => b.nextDelayMs(500)), [1000, 2000, 4000, 8000, 16_000, maxDelayMs, maxDelayMs]);
});

test('a healthy run starts the backoff over', () => {
  const b = new RestartBackoff();
  b.nextDelayMs(10);
  b.nextDelayMs(10);
  assert.equal(b.nextDelayMs(healthyRunMs), 1000);
  assert.equal(b.failuresInARow, 1);
});
