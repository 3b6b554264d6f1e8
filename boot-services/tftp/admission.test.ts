import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdmissionQueue } from './admission.ts';

test('past the cap requests wait, and start in order as slots free', () => {
  const q = new AdmissionQueue<string>({ maxConcurrentTransfers: 2, maxQueuedRequests: 10, maxQueueWaitMs: 30_000 });
  assert.equal(q.admit('a:1', 'a', 0), 'start');
  assert.equal(q.admit('b:1', 'b', 0), 'start');
  assert.equal(q.admit('c:1', 'c', 0), 'queued');
  assert.equal(q.admit('d:1', 'd', 0), 'queued');
  assert.deepEqual(q.release('a:1', 100).start.map((s) => s.request), ['c']);
  assert.equal(q.runningCount, 2);
  assert.equal(q.queuedCount, 1);
});

test('a retransmitted request (same client port) is a duplicate, not a second transfer', () => {
  const q = new AdmissionQueue<string>({ maxConcurrentTransfers: 1, maxQueuedRequests: 10, maxQueueWaitMs: 30_000 });
  q.admit('a:1', 'a', 0);
  assert.equal(q.admit('a:1', 'a', 10), 'duplicate');
  q.admit('b:1', 'b', 0);
  assert.equal(q.admit('b:1', 'b', 10), 'duplicate');
});

test('requests whose client has surely given up are not started; a full queue drops silently', () => {
  const q = new AdmissionQueue<string>({ maxConcurrentTransfers: 1, maxQueuedRequests: 1, maxQueueWaitMs: 1000 });
  q.admit('a:1', 'a', 0);
  q.admit('b:1', 'b', 0);
  assert.equal(q.admit('c:1', 'c', 0), 'queue-full');
  const next = q.release('a:1', 5000);
  assert.deepEqual(next.expired, ['b']);
  assert.deepEqual(next.start, []);
});
