// bootd's syslog service in-process on 127.0.0.1 with a fake view, fed by Debian's logger
// (util-linux; BusyBox's logger only writes to the local /dev/log), in both of its formats.
// Checks what an operator sees: the host's log file, and its tail on bootd's admin endpoint
// and through server/logs/queries.ts, which the API route uses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FakeBootView, host } from '../../../lib/boot/testing/fake-boot-view.ts';
import { Metrics } from '../../metrics.ts';
import { startSyslogService, defaultSyslogTuning, type SyslogService } from '../service.ts';
import { readHostLogTail } from '../../../server/logs/queries.ts';
import { localStatusEndpoint } from '../../../server/boot-servers/status-endpoints.ts';

const hasLogger = (() => {
  try {
    execFileSync('logger', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasLogger) console.log('# skipping syslog interop tests: util-linux logger is not installed');

const spareId = '7d3c1e52-0000-4000-8000-000000000003';

describe('syslog with Debian logger', { skip: hasLogger ? false : 'no logger' }, () => {
  let stateDir: string;
  let service: SyslogService;
  let admin: http.Server;
  let adminPort: number;
  const view = new FakeBootView();
  const metrics = new Metrics();

  before(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'fb-syslog-'));
    view.hosts = [host({ id: spareId, hostname: 'spare03', ip: '127.0.0.1', spare: true })];
    const tuning = defaultSyslogTuning();
    tuning.files.flushIntervalMs = 20;
    const quiet = () => undefined;
    service = await startSyslogService({
      config: { bindAddress: '127.0.0.1', serverAddress: '127.0.0.1', stateDir, syslogPort: 0 },
      view,
      metrics,
      log: { info: quiet, warn: quiet, error: (msg, f) => console.error(msg, f) },
    }, tuning);
    // The same routing as bootd's admin server (main.ts).
    admin = http.createServer((req, res) => {
      if (req.url?.startsWith('/logs/')) void service.answerTailRequest(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => admin.listen(0, '127.0.0.1', resolve));
    adminPort = (admin.address() as AddressInfo).port;
  });

  after(async () => {
    await service?.close();
    await new Promise((resolve) => admin?.close(resolve));
    await rm(stateDir, { recursive: true, force: true });
  });

  const send = (args: string[], message: string) =>
    execFileSync('logger', ['-n', '127.0.0.1', '-P', String(service.port), '-d', ...args, message], { timeout: 10_000 });
  const fileHas = async (file: string, text: string) => {
    let content = '';
    for (let waited = 0; waited < 5000; waited += 25) {
      content = await readFile(path.join(stateDir, 'logs', file), 'utf8').catch(() => '');
      if (content.includes(text)) return content;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.fail(`${file} should contain "${text}"; has:\n${content}`);
  };
  const adminTail = async (id: string, lines: number) => {
    const res = await fetch(`http://127.0.0.1:${adminPort}/logs/${id}?lines=${lines}`);
    return { status: res.status, body: (await res.json()) as { lines: string[] } };
  };

  test('RFC 5424 (logger default) lands in the host file, with severity and tag', async () => {
    send(['-t', 'fleetboot-health', '-p', 'daemon.err'], 'health gate failed: /healthz returned 503');
    const content = await fileHas('spare03.log', 'health gate failed');
    assert.match(content, /daemon\.err \S+ fleetboot-health: health gate failed: \/healthz returned 503\n/);
  });

  test('RFC 3164 (logger --rfc3164) lands in the same file', async () => {
    send(['--rfc3164', '-t', 'kernel'], 'EXT4-fs error (device vda1): bad block');
    await fileHas('spare03.log', 'user.notice');
    assert.match(await fileHas('spare03.log', 'bad block'), / kernel: EXT4-fs error \(device vda1\): bad block\n/);
  });

  test("the admin endpoint gives the host's last lines, oldest first, by host id", async () => {
    for (let i = 1; i <= 5; i++) send(['-t', 'seq'], `numbered ${i}`);
    await fileHas('spare03.log', 'numbered 5');
    const { status, body } = await adminTail(spareId, 3);
    assert.equal(status, 200);
    assert.deepEqual(body.lines.map((l) => l.replace(/^.*seq: /, '')), ['numbered 3', 'numbered 4', 'numbered 5']);
    assert.deepEqual((await readHostLogTail(spareId, 2, [localStatusEndpoint({ FLEETBOOT_BOOTD_ADMIN_PORT: String(adminPort) })]))?.map((l) => l.replace(/^.*seq: /, '')), ['numbered 4', 'numbered 5']);
    assert.equal((await adminTail('00000000-0000-4000-8000-00000000dead', 5)).status, 404);
  });

  test('a sender not in the view is kept under its IP', async () => {
    const known = view.hosts;
    view.hosts = [];
    try {
      send(['--rfc3164', '-t', 'stranger'], 'who am I');
      await fileHas('127.0.0.1.log', 'who am I');
      assert.deepEqual((await adminTail('127.0.0.1', 1)).body.lines.map((l) => l.replace(/^.*stranger: /, '')), ['who am I']);
    } finally {
      view.hosts = known;
    }
  });

  test('garbage is counted and dropped; the service keeps receiving', async () => {
    const dgram = await import('node:dgram');
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.send(Buffer.from('no pri here'), service.port, '127.0.0.1', () => resolve()));
    await new Promise<void>((resolve) => socket.send(Buffer.alloc(0), service.port, '127.0.0.1', () => resolve()));
    socket.close();
    send(['-t', 'after'], 'still listening');
    await fileHas('spare03.log', 'still listening');
    const text = metrics.render();
    assert.match(text, /fleetboot_syslog_messages_total\{reason="no-pri",result="dropped"\} 1/);
    assert.match(text, /fleetboot_syslog_messages_total\{reason="empty",result="dropped"\} 1/);
    assert.match(text, /fleetboot_syslog_messages_total\{result="stored"\} \d+/);
  });
});

test('readHostLogTail is null when bootd does not answer', async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  assert.equal(await readHostLogTail(spareId, 10, [localStatusEndpoint({ FLEETBOOT_BOOTD_ADMIN_PORT: String(port) })]), null);
});
