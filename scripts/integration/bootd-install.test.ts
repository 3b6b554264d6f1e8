// The boot server installed alone, as on a site machine: a fresh `git clone` of this commit,
// scripts/install-bootd.sh (bootd's npm packages only, cut out of package-lock.json; no console
// build), bootd started from its environment file against a database, answering /healthz with
// its view loaded. Then the systemd units install-systemd.sh writes, checked by
// `systemd-analyze verify` (Debian's systemd package provides it; it runs here without systemd
// as PID 1).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../server/db/testing.ts';
import { freePort } from '../../server/testing/web-app.ts';
import { exited, root, waitUntil } from './supervisor-harness.ts';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bootd-install-'));
const clone = path.join(scratch, 'fleetboot');
const envFile = path.join(scratch, 'etc', 'bootd.env');
const unitRoot = path.join(scratch, 'root');
let db: TestDatabase;

before(async () => {
  db = await createTestDatabase('bootd_install');
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query(`INSERT INTO "Network" (id, name, cidr, "updatedAt") VALUES (gen_random_uuid(), 'site-a', '10.72.0.0/24', now())`);
  await c.query(`INSERT INTO "Host" (id, hostname, mac, ip, "updatedAt") VALUES (gen_random_uuid(), 'site-a-01', '52:54:00:14:06:11', '10.72.0.11', now())`);
  await c.end();
});
after(async () => {
  await db?.drop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const run = (cmd: string, args: string[], cwd = clone) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });

test('install-bootd.sh in a fresh clone installs bootd alone, and bootd runs from its environment file', async () => {
  const head = run('git', ['rev-parse', 'HEAD'], root).trim();
  run('git', ['clone', '--quiet', '--no-checkout', root, clone], scratch);
  run('git', ['checkout', '--quiet', head]);
  const out = run('bash', ['scripts/install-bootd.sh', '--database-url', db.url, '--data-dir', path.join(scratch, 'data'), '--env-file', envFile, '--systemd', '--systemd-root', unitRoot]);
  assert.match(out, /installed bootd's npm packages: pg zod tsx/);
  for (const pkg of ['pg', 'zod', 'tsx']) assert.ok(fs.existsSync(path.join(clone, 'node_modules', pkg, 'package.json')), `${pkg} is installed`);
  for (const pkg of ['next', 'react', '@prisma/client', 'prisma']) assert.ok(!fs.existsSync(path.join(clone, 'node_modules', pkg)), `the console's ${pkg} is not`);
  assert.ok(!fs.existsSync(path.join(clone, '.next')), 'nothing was built');
  const env = fs.readFileSync(envFile, 'utf8');
  assert.match(env, new RegExp(`^DATABASE_URL='${db.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'$`, 'm'));
  assert.equal(fs.statSync(envFile).mode & 0o777, 0o600, 'the environment file (a database password) is private');

  const [httpPort, adminPort] = [await freePort(), await freePort()];
  const bootd = spawn('bash', ['-c', `set -a; . '${envFile}'; set +a; exec node --import tsx boot-services/main.ts`], {
    cwd: clone,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', FLEETBOOT_SERVICES: 'http', FLEETBOOT_BOOTD_ADDRESS: '127.0.0.1', FLEETBOOT_BOOT_HTTP_PORT: String(httpPort), FLEETBOOT_BOOTD_ADMIN_PORT: String(adminPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  bootd.stdout.on('data', (b: Buffer) => (log += b.toString()));
  bootd.stderr.on('data', (b: Buffer) => (log += b.toString()));
  try {
    const health = await waitUntil(`bootd's /healthz (log: ${log})`, 60_000, async () => {
      const res = await fetch(`http://127.0.0.1:${adminPort}/healthz`);
      const body = await res.json() as { ok: boolean; viewLive: boolean; hosts: number };
      return body.viewLive ? body : null;
    });
    assert.deepEqual([health.ok, health.hosts], [true, 1]);
    const script = await fetch(`http://127.0.0.1:${httpPort}/boot/v1/ipxe/52:54:00:14:06:11`);
    assert.equal(script.status, 200, 'it serves the host');
    assert.ok(fs.existsSync(path.join(scratch, 'data', 'bootd', 'view-snapshot.json')), 'its state is in the data directory named at install');
  } finally {
    bootd.kill('SIGTERM');
    await exited(bootd);
  }
  assert.match(log, /shutting down/);
});

test('the systemd units for bootd alone and for the whole stack pass systemd-analyze verify', () => {
  run('bash', ['scripts/install-systemd.sh', 'stack', '--root', unitRoot]);
  const units = ['fleetboot-bootd.service', 'fleetboot.service'].map((u) => path.join(unitRoot, 'etc/systemd/system', u));
  for (const unit of units) {
    const text = fs.readFileSync(unit, 'utf8');
    assert.doesNotMatch(text, /@[A-Z_]+@/, 'every placeholder is filled');
    assert.match(text, new RegExp(`^WorkingDirectory=${fs.realpathSync(clone)}$`, 'm'));
  }
  assert.match(fs.readFileSync(units[1]!, 'utf8'), /^KillMode=mixed$/m, 'only the supervisor gets SIGTERM: it orders the stop');
  assert.ok(fs.existsSync(path.join(unitRoot, 'etc/fleetboot/fleetboot.env')), 'the stack unit gets an environment file');
  // verify exits non-zero and prints the unit's name for a bad directive or a missing binary.
  const result = execFileSync('systemd-analyze', ['verify', ...units], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.doesNotMatch(result, /fleetboot/);
});

test('systemd-analyze verify refuses a broken unit (the check can fail)', () => {
  const broken = path.join(scratch, 'fleetboot-broken.service');
  fs.writeFileSync(broken, fs.readFileSync(path.join(unitRoot, 'etc/systemd/system/fleetboot.service'), 'utf8').replace(/^ExecStart=\S+/m, 'ExecStart=/nonexistent/node'));
  assert.throws(() => execFileSync('systemd-analyze', ['verify', broken], { stdio: ['ignore', 'pipe', 'pipe'] }), /nonexistent\/node/);
});
