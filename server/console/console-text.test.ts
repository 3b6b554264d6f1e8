import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsoleTextDecoder } from './console-text.ts';

const decodeAll = (...chunks: Array<string | Buffer>) => {
  const d = new ConsoleTextDecoder();
  return chunks.map((c) => d.decode(typeof c === 'string' ? Buffer.from(c, 'latin1') : c)).join('');
};

test('colours, cursor moves and titles leave no trace; line ends become LF', () => {
  // SeaBIOS and iPXE clear the screen and colour their banners (captured from QEMU's serial).
  assert.equal(decodeAll('\x1b[2J\x1b[01;01H\x1b[=3hSeaBIOS (version 1.16.2)\r\n'), 'SeaBIOS (version 1.16.2)\n');
  assert.equal(decodeAll('\x1b[0m\x1b[1miPXE\x1b[0m ok\r\n\x1b]0;title\x07next\r'), 'iPXE ok\nnext');
  assert.equal(decodeAll('a\x00b\x07c\x1b7d'), 'abcd');
});

test('a sequence, a CR LF or a UTF-8 character cut between chunks is still understood', () => {
  assert.equal(decodeAll('red \x1b[3', '1mtext\x1b', '[0m done\r', '\nnext'), 'red text done\nnext');
  const euro = Buffer.from('€ ok\n');
  assert.equal(decodeAll(euro.subarray(0, 1), euro.subarray(1)), '€ ok\n');
});
