import assert from 'node:assert/strict';
import test from 'node:test';
import { consolePathOr, consolePathOrNull } from './console-path.ts';

test('a path on the console is kept as it is', () => {
  for (const p of ['/', '/hosts', '/hosts/1?q=a%2Fb#x', '/images/a:b']) assert.equal(consolePathOrNull(p), p);
});

test('what a browser reads as another host or scheme is refused', () => {
  // issue 17: /login?next=/%5Cevil.example/x answered 307 location: /\evil.example/x
  for (const p of ['/\\evil.example/x', '//evil.example', '/\t/evil.example', '/\n/evil.example', 'https://evil.example', 'javascript:alert(1)', 'evil.example', '', ' /hosts', '/x\u0085y', '/x\u007fy']) {
    assert.equal(consolePathOrNull(p), null, JSON.stringify(p));
  }
});

test('anything else falls back to the dashboard', () => {
  assert.equal(consolePathOr(undefined), '/');
  assert.equal(consolePathOr(['/hosts']), '/');
  assert.equal(consolePathOr('//evil.example', '/hosts'), '/hosts');
});
