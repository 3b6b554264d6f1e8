import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsoleScrollback } from './console-scrollback.ts';

test('keeps everything until full, then the last capacity bytes in order', () => {
  const s = new ConsoleScrollback(8);
  s.append(Buffer.from('abc'));
  assert.equal(s.contents().toString(), 'abc');
  s.append(Buffer.from('defgh'));
  assert.equal(s.contents().toString(), 'abcdefgh');
  s.append(Buffer.from('ij'));
  assert.equal(s.contents().toString(), 'cdefghij');
  s.append(Buffer.from('klmno'));
  assert.equal(s.contents().toString(), 'hijklmno');
});

test('a chunk larger than the ring leaves its own tail', () => {
  const s = new ConsoleScrollback(4);
  s.append(Buffer.from('x'));
  s.append(Buffer.from('0123456789'));
  assert.equal(s.contents().toString(), '6789');
  s.append(Buffer.from('a'));
  assert.equal(s.contents().toString(), '789a');
});
