import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadTransfer, retransmitWaitMs, type Clock, type Endpoint, type TransferResult, type TransferSocket } from './read-transfer.ts';
import { MemoryContent } from './transfer-content.ts';
import { encodeAck, encodeError, encodeOptionAck, TftpErrorCode } from './packet.ts';

const client: Endpoint = { address: '10.0.0.2', port: 3000 };

/** A clock whose time only moves when the test says so. */
class ManualClock implements Clock {
  nowMs = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now() { return this.nowMs; }
  setTimeout(fn: () => void, ms: number) { const id = this.nextId++; this.timers.push({ at: this.nowMs + ms, fn, id }); return id; }
  clearTimeout(id: unknown) { this.timers = this.timers.filter((t) => t.id !== id); }
  advance(ms: number) {
    const until = this.nowMs + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.nowMs = due.at;
      due.fn();
    }
    this.nowMs = until;
  }
}

function setup(sizeBytes: number, windowBlocks = 1, acknowledged = new Map<string, string>()) {
  const sent: { to: Endpoint; packet: Buffer }[] = [];
  let deliver: (p: Buffer, from: Endpoint) => void = () => {};
  const socket: TransferSocket = { send: (parts, to) => sent.push({ to, packet: Buffer.concat(parts) }), onPacket: (h) => { deliver = h; }, close() {} };
  const clock = new ManualClock();
  const results: TransferResult[] = [];
  const t = new ReadTransfer({
    socket, client, content: new MemoryContent(Buffer.alloc(sizeBytes, 7)), clock, maxRetries: 2,
    negotiated: { blockBytes: 512, windowBlocks, timeoutMs: 1000, acknowledged }, sizeOffered: acknowledged.has('tsize'),
    onProgress() {}, onForeignPacket() {}, onFinish: (r) => results.push(r),
  }, acknowledged.size > 0 ? encodeOptionAck(acknowledged) : null);
  return { t, sent, clock, results, deliver: (p: Buffer, from: Endpoint = client) => deliver(p, from) };
}

const blockOf = (p: Buffer) => p.readUInt16BE(2);

test('only the timer retransmits, backing off 1, 2, 4 s (RFC 1123 §4.2.3.2), and it gives up after maxRetries', () => {
  const s = setup(2000);
  s.t.start();
  assert.deepEqual(s.sent.map((x) => blockOf(x.packet)), [1]);
  s.clock.advance(999);
  assert.equal(s.sent.length, 1);
  s.clock.advance(1);
  assert.deepEqual(s.sent.map((x) => blockOf(x.packet)), [1, 1]);
  s.clock.advance(1999);
  assert.equal(s.sent.length, 2, 'the second retransmission waits twice as long');
  s.clock.advance(1);
  assert.deepEqual(s.sent.map((x) => blockOf(x.packet)), [1, 1, 1]);
  s.clock.advance(3999);
  assert.deepEqual(s.results, []);
  s.clock.advance(1);
  assert.deepEqual(s.results, [{ ok: false, reason: 'timeout', message: 'no ACK after 3 tries' }]);
});

test('the backoff starts over once the client moves, and stops doubling at 4 s', () => {
  assert.deepEqual([0, 1, 2, 3, 6].map((r) => retransmitWaitMs({ blockBytes: 512, windowBlocks: 1, timeoutMs: 1000, acknowledged: new Map() }, r)), [1000, 2000, 4000, 4000, 4000]);
  const s = setup(512 * 3);
  s.t.start();
  s.clock.advance(1000);
  s.clock.advance(2000);
  assert.equal(s.sent.length, 3);
  s.deliver(encodeAck(1));
  assert.deepEqual(s.sent.map((x) => blockOf(x.packet)), [1, 1, 1, 2]);
  s.clock.advance(1000);
  assert.deepEqual(s.sent.map((x) => blockOf(x.packet)), [1, 1, 1, 2, 2], 'back to 1 s after progress');
});

test('a timeout the client asked for (RFC 2349) is kept at every retransmission', () => {
  assert.deepEqual([0, 1, 2, 5].map((r) => retransmitWaitMs({ blockBytes: 512, windowBlocks: 1, timeoutMs: 3000, acknowledged: new Map([['timeout', '3']]) }, r)), [3000, 3000, 3000, 3000]);
});

test('progress pushes the timeout back: a steady client never times out', () => {
  const s = setup(512 * 5);
  s.t.start();
  for (let b = 1; b <= 5; b++) {
    s.clock.advance(900);
    s.deliver(encodeAck(b));
  }
  s.clock.advance(900);
  s.deliver(encodeAck(6));
  assert.deepEqual(s.results, [{ ok: true, bytesSent: 512 * 5, resentBlocks: 0 }]);
  assert.deepEqual(s.sent.map((x) => blockOf(x.packet)), [1, 2, 3, 4, 5, 6]);
});

test('a stranger\'s ERROR is answered with error 5 and the transfer goes on', () => {
  const s = setup(1000);
  s.t.start();
  s.deliver(encodeError(TftpErrorCode.NotDefined, 'stop'), { address: '10.0.0.9', port: 4000 });
  const reply = s.sent.at(-1)!;
  assert.deepEqual(reply.to, { address: '10.0.0.9', port: 4000 });
  assert.equal(reply.packet.readUInt16BE(2), TftpErrorCode.UnknownTransferId);
  assert.equal(s.results.length, 0);
  s.deliver(encodeAck(1));
  s.deliver(encodeAck(2));
  assert.equal(s.results[0]?.ok, true);
});

test('the client\'s own ERROR ends the transfer', () => {
  const s = setup(1000);
  s.t.start();
  s.deliver(encodeError(TftpErrorCode.DiskFull, 'disk full'));
  assert.equal(s.results[0]?.ok, false);
});

test('an ERROR answering an OACK that carried tsize ends a size probe, not a failed transfer (edk2\'s GetInfo)', () => {
  const s = setup(5000, 1, new Map([['tsize', '5000'], ['blksize', '512']]));
  s.t.start();
  s.deliver(encodeError(TftpErrorCode.OptionsRefused, 'User aborted the transfer'));
  assert.equal(s.results[0]?.ok, false);
  assert.equal(!s.results[0]!.ok && s.results[0]!.reason, 'size-probe');
  assert.equal(s.sent.length, 1, 'no DATA after the probe');
});

test('ERROR 8 to an OACK without tsize is still the client refusing our options', () => {
  const s = setup(5000, 1, new Map([['blksize', '512']]));
  s.t.start();
  s.deliver(encodeError(TftpErrorCode.OptionsRefused, 'blksize'));
  assert.equal(!s.results[0]!.ok && s.results[0]!.reason, 'client-refused-options');
});

test('an ERROR after DATA began is a client error even when tsize was asked', () => {
  const s = setup(5000, 1, new Map([['tsize', '5000']]));
  s.t.start();
  s.deliver(encodeAck(0));
  s.deliver(encodeError(TftpErrorCode.OptionsRefused, 'User aborted the transfer'));
  assert.equal(!s.results[0]!.ok && s.results[0]!.reason, 'client-error');
});
