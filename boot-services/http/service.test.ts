import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startHttpService, sendJson } from './service.ts';
import { FakeBootView } from '../../lib/boot/testing/fake-boot-view.ts';
import { MemoryEventSink } from '../events/event-sink.ts';
import { Metrics } from '../metrics.ts';
import type { BootdContext } from '../bootd-context.ts';

async function context(dir: string): Promise<BootdContext> {
  return {
    config: { serverAddress: '127.0.0.1', bindAddress: '127.0.0.1', interfaceName: null, dhcpPort: 0, dhcpClientPort: 0, tftpPort: 0, httpPort: 0, bootloaderDirs: [dir], stateDir: path.join(dir, 'state'), httpBaseUrl: 'http://127.0.0.1:1', enableDhcp: false, enableTftp: false, enableHttp: true },
    view: new FakeBootView(), events: new MemoryEventSink(), metrics: new Metrics(),
    log: { info() {}, warn() {}, error() {} },
  };
}

test('routes added by other work answer under /boot/v1/, built-in ones keep working', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fb-http-unit-'));
  const ctx = await context(dir);
  await writeFile(path.join(dir, 'hello.bin'), 'hello');
  const http = await startHttpService(ctx, [{ method: 'GET', path: /^\/boot\/v1\/identity$/, handle: (_req, res) => sendJson(res, 200, { hostname: 'web01' }) }]);
  try {
    http.addRoute({ method: 'POST', path: /^\/boot\/v1\/progress$/, handle: (_req, res) => sendJson(res, 202, { ok: true }) });
    const base = `http://127.0.0.1:${http.port}`;
    assert.deepEqual(await (await fetch(`${base}/boot/v1/identity`)).json(), { hostname: 'web01' });
    assert.equal((await fetch(`${base}/boot/v1/progress`, { method: 'POST', body: '{}' })).status, 202);
    assert.equal((await fetch(`${base}/boot/v1/progress`)).status, 405);
    assert.equal(await (await fetch(`${base}/boot/v1/files/hello.bin`)).text(), 'hello');
    assert.equal((await fetch(`${base}/nothing`)).status, 404);
    const status = await (await fetch(`${base}/boot/v1/status/bootloaders`)).json() as { bootloaders: { name: string; path: string | null; problem: string | null }[] };
    const memtest = status.bootloaders.find((b) => b.name === 'memtest86+x64.bin');
    assert.ok(memtest && (memtest.path !== null || /memtest86\+/.test(memtest.problem ?? '')), 'a missing bootloader names its Debian package');
  } finally {
    await http.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a malformed %-escape in an image, iPXE or file path is a 400, not a route failure in the log', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fb-http-unit-'));
  const ctx = await context(dir);
  const errors: string[] = [];
  ctx.log = { info() {}, warn() {}, error: (msg) => { errors.push(msg); } };
  const http = await startHttpService(ctx);
  try {
    const base = `http://127.0.0.1:${http.port}`;
    for (const p of ['/boot/v1/ipxe/%zz', '/boot/v1/images/%zz/kernel', '/boot/v1/images/a%e0%a4%a/initrd', '/boot/v1/files/%zz']) {
      const res = await fetch(`${base}${p}`);
      assert.equal(res.status, 400, p);
      assert.match(await res.text(), /bad URL encoding/);
    }
    // This bare state directory has no discovery environment: bootd says so once at start
    // (boot-files-setup.ts), which is not a route failure.
    assert.deepEqual(errors.filter((e) => !e.startsWith('discovery environment missing')), []);
  } finally {
    await http.close();
    await rm(dir, { recursive: true, force: true });
  }
});
