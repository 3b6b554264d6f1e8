import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLogLine, parseSyslogMessage, type SyslogMessage } from './message.ts';

const bytes = (s: string) => Buffer.from(s, 'utf8');
const ok = (s: string | Buffer, max?: number): SyslogMessage => {
  const r = parseSyslogMessage(typeof s === 'string' ? bytes(s) : s, max);
  assert.ok(r.ok, `parsed: ${JSON.stringify(r)}`);
  return r.message;
};

// Captured from util-linux 2.38.1 `logger -n 127.0.0.1 -P <port> -d --rfc3164 -t fleetboot "rfc3164 hello"` (Debian 12).
const loggerRfc3164 = '<13>Nov 26 02:16:30 vm fleetboot: rfc3164 hello';
// Captured from `logger -n 127.0.0.1 -P <port> -d -t web01-agent -p daemon.err "health check failed: exit 1"` (its default RFC 5424).
const loggerRfc5424 = '<27>1 2026-11-26T02:16:30.691557+00:00 vm web01-agent - - [timeQuality tzKnown="1" isSynced="0"] health check failed: exit 1';
// Same, with `--sd-id zoo@123 --sd-param tiger="hungry"`: two SD elements.
const loggerTwoSd = '<13>1 2026-11-26T02:16:30.696395+00:00 vm root - - [timeQuality tzKnown="1" isSynced="0"][zoo@123 tiger="hungry"] with sd';
// What BusyBox syslogd -R forwards (syslogd.c: the /dev/log line as libc syslog() wrote it,
// no hostname, '\n'-terminated "like stock syslogd"), from `busybox logger -t fleetboot-up`.
const busyboxForwarded = '<14>Nov 26 02:20:01 fleetboot-up[412]: health gate: /healthz returned 503\n';

test('RFC 3164 from util-linux logger: PRI, timestamp, hostname, tag, message', () => {
  assert.deepEqual(ok(loggerRfc3164), { facility: 1, severity: 5, format: 'rfc3164', timestamp: 'Nov 26 02:16:30', hostname: 'vm', tag: 'fleetboot', message: 'rfc3164 hello', truncated: false });
});

test('BusyBox syslogd forwarding: no hostname, tag with pid, trailing newline dropped', () => {
  const m = ok(busyboxForwarded);
  assert.equal(m.hostname, null);
  assert.equal(m.tag, 'fleetboot-up[412]');
  assert.equal(m.message, 'health gate: /healthz returned 503');
  assert.equal(m.severity, 6);
});

test('BusyBox init (empty ident, captured from syslogd -R): no hostname ":" and no tag', () => {
  const m = ok("<30>Nov 26 03:22:13 : starting pid 2, tty '': '/bin/true'\n");
  assert.deepEqual([m.hostname, m.tag, m.message], [null, null, "starting pid 2, tty '': '/bin/true'"]);
});

test('RFC 3164 with a space-padded day and no tag keeps the whole content', () => {
  const m = ok('<30>Jan  5 07:08:09 spare03 kernel panic - not syncing');
  assert.equal(m.timestamp, 'Jan  5 07:08:09');
  assert.equal(m.hostname, 'spare03');
  assert.equal(m.tag, null);
  assert.equal(m.message, 'kernel panic - not syncing');
});

test('RFC 5424 from util-linux logger: structured data skipped, fields read', () => {
  assert.deepEqual(ok(loggerRfc5424), { facility: 3, severity: 3, format: 'rfc5424', timestamp: '2026-11-26T02:16:30.691557+00:00', hostname: 'vm', tag: 'web01-agent', message: 'health check failed: exit 1', truncated: false });
  assert.equal(ok(loggerTwoSd).message, 'with sd');
});

test('RFC 5424 with nil fields, procid, BOM and an escaped ] in structured data', () => {
  const m = ok('<165>1 - - app 42 ID47 [x@1 a="b\\]c"] \uFEFFhello');
  assert.equal(m.timestamp, null);
  assert.equal(m.hostname, null);
  assert.equal(m.tag, 'app[42]');
  assert.equal(m.message, 'hello');
  assert.equal(ok('<0>1 - - - - - -').message, '');
});

test('malformed and truncated datagrams give a reason, never an exception', () => {
  const cases: Array<[string | Buffer, string]> = [
    ['', 'empty'],
    ['\n', 'empty'],
    ['hello world', 'no-pri'],
    ['<>1 - - - - - -', 'no-pri'],
    ['<192>Nov 26 02:16:30 vm x: y', 'bad-pri'],
    ['<013>Nov 26 02:16:30 vm x: y', 'bad-pri'],
    ['<1', 'no-pri'],
    ['<13>1 2026-11-26T02:16:30Z vm', 'bad-header'],
    [loggerRfc5424.slice(0, 80), 'bad-structured-data'],
    ['<13>1 - - - - - [a b="c"]x', 'bad-structured-data'],
    ['<13>1 - - - - - x', 'bad-structured-data'],
    [`<13>1 - ${'h'.repeat(300)} - - - -`, 'bad-header'],
  ];
  for (const [input, reason] of cases) {
    const r = parseSyslogMessage(typeof input === 'string' ? bytes(input) : input);
    assert.deepEqual(r, { ok: false, reason }, JSON.stringify(input));
  }
  // Every prefix of the captured datagrams parses or gives a reason.
  for (const captured of [loggerRfc3164, loggerRfc5424, loggerTwoSd, busyboxForwarded]) {
    const b = bytes(captured);
    for (let n = 0; n <= b.length; n++) {
      const r = parseSyslogMessage(b.subarray(0, n));
      assert.ok(r.ok || typeof r.reason === 'string');
    }
  }
  // Invalid UTF-8 becomes U+FFFD.
  assert.equal(ok(Buffer.concat([bytes('<13>Nov 26 02:16:30 vm x: a'), Buffer.from([0xff, 0xfe])])).message, 'a\uFFFD\uFFFD');
});

test('long messages are cut to the byte bound on a character boundary', () => {
  const m = ok(`<13>Nov 26 02:16:30 vm x: ${'é'.repeat(100)}`, 51);
  assert.equal(m.truncated, true);
  assert.equal(m.message, 'é'.repeat(25));
});

test('a log line is one line: newlines and control characters escaped', () => {
  const m = ok('<27>1 - spare03 agent - - - first\nsecond\x1b[0m');
  assert.equal(formatLogLine(m, new Date('2026-01-02T03:04:05Z')), '2026-01-02T03:04:05.000Z daemon.err spare03 agent: first\\nsecond\\x1b[0m');
});
