import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeSolInput, solEndSequence } from './sol-escape.ts';

const text = (s: string, atLineStart: boolean) => {
  const r = escapeSolInput(Buffer.from(s), atLineStart);
  return { s: r.bytes.toString(), atLineStart: r.atLineStart };
};

test('a "~" at a line start is doubled, so typing "~." never ends the session', () => {
  assert.deepEqual(text('~.', true), { s: '~~.', atLineStart: false });
  assert.deepEqual(text('ls\r~.', false), { s: 'ls\r~~.', atLineStart: false });
  assert.deepEqual(text('x\n~B', false), { s: 'x\n~~B', atLineStart: false });
});

test('a "~" inside a line goes through as it is', () => {
  assert.deepEqual(text('cd ~/x\r', false), { s: 'cd ~/x\r', atLineStart: true });
  assert.deepEqual(text('a~', true), { s: 'a~', atLineStart: false });
});

test('the line state carries across writes', () => {
  const first = escapeSolInput(Buffer.from('echo\r'), false);
  assert.equal(first.atLineStart, true);
  assert.equal(escapeSolInput(Buffer.from('~'), first.atLineStart).bytes.toString(), '~~');
});

test('ending the session starts a line first when mid-line', () => {
  assert.equal(solEndSequence(true).toString(), '~.');
  assert.equal(solEndSequence(false).toString(), '\r~.');
});
