import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SendWindow, blockCountFor, wireBlockNumber } from './send-window.ts';

test('a file that is an exact multiple of the block size ends with an empty block (RFC 1350 §6)', () => {
  assert.equal(blockCountFor(1024, 512), 3);
  assert.equal(blockCountFor(1000, 512), 2);
  assert.equal(blockCountFor(0, 512), 1);
});

test('lock-step: each new ACK releases the next block', () => {
  const w = new SendWindow(2000, 512, 1);
  assert.deepEqual(w.start(), { from: 0, to: 1 });
  assert.deepEqual(w.onAck(1), { kind: 'send', range: { from: 1, to: 2 } });
  assert.deepEqual(w.onAck(2), { kind: 'send', range: { from: 2, to: 3 } });
});

test('a duplicate ACK sends nothing: no Sorcerer\'s Apprentice (RFC 1123 §4.2.3.1)', () => {
  const w = new SendWindow(5000, 512, 1);
  w.start();
  w.onAck(1);
  assert.deepEqual(w.onAck(1), { kind: 'duplicate' });
  assert.deepEqual(w.onAck(1), { kind: 'duplicate' });
  assert.deepEqual(w.onAck(2), { kind: 'send', range: { from: 2, to: 3 } });
});

test('an ACK inside the window resends from the block after it (RFC 7440 §4)', () => {
  const w = new SendWindow(512 * 20, 512, 4);
  assert.deepEqual(w.start(), { from: 0, to: 4 });
  assert.deepEqual(w.onAck(2), { kind: 'send', range: { from: 2, to: 6 } });
  assert.deepEqual(w.onAck(6), { kind: 'send', range: { from: 6, to: 10 } });
});

test('an ACK for a block not yet sent is ignored', () => {
  const w = new SendWindow(512 * 20, 512, 4);
  w.start();
  assert.deepEqual(w.onAck(9), { kind: 'out-of-window' });
});

test('the last ACK completes; a timeout resends the unacknowledged window', () => {
  const w = new SendWindow(1500, 512, 4);
  assert.deepEqual(w.start(), { from: 0, to: 3 });
  assert.deepEqual(w.onTimeout(), { from: 0, to: 3 });
  assert.deepEqual(w.onAck(3), { kind: 'complete' });
});

test('block numbers roll over to 0 after 65535 and ACKs across it are understood', () => {
  assert.equal(wireBlockNumber(65534), 65535);
  assert.equal(wireBlockNumber(65535), 0);
  const w = new SendWindow(512 * 70000, 512, 8);
  w.start();
  let acked = 0;
  while (acked < 65530) {
    const next = Math.min(acked + 8, 65530);
    const out = w.onAck(next % 65536);
    assert.equal(out.kind, 'send');
    acked = next;
  }
  const out = w.onAck(65538 % 65536);
  assert.deepEqual(out, { kind: 'send', range: { from: 65538, to: 65546 } });
});
