// The boot server registry end to end: an admin makes a boot server in the real web process
// (credential once, stored hashed, audited), the real bootd registers with it and heartbeats,
// the API and the dashboard judge it (healthy, gone with why), a wrong credential stops bootd
// at start, and a revoked one stops it at its next heartbeat.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startLoopbackBootd, type LoopbackBootd } from '../../../boot-services/testing/bootd-process.ts';
import { until } from '../../testing/until.ts';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createHost, createNetwork, sql, unique, uniqueMac, type Api } from './fixtures.ts';

let app: TestWebApp;
let admin: Api;
let viewer: Api;
const running: LoopbackBootd[] = [];

before(async () => {
  app = await startTestWebApp('api_boot_servers');
  admin = apiClient(app.url, { cookie: await app.signIn() });
  await app.addUser('bs-viewer', 'viewer-password-1', 'viewer');
  viewer = apiClient(app.url, { cookie: await app.signIn('bs-viewer', 'viewer-password-1') });
});
after(async () => {
  for (const b of running) await b.stop();
  await app?.stop();
});

async function makeBootServer(site = 'rack A') {
  const res = await admin.post('/boot-servers', { name: unique('bootd'), site });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { bootServer: { id: string; name: string }; credential: string };
}

async function bootd(name: string, credential: string, extra: Record<string, string> = {}) {
  const b = await startLoopbackBootd(app.db.url, { FLEETBOOT_BOOTD_NAME: name, FLEETBOOT_BOOTD_CREDENTIAL: credential, FLEETBOOT_BOOTD_HEARTBEAT_MS: '300', ...extra });
  running.push(b);
  return b;
}

async function health(id: string) {
  const res = await admin.get(`/boot-servers/${id}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as { health: { state: string; reasons: string[] }; version: string | null; statusUrl: string | null; networksServed: string[]; viewSeq: number | null; viewLive: boolean; lastHeartbeatAt: string | null };
}

test('an admin makes a boot server: the credential is in that answer only, stored hashed, and audited without it', async () => {
  const made = await makeBootServer();
  assert.match(made.credential, /^fbb_[A-Za-z0-9_-]{43}$/);
  const listed = (await admin.get('/boot-servers')).body.items.find((s: { id: string }) => s.id === made.bootServer.id);
  assert.equal(JSON.stringify(listed).includes(made.credential), false);
  assert.equal('credentialHash' in listed, false);
  assert.deepEqual(listed.health, { state: 'gone', reasons: ['never registered: start its bootd with FLEETBOOT_BOOTD_NAME and this credential'] });
  const stored = await sql(app, 'SELECT "credentialHash" FROM "BootServer" WHERE id = $1', [made.bootServer.id]);
  assert.match(stored.rows[0].credentialHash, /^[0-9a-f]{64}$/);
  const audit = await sql(app, `SELECT actor, action, after::text FROM "AuditLog" WHERE entity = 'boot-server' AND "entityId" = $1`, [made.bootServer.id]);
  assert.deepEqual([audit.rows[0]?.actor, audit.rows[0]?.action], ['admin', 'create']);
  assert.equal(audit.rows[0].after.includes(made.credential) || audit.rows[0].after.includes(stored.rows[0].credentialHash), false);
});

test('viewers see boot servers but may not make or revoke one (403)', async () => {
  const made = await makeBootServer();
  assert.equal((await viewer.get('/boot-servers')).status, 200);
  assert.equal((await viewer.post('/boot-servers', { name: unique('bootd'), site: 'x' })).status, 403);
  assert.equal((await viewer.delete(`/boot-servers/${made.bootServer.id}`)).status, 403);
});

test('a name taken (in any case) is 409 naming the field; a bad name 400 naming it', async () => {
  const made = await makeBootServer();
  const again = await admin.post('/boot-servers', { name: made.bootServer.name.toUpperCase(), site: 'x' });
  assert.deepEqual([again.status, again.body.field], [409, 'name']);
  const bad = await admin.post('/boot-servers', { name: 'has space', site: 'x' });
  assert.deepEqual([bad.status, bad.body.field], [400, 'name']);
});

test('bootd registers and heartbeats: healthy, with its networks only; a network assigned later comes with its hosts; a clean stop shows at once', async () => {
  const made = await makeBootServer();
  const mine = await createNetwork(admin, { bootServerId: made.bootServer.id });
  const other = await createNetwork(admin);
  await createHost(admin, { networkId: mine.id, ip: mine.at(10), mac: uniqueMac() });
  await createHost(admin, { networkId: other.id, ip: other.at(10), mac: uniqueMac() });
  const b = await bootd(made.bootServer.name, made.credential);
  await b.waitForOutput(/registered as a boot server/);
  const live = await until('a live view in the heartbeat', async () => { const h = await health(made.bootServer.id); return h.viewLive ? h : null; }, 30_000);
  assert.equal(live.health.state, 'healthy', JSON.stringify(live.health));
  assert.equal(live.version, '0.1.0');
  assert.equal(live.statusUrl, `http://127.0.0.1:${b.adminPort}`);
  assert.deepEqual(live.networksServed, [mine.name]);
  const head = await sql(app, 'SELECT max(seq)::int AS seq FROM "Change"');
  assert.equal(live.viewSeq, head.rows[0].seq);
  const viewHosts = async () => ((await (await fetch(`http://127.0.0.1:${b.adminPort}/healthz`)).json()) as { hosts: number }).hosts;
  assert.equal(await viewHosts(), 1, 'only the host on its network');

  const orphanSecond = await admin.patch(`/networks/${other.id}`, { peerBootServerId: made.bootServer.id });
  assert.deepEqual([orphanSecond.status, orphanSecond.body.field], [400, 'peerBootServerId']);
  assert.equal((await admin.patch(`/networks/${other.id}`, { bootServerId: made.bootServer.id })).status, 200);
  await until('the second network in its heartbeat', async () => (await health(made.bootServer.id)).networksServed.length === 2, 30_000);
  assert.equal(await viewHosts(), 2, 'the newly assigned network\'s host came with it');

  await b.stop();
  const stopped = await health(made.bootServer.id);
  assert.equal(stopped.health.state, 'gone');
  assert.match(stopped.health.reasons[0]!, /^stopped \d+ s ago \(clean shutdown\)$/);
  const page = await fetch(`${app.url}/`, { headers: { cookie: await app.signIn() } }).then((r) => r.text());
  const warning = /aria-label="Boot server warnings"[\s\S]*?<\/section>/.exec(page)?.[0]?.replace(/<!-- -->/g, '') ?? '';
  assert.ok(warning.includes(`<strong>${made.bootServer.name}</strong> (rack A) is gone`), `dashboard warning: ${warning || 'none'}`);
  assert.ok(warning.includes(`>${mine.name}</a> is not served: ${made.bootServer.name} is gone`), `dashboard warning: ${warning || 'none'}`);
});

test('a wrong credential stops bootd at start with the reason', async () => {
  const made = await makeBootServer();
  const b = await bootd(made.bootServer.name, `${made.credential.slice(0, -2)}xx`);
  assert.equal(await b.exited(60_000), 1, b.output());
  assert.match(b.output(), /no boot server by this name with this credential/);
});

test('revoking stops the running bootd at its next heartbeat, and it cannot start again', async () => {
  const made = await makeBootServer();
  const b = await bootd(made.bootServer.name, made.credential);
  await b.waitForOutput(/registered as a boot server/);
  assert.equal((await admin.delete(`/boot-servers/${made.bootServer.id}`)).status, 204);
  assert.equal(await b.exited(30_000), 1, b.output());
  assert.match(b.output(), /its credential is revoked in the console; stopping/);
  assert.equal((await health(made.bootServer.id)).health.state, 'revoked');
  const again = await bootd(made.bootServer.name, made.credential);
  assert.equal(await again.exited(60_000), 1, again.output());
  const audit = await sql(app, `SELECT action FROM "AuditLog" WHERE entity = 'boot-server' AND "entityId" = $1 ORDER BY id`, [made.bootServer.id]);
  assert.deepEqual(audit.rows.map((r) => r.action), ['create', 'revoke']);
});

test('the console reads a host\'s logs and each boot server\'s metrics at its registered status URL, signed; unsigned log reads are refused', async () => {
  const made = await makeBootServer('rack B');
  const network = await createNetwork(admin, { bootServerId: made.bootServer.id });
  const host = await createHost(admin, { networkId: network.id, ip: network.at(10), mac: uniqueMac() });
  const b = await bootd(made.bootServer.name, made.credential, { FLEETBOOT_SERVICES: 'tftp,http,syslog', FLEETBOOT_SYSLOG_PORT: '0' });
  await b.waitForOutput(/syslog listening/);
  await until('its status URL registered', async () => (await health(made.bootServer.id)).statusUrl === `http://127.0.0.1:${b.adminPort}`, 30_000);
  // The lines as bootd's syslog receiver keeps them (boot-services/syslog/host-log-files.ts).
  fs.mkdirSync(path.join(b.stateDir, 'logs'), { recursive: true });
  fs.writeFileSync(path.join(b.stateDir, 'logs', `${host.hostname}.log`), 'Dec  7 12:00:01 kernel: first line\nDec  7 12:00:02 agent: fetched the rootfs\n');

  const logs = await viewer.get(`/hosts/${host.id}/logs?lines=10`);
  assert.equal(logs.status, 200, JSON.stringify(logs.body));
  assert.deepEqual(logs.body.lines, ['Dec  7 12:00:01 kernel: first line', 'Dec  7 12:00:02 agent: fetched the rootfs'], 'read from the boot server of the host\'s network, not 127.0.0.1:FLEETBOOT_BOOTD_ADMIN_PORT');
  const direct = `http://127.0.0.1:${b.adminPort}/logs/${host.id}?lines=10`;
  assert.equal((await fetch(direct)).status, 401, 'hosts\' logs only to the console');
  assert.equal((await fetch(direct, { headers: { 'x-fleetboot-console-signature': `${Math.floor(Date.now() / 1000)}:${'0'.repeat(64)}` } })).status, 401);

  const metrics = await fetch(`${app.url}/api/v1/metrics`, { headers: { cookie: await app.signIn('bs-viewer', 'viewer-password-1') } });
  assert.equal(metrics.status, 200);
  const text = await metrics.text();
  assert.match(text, new RegExp(`^fleetboot_view_hosts\\{boot_server="${made.bootServer.name}"\\} 1$`, 'm'), 'its gauges, labelled with its name');
  assert.equal(text.split('\n').filter((l) => l === '# TYPE fleetboot_view_hosts gauge').length, 1, 'each family once');
});
