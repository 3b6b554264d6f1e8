import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRequest, parseRequest, parseTransferPacket, encodeOptionAck, encodeError, TftpErrorCode } from './packet.ts';

// Bytes of a tftp-hpa 5.2 `get pxelinux.0` in binary mode with blksize and tsize, as sent on the wire.
const tftpHpaRrq = Buffer.concat([Buffer.from([0, 1]), Buffer.from('pxelinux.0\0octet\0tsize\x000\0blksize\x001468\0', 'latin1')]);

test('a read request with options parses', () => {
  const parsed = parseRequest(tftpHpaRrq);
  assert.ok(parsed.ok);
  assert.equal(parsed.value.kind, 'read');
  assert.equal(parsed.value.fileName, 'pxelinux.0');
  assert.equal(parsed.value.mode, 'octet');
  assert.deepEqual([...parsed.value.options], [['tsize', '0'], ['blksize', '1468']]);
});

test('every truncated copy of a request gives a reason, never an exception', () => {
  // Cutting inside the name, the mode or an option pair leaves an unterminated string.
  const pairBoundaries = new Set([19, 27, 40]);
  for (let n = 0; n < tftpHpaRrq.length; n++) {
    const parsed = parseRequest(tftpHpaRrq.subarray(0, n));
    assert.equal(parsed.ok, pairBoundaries.has(n), `cut at ${n} bytes`);
    if (!parsed.ok) assert.ok(parsed.reason.length > 0);
  }
});

test('mode "mail" is refused (RFC 1350: obsolete)', () => {
  const parsed = parseRequest(encodeRequest('read', 'x', 'mail'));
  assert.deepEqual(parsed, { ok: false, reason: 'mode-mail' });
});

test('mode names are case-insensitive', () => {
  const parsed = parseRequest(encodeRequest('read', 'x', 'OCTET'));
  assert.ok(parsed.ok && parsed.value.mode === 'octet');
});

test('a request longer than 512 bytes is refused', () => {
  assert.deepEqual(parseRequest(encodeRequest('read', 'a'.repeat(600), 'octet')), { ok: false, reason: 'request-too-long' });
});

test('ACK must be exactly 4 bytes; ERROR carries its code and text', () => {
  assert.deepEqual(parseTransferPacket(Buffer.from([0, 4, 0, 7])), { ok: true, value: { kind: 'ack', block: 7 } });
  assert.equal(parseTransferPacket(Buffer.from([0, 4, 0, 7, 1])).ok, false);
  assert.deepEqual(parseTransferPacket(encodeError(TftpErrorCode.UnknownTransferId, 'Unknown transfer ID')), { ok: true, value: { kind: 'error', code: 5, message: 'Unknown transfer ID' } });
});

test('OACK lists name/value pairs NUL-terminated (RFC 2347)', () => {
  assert.equal(encodeOptionAck(new Map([['blksize', '1468'], ['tsize', '42']])).toString('latin1'), '\x00\x06blksize\x001468\x00tsize\x0042\x00');
});
