// scripts/capture-rootfs.sh on a small tree (--root): what goes in, what stays out, what is
// replaced; then its upload with an API token lands as the image's rootfs with the same sha256.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createRole, unique, type Api } from '../../api/integration/fixtures.ts';

const script = fileURLToPath(new URL('../../../scripts/capture-rootfs.sh', import.meta.url));
let dir: string;
let app: TestWebApp;
let api: Api;

function write(rel: string, text: string, mode = 0o644) {
  const p = path.join(dir, 'root', rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text, { mode });
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-capture-'));
  write('proc/1/status', 'kernel');
  write('sys/kernel/x', 'kernel');
  write('dev/null-ish', 'dev');
  write('run/sshd.pid', '1');
  write('tmp/scratch', 'junk');
  write('var/tmp/cache', 'junk');
  write('etc/hostname', 'reference01\n');
  write('etc/machine-id', '0123456789abcdef0123456789abcdef\n');
  write('etc/ssh/ssh_host_ed25519_key', 'PRIVATE', 0o600);
  write('etc/ssh/ssh_host_ed25519_key.pub', 'public');
  write('etc/ssh/sshd_config', 'PermitRootLogin no\n');
  write('var/lib/dhcp/dhclient.eth0.leases', 'lease { }');
  write('etc/udev/rules.d/70-persistent-net.rules', 'SUBSYSTEM=="net", NAME="eth0"');
  write('etc/fstab', 'UUID=1234 / ext4 defaults 0 1\n/dev/sdb1 /data xfs defaults 0 2\ntmpfs /scratch tmpfs defaults 0 0\n');
  write('usr/bin/service', '#!/bin/sh\necho hi\n', 0o755);
  write('srv/cache/big', 'skip me');
  fs.symlinkSync('service', path.join(dir, 'root/usr/bin/service-link'));
  app = await startTestWebApp('capture_rootfs');
  api = apiClient(app.url, { cookie: await app.signIn() });
});
after(async () => {
  await app?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function listing(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
}

test('the tarball keeps the system, leaves out kernel trees and per-host identity, blanks machine-id, trims fstab', () => {
  const out = path.join(dir, 'rootfs.tar.gz');
  const printed = execFileSync('bash', [script, '--root', path.join(dir, 'root'), '--output', out, '--no-upload', '--exclude', './srv/cache/*'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const sum = createHash('sha256').update(fs.readFileSync(out)).digest('hex');
  assert.equal(printed.trim(), `${sum}  ${out}`);
  const names = listing(out);
  for (const kept of ['./usr/bin/service', './usr/bin/service-link', './etc/ssh/sshd_config', './proc/', './sys/', './dev/', './run/', './tmp/', './var/tmp/', './etc/machine-id', './etc/fstab']) {
    assert.ok(names.includes(kept), `${kept} is in the image`);
  }
  for (const left of ['./proc/1/status', './sys/kernel/x', './dev/null-ish', './run/sshd.pid', './tmp/scratch', './var/tmp/cache', './etc/hostname', './etc/ssh/ssh_host_ed25519_key', './etc/ssh/ssh_host_ed25519_key.pub', './var/lib/dhcp/dhclient.eth0.leases', './etc/udev/rules.d/70-persistent-net.rules', './srv/cache/big']) {
    assert.ok(!names.includes(left), `${left} stays out`);
  }
  assert.equal(names.filter((n) => n === './etc/machine-id').length, 1);
  const unpacked = path.join(dir, 'unpacked');
  fs.mkdirSync(unpacked);
  execFileSync('tar', ['-xzf', out, '-C', unpacked]);
  assert.equal(fs.readFileSync(path.join(unpacked, 'etc/machine-id'), 'utf8'), '');
  const fstab = fs.readFileSync(path.join(unpacked, 'etc/fstab'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  assert.deepEqual(fstab, ['tmpfs /scratch tmpfs defaults 0 0']);
  assert.equal(fs.statSync(path.join(unpacked, 'usr/bin/service')).mode & 0o777, 0o755);
});

test('--zstd writes a zstd tarball (RFC 8878 magic) with the same members', () => {
  const out = path.join(dir, 'rootfs.tar.zst');
  execFileSync('bash', [script, '--root', path.join(dir, 'root'), '--output', out, '--no-upload', '--zstd', '--exclude', './srv/cache/*'], { stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(fs.readFileSync(out).subarray(0, 4).toString('hex'), '28b52ffd', 'a zstd frame');
  const names = execFileSync('bash', ['-c', 'zstd -dc "$1" | tar -t', '-', out], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
  assert.deepEqual(names, listing(path.join(dir, 'rootfs.tar.gz')), 'the same members as the gzip capture');
});

test('uploaded with an API token: the image gets the rootfs with the same sha256; a second run without --force is refused', async () => {
  const role = await createRole(api, { rootMode: 'ram' });
  const image = await api.post('/images', { roleId: role.id, version: unique('captured') });
  const token = await api.post('/tokens', { name: 'capture' });
  const out = path.join(dir, 'upload.tar.gz');
  const env = { ...process.env, FLEETBOOT_TOKEN: token.body.secret, FLEETBOOT_URL: app.url };
  const printed = execFileSync('bash', [script, '--root', path.join(dir, 'root'), '--output', out, '--image', image.body.id], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  const sum = printed.trim().split(' ')[0];
  const after = (await api.get(`/images/${image.body.id}`)).body;
  assert.deepEqual({ rootfs: after.rootfsSha256, size: after.rootfs.sizeBytes }, { rootfs: sum, size: fs.statSync(out).size });
  // ready needs kernel + initrd too; make it ready, then a plain re-capture is refused.
  for (const kind of ['kernel', 'initrd']) {
    const res = await fetch(`${app.url}/api/v1/images/${image.body.id}/artifacts/${kind}`, { method: 'PUT', headers: { authorization: `Bearer ${token.body.secret}`, 'content-type': 'application/octet-stream' }, body: kind });
    assert.equal(res.status, 200, `${kind}: ${await res.text()}`);
  }
  assert.equal((await api.get(`/images/${image.body.id}`)).body.status, 'ready');
  assert.throws(() => execFileSync('bash', [script, '--root', path.join(dir, 'root'), '--output', out, '--image', image.body.id], { env, stdio: ['ignore', 'pipe', 'pipe'] }), (e: any) => /HTTP 409/.test(String(e.stderr)));
  execFileSync('bash', [script, '--root', path.join(dir, 'root'), '--output', out, '--image', image.body.id, '--force'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
});
