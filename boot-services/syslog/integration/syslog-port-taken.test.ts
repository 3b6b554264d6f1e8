// Syslog is on by default, so its port may be taken (rsyslog or syslog-ng with UDP input on the
// master): bootd must go on serving boots, say so in its log, status and metrics, and start
// receiving once the port is free. Also: a host on a pool lease has its lines filed under its
// name. The service in-process first, then the real bootd process (needs the test database).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeBootView, host } from '../../../lib/boot/testing/fake-boot-view.ts';
import { Metrics } from '../../metrics.ts';
import { createTestDatabase, type TestDatabase } from '../../../server/db/testing.ts';
import { freePort } from '../../../server/testing/web-app.ts';
import { defaultSyslogTuning, startSyslogService, type SyslogService } from '../service.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A UDP port held by someone else, as rsyslog's imudp would hold 514. */
async function holdUdpPort(): Promise<{ port: number; release(): Promise<void> }> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, release: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

function sendDatagram(port: number, text: string): Promise<void> {
  const socket = dgram.createSocket('udp4');
  return new Promise<void>((resolve, reject) => socket.send(Buffer.from(text), port, '127.0.0.1', (err) => {
    socket.close();
    if (err) reject(err);
    else resolve();
  }));
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('syslog service whose port is taken', () => {
  let stateDir: string;
  let holder: Awaited<ReturnType<typeof holdUdpPort>>;
  let service: SyslogService;
  const metrics = new Metrics();
  const logged: string[] = [];
  const view = new FakeBootView();

  before(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'fb-syslog-taken-'));
    holder = await holdUdpPort();
    // web02 has no reservation: its address is a pool lease of its MAC.
    view.hosts = [host({ id: 'h-2', hostname: 'web02', mac: '52:54:00:00:00:02', ip: null })];
    const tuning = { ...defaultSyslogTuning(), rebindIntervalMs: 100 };
    tuning.files.flushIntervalMs = 20;
    const record = (level: string) => (msg: string, fields?: Record<string, unknown>) => logged.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`);
    service = await startSyslogService({
      config: { bindAddress: '127.0.0.1', serverAddress: '127.0.0.1', stateDir, syslogPort: holder.port },
      view,
      metrics,
      log: { info: record('info'), warn: record('warn'), error: record('error') },
      findLeaseHolderMac: async (ip) => (ip === '127.0.0.1' ? '52:54:00:00:00:02' : null),
    }, tuning);
  });

  after(async () => {
    await service?.close();
    await holder?.release().catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  });

  test('starting does not fail: the error is logged with a hint, shown in status and metrics, and no host is told to send', () => {
    const status = service.status();
    assert.equal(status.state, 'not-listening');
    assert.match(status.state === 'not-listening' ? status.error : '', /EADDRINUSE/);
    assert.match(status.state === 'not-listening' ? status.hint ?? '' : '', /rsyslog/);
    assert.equal(service.logServer(), null, 'DHCP option 7 and the identity name no log server');
    assert.ok(logged.some((l) => l.startsWith('error syslog NOT receiving') && l.includes('EADDRINUSE')), logged.join('\n'));
    const text = metrics.render();
    assert.match(text, /^fleetboot_syslog_listening 0$/m);
    assert.match(text, /^fleetboot_syslog_bind_failures_total\{code="EADDRINUSE"\} \d+$/m);
  });

  test('once the port is free it is bound on the next retry, and a pool-leased host\'s lines land in its file', async () => {
    await holder.release();
    await waitFor('the retry to bind', () => service.status().state === 'listening');
    assert.deepEqual(service.logServer(), { address: '127.0.0.1', port: holder.port });
    assert.match(metrics.render(), /^fleetboot_syslog_listening 1$/m);
    assert.ok(logged.some((l) => l.startsWith('info syslog listening after a retry')), logged.join('\n'));
    await sendDatagram(holder.port, '<30>Nov 26 02:20:01 fleetboot-agent: network up: eth0 52:54:00:00:00:02 10.66.0.100');
    const content = await waitFor('web02.log', () => readFile(path.join(stateDir, 'logs', 'web02.log'), 'utf8').catch(() => ''));
    assert.match(content, /daemon\.info - fleetboot-agent: network up: eth0 52:54:00:00:00:02 10\.66\.0\.100\n/);
  });
});

const databaseSkip = process.env.FLEETBOOT_TEST_DATABASE_URL ? false : 'FLEETBOOT_TEST_DATABASE_URL not set (run through scripts/with-test-db.sh)';

test('bootd with its syslog port taken starts, serves HTTP and TFTP, and says so on /healthz and /metrics', { skip: databaseSkip, timeout: 120_000 }, async () => {
  const holder = await holdUdpPort();
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'fb-bootd-syslog-'));
  let db: TestDatabase | null = null;
  let child: ChildProcess | null = null;
  let output = '';
  try {
    db = await createTestDatabase('bootd_syslog');
    const httpPort = await freePort();
    const adminPort = await freePort();
    const tftp = await holdUdpPort();
    await tftp.release();
    // FLEETBOOT_SERVICES unset: the defaults, syslog among them (DHCP stays off without an interface).
    const env: NodeJS.ProcessEnv = {
      ...process.env, DATABASE_URL: db.url, FLEETBOOT_BOOTD_ADDRESS: '127.0.0.1', FLEETBOOT_BOOTD_STATE_DIR: stateDir,
      FLEETBOOT_DATA_DIR: stateDir, FLEETBOOT_BOOT_HTTP_PORT: String(httpPort), FLEETBOOT_TFTP_PORT: String(tftp.port),
      FLEETBOOT_BOOTD_ADMIN_PORT: String(adminPort), FLEETBOOT_SYSLOG_PORT: String(holder.port),
    };
    delete env.FLEETBOOT_SERVICES;
    delete env.FLEETBOOT_BOOT_INTERFACE;
    const started = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'boot-services/main.ts')], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    started.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    started.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor('bootd ready', () => {
      if (started.exitCode !== null) assert.fail(`bootd exited ${started.exitCode}:\n${output}`);
      return output.includes('bootd ready');
    }, 60_000);

    assert.match(output, /^error bootd: syslog NOT receiving: udp\/\d+ could not be bound.*DHCP, TFTP and HTTP go on.*EADDRINUSE/m);
    const health = (await (await fetch(`http://127.0.0.1:${adminPort}/healthz`)).json()) as { ok: boolean; services: string[]; syslog: { state: string; error?: string } };
    assert.equal(health.ok, true);
    assert.deepEqual(health.services.filter((s) => ['http', 'tftp', 'syslog'].includes(s)).sort(), ['http', 'syslog', 'tftp']);
    assert.equal(health.syslog.state, 'not-listening');
    assert.match(health.syslog.error ?? '', /EADDRINUSE/);
    assert.match(await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text(), /^fleetboot_syslog_listening 0$/m);
    // HTTP boot answers (an unknown MAC's identity: wait to be claimed, or a refusal naming the address).
    const identity = await fetch(`http://127.0.0.1:${httpPort}/boot/v1/identity?mac=52:54:00:00:00:99`);
    assert.ok([200, 403].includes(identity.status), `HTTP boot answered ${identity.status}`);
    assert.match(output, /tftp listening/);
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child!.once('exit', r)), sleep(10_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await holder.release().catch(() => undefined);
    await db?.drop().catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  }
});
