// A missing discovery environment is an error where an operator looks (issue 16 item 4): the
// real bootd logs it at start naming the fix, counts it in a gauge, and /healthz lists it under
// errors; once the kernel and initrd are in its state directory, /healthz says so.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { discoveryPaths } from '../boot-config/boot-files-setup.ts';
import { startLoopbackBootd, type LoopbackBootd } from '../testing/bootd-process.ts';
import { startTestWebApp, type TestWebApp } from '../../server/testing/web-app.ts';

let app: TestWebApp;
let bootd: LoopbackBootd | null = null;
before(async () => {
  app = await startTestWebApp('bootd_discovery_health');
});
after(async () => {
  await bootd?.stop();
  await app?.stop();
});

interface Health { ok: boolean; errors: string[]; discovery: { ok: boolean; problem: string | null } }

test('no discovery kernel/initrd: logged at start, a gauge of 0, an error on /healthz; in place: ok', async () => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-discovery-health-'));
  bootd = await startLoopbackBootd(app.db.url, { FLEETBOOT_SERVICES: 'tftp,http' }, { stateDir });
  await bootd.waitForOutput(/bootd ready/);
  const health = async () => (await (await fetch(`http://127.0.0.1:${bootd!.adminPort}/healthz`)).json()) as Health;
  assert.match(bootd.output(), /discovery environment missing .*npm run sample-image/);
  const metrics = await (await fetch(`http://127.0.0.1:${bootd.adminPort}/metrics`)).text();
  assert.match(metrics, /^fleetboot_discovery_environment_present 0$/m);
  const missing = await health();
  assert.equal(missing.discovery.ok, false);
  assert.equal(missing.errors.length, 1);
  assert.match(missing.errors[0] ?? '', /unknown machines get "File not found"/);

  const paths = discoveryPaths(stateDir);
  fs.mkdirSync(path.dirname(paths.kernel), { recursive: true });
  fs.writeFileSync(paths.kernel, 'kernel');
  fs.writeFileSync(paths.initrd, 'initrd');
  const present = await health();
  assert.deepEqual([present.discovery.ok, present.errors], [true, []]);
});
